/**
 * `destinations`: where metrics and release records go (Timestream, CloudWatch, InfluxDB) and the
 * static tags added to every stored record (docs/monitor.md, docs/influxdb.md).
 */
import { z } from 'zod';
import {
  INFLUX_RESERVED_TAG_NAMES,
  TIMESTREAM_DIMENSION,
  TIMESTREAM_RESERVED_DIMENSION,
} from '#shared/names.ts';
import { nonEmpty, ruleList, secretSourceSchema, tokenSourceSchema } from './common.ts';

/** The dimensions every record carries; a tag cannot take their names. */
const SET_BY_US = new Set<string>([TIMESTREAM_DIMENSION.site, TIMESTREAM_DIMENSION.licenseType]);

/** Timestream dimension names: not reserved, not `ts_…`. */
const tagName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,59}$/,
    'must be letters, digits and _ (a Timestream dimension name)',
  )
  .refine(
    (name) => !TIMESTREAM_RESERVED_DIMENSION.test(name) && !SET_BY_US.has(name.toLowerCase()),
    {
      message: 'is reserved (time, measure_name, measure_value*, ts_*, site, license_type)',
    },
  );

// ---------------------------------------------------------------------------------------------
// InfluxDB (`destinations.influxdb`): InfluxDB 1 (Butler's default), Amazon Timestream for InfluxDB
// or any InfluxDB 2 / 3, in Butler's measurements so existing Grafana dashboards keep working
// (docs/influxdb.md).

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The server's base URL, normalised without a trailing slash. */
const influxUrl = z.string().transform((text, context) => {
  const problem = (message: string) => {
    context.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return problem('must be a URL such as https://influxdb.example.com:8086');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)))
    return problem('must use https:// (plain http:// only to localhost)');
  if (url.username !== '' || url.password !== '')
    return problem(
      'must not hold a user name or password (use the token, or username and password for version 1)',
    );
  if (url.search !== '' || url.hash !== '')
    return problem(
      'must not have a query or fragment (org, bucket and database are keys of their own)',
    );
  if (/\/api(\/|$)/.test(url.pathname))
    return problem(
      "must be the server's base URL, without /api/... (e.g. https://influxdb.example.com:8086)",
    );
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
});

/** The version-specific keys and the versions they belong to. */
const INFLUX_KEY_VERSIONS = {
  org: [2],
  bucket: [2],
  token: [2, 3],
  database: [1, 3],
  retentionPolicy: [1],
  username: [1],
  password: [1],
} as const satisfies Record<string, ReadonlyArray<1 | 2 | 3>>;
type InfluxKey = keyof typeof INFLUX_KEY_VERSIONS;
const INFLUX_VERSION_KEYS = Object.keys(INFLUX_KEY_VERSIONS) as InfluxKey[];

/** An InfluxDB 1 user name: sent in HTTP basic authentication, where `:` ends the name. */
const influxUsername = nonEmpty.regex(/^[^:\s]+$/, 'must not contain ":" or spaces');

/** InfluxDB tag keys: `_…` is reserved by InfluxDB 2. */
const influxTagName = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
    'must be letters, digits, _ . - (starting with a letter)',
  );

