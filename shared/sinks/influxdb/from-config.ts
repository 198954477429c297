/**
 * The InfluxDB writer `destinations.influxdb` describes. The token or password (and a private CA,
 * if set) is read on the first write, not at import: an unreachable SSM is then a sink error of
 * that run naming the parameter, never a crashed cold start. An SSM value is kept for 15 minutes
 * by the `SsmReader` (like the QRS certificates), so a rotated secret is picked up without a
 * deploy; a failed read is not kept, the next run tries again.
 */

import { hasPemCertificate } from '#shared/certificates/pem-set.ts';
import type { DestinationsConfig, InfluxDbConfig } from '#shared/config/schema.ts';
import { readSecretTexts, SecretError, type TextSecretSource } from '#shared/secrets/read.ts';
import { describeSource } from '#shared/secrets/source-name.ts';
import { newSsmClient, SECRET_CACHE_MS, SsmReader } from '#shared/secrets/ssm-reader.ts';
import type { InfluxDbTarget } from './writer.ts';
import { InfluxDbWriter, type InfluxDbWriterOptions } from './writer.ts';

export const TOKEN_CACHE_MS = SECRET_CACHE_MS;

export interface InfluxDbWriterDependencies {
  /** The function's one SSM reader; default: one of its own, values kept `TOKEN_CACHE_MS`. */
  ssm?: SsmReader;
  env?: NodeJS.ProcessEnv;
  /** For the default reader's cache. */
  now?: () => number;
  /** Tests: no real waiting between retries. */
  sleep?: InfluxDbWriterOptions['sleep'];
}

/** The static tags of every InfluxDB point: `destinations.tags`, then `destinations.influxdb.tags`. */
export function influxStaticTags(
  destinations: Pick<DestinationsConfig, 'tags'> & { influxdb?: Pick<InfluxDbConfig, 'tags'> },
): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of [...destinations.tags, ...(destinations.influxdb?.tags ?? [])])
    tags[tag.name] = tag.value;
  return tags;
}

export function influxDbTarget(config: InfluxDbConfig): InfluxDbTarget {
  if (config.url === undefined)
    throw new Error('destinations.influxdb.url is required when enable is true');
  const { url, version } = config;
  if (version === 2) return { url, version, org: config.org ?? '', bucket: config.bucket ?? '' };
  if (version === 3) return { url, version, database: config.database ?? '' };
  return {
    url,
    version,
    database: config.database ?? '',
    ...(config.retentionPolicy ? { retentionPolicy: config.retentionPolicy } : {}),
  };
}

export function influxDbWriterFromConfig(
  config: InfluxDbConfig,
  dependencies: InfluxDbWriterDependencies = {},
): InfluxDbWriter {
  const { token, password, username, ca } = config;
  if (token === undefined && config.version !== 1)
    throw new Error('destinations.influxdb.token is required when enable is true');
  const ssm =
    dependencies.ssm ??
    new SsmReader(newSsmClient, {
      cacheMs: TOKEN_CACHE_MS,
      ...(dependencies.now ? { now: dependencies.now } : {}),
    });
  const readers = { ssm, ...(dependencies.env ? { env: dependencies.env } : {}) };
  const wanted: Record<string, { source: TextSecretSource; what: string }> = {};
  if (token && config.version !== 1)
    wanted.token = { source: token, what: 'InfluxDB token (destinations.influxdb.token)' };
  if (password && username !== undefined && config.version === 1)
    wanted.password = {
      source: password,
      what: 'InfluxDB password (destinations.influxdb.password)',
    };
  if (ca) wanted.ca = { source: ca, what: 'InfluxDB CA (destinations.influxdb.ca)' };
  return new InfluxDbWriter({
    target: influxDbTarget(config),
    credentials: async () => {
      // Nothing to read (InfluxDB 1 without authentication): no SSM call at all.
      const texts = Object.keys(wanted).length > 0 ? await readSecretTexts(wanted, readers) : {};
      return {
        ...(texts.token === undefined || token === undefined
          ? {}
          : { token: checkedToken(texts.token, token) }),
        ...(texts.password === undefined || password === undefined || username === undefined
          ? {}
          : { basic: { username, password: checkedPassword(texts.password, password) } }),
        ...(texts.ca === undefined ? {} : { ca: checkedPem(texts.ca) }),
      };
    },
    timeoutMs: config.timeoutSeconds * 1000,
    batchSize: config.batchSize,
    maxRetries: config.maxRetries,
    gzip: config.gzip,
    ...(dependencies.sleep ? { sleep: dependencies.sleep } : {}),
  });
}

function where(source: NonNullable<InfluxDbConfig['token']>): string {
  return describeSource(source);
}

/** A token is one header value: visible ASCII, no spaces. Its text is never echoed. */
function checkedToken(text: string, source: NonNullable<InfluxDbConfig['token']>): string {
  const token = text.trim();
  if (token === '') throw new SecretError(`the InfluxDB token (${where(source)}) is empty`);
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new SecretError(
      `the InfluxDB token (${where(source)}) holds spaces or characters an HTTP header cannot carry: it should be the API token alone`,
    );
  return token;
}

/**
 * A password is taken as it is, but for the line break a file usually ends with; an empty one is
 * refused (InfluxDB would answer 401 without saying why). Its text is never echoed.
 */
function checkedPassword(text: string, source: NonNullable<InfluxDbConfig['password']>): string {
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new SecretError(`the InfluxDB password (${where(source)}) is empty`);
  if (/[\r\n]/.test(password))
    throw new SecretError(
      `the InfluxDB password (${where(source)}) holds a line break: it should be the password alone`,
    );
  return password;
}

function checkedPem(text: string): string {
  if (!hasPemCertificate(text))
    throw new SecretError(
      'the InfluxDB CA (destinations.influxdb.ca) is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)',
    );
  return text;
}
