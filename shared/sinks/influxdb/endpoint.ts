/**
 * Where and how each InfluxDB version takes line protocol (docs/influxdb.md, "How it writes"):
 *
 * - InfluxDB 1: `POST /write?db=&rp=&precision=ms`, HTTP basic authentication with a user name and
 *   password, or none when the server's authentication is off. Basic authentication keeps the
 *   password out of the URL (InfluxDB 1 also takes `u=`/`p=` parameters, which end up in access
 *   logs).
 * - InfluxDB 2: `POST /api/v2/write?org=&bucket=&precision=ms`, `Authorization: Token …`.
 * - InfluxDB 3: `POST /api/v3/write_lp?db=&precision=millisecond`, `Authorization: Bearer …`.
 */

export type InfluxDbVersion = 1 | 2 | 3;

export interface InfluxDbTarget {
  /** Base URL, e.g. `https://influx.corp.example:8086` (a path prefix is kept). */
  url: string;
  version: InfluxDbVersion;
  /** InfluxDB 2: organisation (name or id) and bucket. */
  org?: string;
  bucket?: string;
  /** InfluxDB 1 and 3: database. */
  database?: string;
  /** InfluxDB 1: retention policy (the database's default when absent). */
  retentionPolicy?: string;
}

/** What authenticates a write: a token (2, 3), a user and password (1), or nothing (1). */
export interface InfluxDbCredentials {
  token?: string;
  basic?: { username: string; password: string };
  /** PEM of a CA to trust besides the public ones (a private CA in front of the server). */
  ca?: string;
}

export interface InfluxDbEndpoint {
  path: string;
  params: Record<string, string>;
}

export function endpointOf(target: InfluxDbTarget): InfluxDbEndpoint {
  switch (target.version) {
    case 1:
      return {
        path: '/write',
        params: {
          db: target.database ?? '',
          ...(target.retentionPolicy ? { rp: target.retentionPolicy } : {}),
          precision: 'ms',
        },
      };
    case 2:
      return {
        path: '/api/v2/write',
        params: { org: target.org ?? '', bucket: target.bucket ?? '', precision: 'ms' },
      };
    case 3:
      return {
        path: '/api/v3/write_lp',
        // All or nothing: a rejected line fails the batch with its reason instead of vanishing.
        params: { db: target.database ?? '', precision: 'millisecond', accept_partial: 'false' },
      };
  }
}

/** The `Authorization` header, if any. */
export function authorizationOf(
  version: InfluxDbVersion,
  credentials: InfluxDbCredentials,
): string | undefined {
  if (version === 1) {
    const { basic } = credentials;
    if (!basic) return undefined;
    return `Basic ${Buffer.from(`${basic.username}:${basic.password}`, 'utf8').toString('base64')}`;
  }
  return `${version === 2 ? 'Token' : 'Bearer'} ${credentials.token ?? ''}`;
}

/** Every text of the credentials an error answer must not show (the header value included). */
export function secretTexts(credentials: InfluxDbCredentials, authorization?: string): string[] {
  const texts = [credentials.token, credentials.basic?.password, authorization?.split(' ')[1]];
  return texts.filter((text): text is string => text !== undefined && text.length >= 4);
}

/** Where the writes go, for messages: `https://host:8086 (org o, bucket b)`. */
export function describeTarget(target: InfluxDbTarget): string {
  const { url, version, org, bucket, database, retentionPolicy } = target;
  if (version === 2) return `${url} (org ${org}, bucket ${bucket})`;
  const rp = version === 1 && retentionPolicy ? `, retention policy ${retentionPolicy}` : '';
  return `${url} (database ${database}${rp})`;
}

/** What an HTTP status of a write means here, naming the keys to check. */
export function statusHint(target: InfluxDbTarget, status: number): string {
  const where =
    target.version === 2
      ? `org "${target.org}" / bucket "${target.bucket}"`
      : `database "${target.database}"`;
  const keys = { 1: 'database, retentionPolicy', 2: 'org, bucket', 3: 'database' }[target.version];
  switch (status) {
    case 400:
      return 'HTTP 400, InfluxDB rejected the data';
    case 401:
      return target.version === 1
        ? 'HTTP 401, the server wants a user name and password, or did not accept them: check destinations.influxdb.username and password'
        : 'HTTP 401, the token was not accepted: check destinations.influxdb.token (an API token of this InfluxDB)';
    case 403:
      return target.version === 1
        ? `HTTP 403, the user may not write to ${where} (GRANT WRITE ON the database TO the user)`
        : `HTTP 403, the token may not write to ${where}`;
    case 404:
      return `HTTP 404, ${where} or the write API was not found: check destinations.influxdb (url, version, ${keys})`;
    case 413:
      return 'HTTP 413, the request is too large: lower destinations.influxdb.batchSize';
    default:
      return `HTTP ${status}`;
  }
}

/**
 * A 5xx that no retry can fix, with what to check: InfluxDB 1 answers a retention policy that
 * does not exist with 500.
 */
export function permanentFailure(
  target: InfluxDbTarget,
  status: number,
  answer: string,
): string | undefined {
  if (target.version === 1 && status === 500 && /retention policy not found/i.test(answer))
    return `HTTP 500, the retention policy "${target.retentionPolicy}" does not exist in database "${target.database}": check destinations.influxdb.retentionPolicy`;
  return undefined;
}