const influxDbSchema = z
  .strictObject({
    enable: z.boolean().default(false),
    url: influxUrl.optional(),
    version: z
      .union([z.literal(1), z.literal(2), z.literal(3)], { error: 'must be 1, 2 or 3' })
      .default(2),
    /** InfluxDB 2: organisation name (or id) and bucket. */
    org: nonEmpty.optional(),
    bucket: nonEmpty.optional(),
    /** InfluxDB 1 and 3: database. */
    database: nonEmpty.optional(),
    /** InfluxDB 1: retention policy (default: the database's default one). */
    retentionPolicy: nonEmpty.optional(),
    /** InfluxDB 1: a user with WRITE on the database, or none when authentication is off. */
    username: influxUsername.optional(),
    password: tokenSourceSchema.optional(),
    token: tokenSourceSchema.optional(),
    /** A private CA of the server's certificate (PEM), added to the public ones. */
    ca: secretSourceSchema.optional(),
    /** Static tags for InfluxDB only, besides `destinations.tags` (these win on the same name). */
    tags: ruleList(z.strictObject({ name: influxTagName, value: nonEmpty })),
    timeoutSeconds: z.number().positive().max(60).default(10),
    batchSize: z.number().int().min(1).max(50_000).default(5000),
    maxRetries: z.number().int().min(0).max(10).default(3),
    gzip: z.boolean().default(false),
  })
  .superRefine((influx, context) => {
    const problem = (path: (string | number)[], message: string) =>
      context.addIssue({ code: 'custom', path, message });
    for (const [key, message] of influxVersionMismatches(influx)) problem([key], message);
    if (influx.version === 1 && influx.username !== undefined && influx.password === undefined)
      problem(['password'], 'is required with username ({ ssmParameter: NAME } to deploy)');
    if (influx.version === 1 && influx.password !== undefined && influx.username === undefined)
      problem(['username'], 'is required with password');
    influx.tags.forEach((tag, index) => {
      if (INFLUX_RESERVED_TAG_NAMES.includes(tag.name.toLowerCase()))
        problem(
          ['tags', index, 'name'],
          `"${tag.name}" is a tag or field the InfluxDB destination writes itself`,
        );
    });
    if (!influx.enable) return;
    if (influx.url === undefined) problem(['url'], 'is required when enable is true');
    if (influx.token === undefined && influx.version !== 1)
      problem(['token'], 'is required when enable is true ({ ssmParameter: NAME } to deploy)');
    if (influx.version === 1) {
      if (influx.database === undefined)
        problem(['database'], 'is required for InfluxDB 1 (version: 1)');
    } else if (influx.version === 2) {
      if (influx.org === undefined) problem(['org'], 'is required for InfluxDB 2 (version: 2)');
      if (influx.bucket === undefined)
        problem(['bucket'], 'is required for InfluxDB 2 (version: 2)');
    } else if (influx.database === undefined) {
      problem(['database'], 'is required for InfluxDB 3 (version: 3)');
    }
  });
export type InfluxDbConfig = z.infer<typeof influxDbSchema>;

/** The keys that belong to another version than the one set, each with what to use instead. */
function influxVersionMismatches(
  influx: Pick<InfluxDbConfig, 'version'> & Partial<Record<InfluxKey, unknown>>,
): Array<[InfluxKey, string]> {
  const wrong: Array<[InfluxKey, string]> = [];
  const instead: Record<1 | 2 | 3, string> = {
    1: 'InfluxDB 1 writes to a database (database, retentionPolicy) with username and password, or without authentication',
    2: 'InfluxDB 2 writes to org + bucket',
    3: 'InfluxDB 3 writes to a database (database: NAME)',
  };
  for (const key of INFLUX_VERSION_KEYS) {
    const versions: readonly number[] = INFLUX_KEY_VERSIONS[key];
    if (influx[key] === undefined || versions.includes(influx.version)) continue;
    const owner =
      versions.length === 1 ? `version ${versions[0]}` : `versions ${versions.join(' and ')}`;
    wrong.push([key, `is for ${owner}: ${instead[influx.version]}`]);
  }
  return wrong;
}

export const destinationsSchema = z.strictObject({
  timestream: z
    .strictObject({
      enable: z.boolean().default(false),
      database: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{3,256}$/)
        .default('license_steward'),
      usageTable: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{3,256}$/)
        .default('license_usage'),
      releaseTable: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{3,256}$/)
        .default('license_release'),
    })
    .prefault({}),
  cloudwatch: z
    .strictObject({
      enable: z.boolean().default(true),
      namespace: z
        .string()
        .regex(/^[A-Za-z0-9_./#:-]{1,255}$/)
        .default('LicenseSteward'),
    })
    .prefault({}),
  influxdb: influxDbSchema.prefault({}),
  tags: ruleList(z.strictObject({ name: tagName, value: nonEmpty })),
});
export type DestinationsConfig = z.infer<typeof destinationsSchema>;
