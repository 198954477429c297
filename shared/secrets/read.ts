/**
 * Turns secret sources into text: `{ file }`, `{ env }` or `{ ssmParameter }` (through the one
 * `SsmReader`). Used for the QRS certificates (CLI and both Lambdas) and the InfluxDB token. Errors
 * name the source (file, variable, parameter) and what it is for, never the value.
 */
import { readFile } from 'node:fs/promises';
import { inspectPemSet } from '#shared/certificates/pem-set.ts';
import {
  CERTIFICATE_FILES,
  CERTIFICATE_KINDS,
  type CertificateKind,
} from '#shared/certificates/sources.ts';
import type { SiteConfig } from '#shared/config/schema.ts';
import type { QrsTlsMaterial } from '#shared/qrs/client.ts';
import { describeEnvSource, describeFileSource } from './source-name.ts';
import { newSsmClient, SecretError, SsmReader } from './ssm-reader.ts';

export { SecretError };

/** A secret text (an API token, a PEM): a file, an environment variable or an SSM SecureString. */
export type TextSecretSource = { file: string } | { env: string } | { ssmParameter: string };

export interface SecretReaders {
  /** Default: a reader with an SSM client of the SDK's standard settings and the project's deadlines, nothing kept. */
  ssm?: SsmReader;
  env?: NodeJS.ProcessEnv;
}

const defaultSsm = () => new SsmReader(newSsmClient);

/** Several secret texts at once: one `GetParameters` call for those in SSM. */
export async function readSecretTexts<K extends string>(
  wanted: Record<K, { source: TextSecretSource; what: string }>,
  readers: SecretReaders = {},
  missingHint = `store ${Object.values<{ what: string }>(wanted)
    .map(({ what }) => `the ${what}`)
    .join(' and ')} as SecureString`,
): Promise<Record<K, string>> {
  const entries = Object.entries(wanted) as Array<[K, { source: TextSecretSource; what: string }]>;
  const names = entries.flatMap(([, { source }]) =>
    'ssmParameter' in source ? [source.ssmParameter] : [],
  );
  const fromSsm =
    names.length > 0
      ? await (readers.ssm ?? defaultSsm()).get(names, missingHint)
      : new Map<string, string>();
  const env = readers.env ?? process.env;
  const values = {} as Record<K, string>;
  for (const [key, { source, what }] of entries) {
    if ('ssmParameter' in source) {
      values[key] = fromSsm.get(source.ssmParameter) ?? '';
    } else if ('env' in source) {
      const value = env[source.env];
      if (value === undefined || value === '')
        throw new SecretError(`the ${what} ${describeEnvSource(source.env)} is not set`);
      values[key] = value;
    } else {
      values[key] = await readTextFile(source.file, what);
    }
  }
  return values;
}

/** The site's client certificate, key and CA as PEM text (each checked to be PEM of its kind). */
export async function readSiteCertificates(
  site: SiteConfig,
  ssm?: SsmReader,
): Promise<QrsTlsMaterial> {
  const sources = site.qrs.certificates;
  const wanted = Object.fromEntries(
    CERTIFICATE_KINDS.map((kind) => [
      kind,
      { source: sources[kind], what: CERTIFICATE_FILES[kind].what },
    ]),
  ) as Record<CertificateKind, { source: TextSecretSource; what: string }>;
  const texts = await readSecretTexts(
    wanted,
    ssm ? { ssm } : {},
    'store them with `license-steward certs put`',
  );
  const named = (kind: CertificateKind) => {
    const source = sources[kind];
    const where =
      'file' in source ? describeFileSource(source.file) : `SSM parameter ${source.ssmParameter}`;
    return `the ${CERTIFICATE_FILES[kind].what} (${where})`;
  };
  // Only the format here: a text that parses but is wrong fails at TLS, with advice.
  const notPem = inspectPemSet(texts, { name: named }).problems.find((p) => p.code === 'not-pem');
  if (notPem) throw new SecretError(notPem.message);
  return texts;
}

async function readTextFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new SecretError(`cannot read the ${what} ${describeFileSource(file)} (${code})`);
  }
}
