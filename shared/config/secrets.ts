/**
 * Resolves a site's certificate sources to PEM text: files for the CLI, SSM SecureString
 * parameters for Lambda (or the CLI with AWS credentials). PEM text is never logged.
 */
import { readFile } from 'node:fs/promises';
import {
  GetParametersCommand,
  type GetParametersCommandOutput,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { QrsTlsMaterial } from '../qrs/client.ts';
import type { SecretSource, SiteConfig } from './schema.ts';

export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;

export async function readSiteCertificates(
  site: SiteConfig,
  ssm: () => SSMClient = () => new SSMClient({}),
): Promise<QrsTlsMaterial> {
  const { cert, key, ca } = site.qrs.certificates;
  const names = [cert, key, ca].flatMap((source) =>
    'ssmParameter' in source ? [source.ssmParameter] : [],
  );
  const fromSsm =
    names.length > 0 ? await getSsmParameters(ssm(), names) : new Map<string, string>();
  const resolve = async (source: SecretSource, what: string): Promise<string> => {
    const text =
      'file' in source
        ? await readPemFile(source.file, what)
        : (fromSsm.get(source.ssmParameter) as string);
    const where = 'file' in source ? source.file : `SSM parameter ${source.ssmParameter}`;
    if (!PEM.test(text))
      throw new SecretError(`${what} (${where}) is not PEM text (expected -----BEGIN ...-----)`);
    return text;
  };
  return {
    cert: await resolve(cert, 'client certificate'),
    key: await resolve(key, 'client key'),
    ca: await resolve(ca, 'CA certificate'),
  };
}

async function readPemFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new SecretError(`cannot read the ${what} file ${file} (${code})`);
  }
}

/** One GetParameters call (up to 10 names), decrypted; missing names are an error naming them. */
export async function getSsmParameters(
  client: SSMClient,
  names: string[],
  missingHint = 'store them with `license-steward certs put`',
): Promise<Map<string, string>> {
  const unique = [...new Set(names)];
  const values = new Map<string, string>();
  for (let i = 0; i < unique.length; i += 10) {
    const batch = unique.slice(i, i + 10);
    let output: GetParametersCommandOutput;
    try {
      output = await client.send(new GetParametersCommand({ Names: batch, WithDecryption: true }));
    } catch (error) {
      const name = (error as Error).name;
      throw new SecretError(
        `cannot read SSM parameters ${batch.join(', ')} (${name}): check that they exist in this account and region, and that the caller may ssm:GetParameters and kms:Decrypt them`,
      );
    }
    if (output.InvalidParameters && output.InvalidParameters.length > 0) {
      throw new SecretError(
        `SSM parameter(s) not found: ${output.InvalidParameters.join(', ')} (${missingHint})`,
      );
    }
    for (const parameter of output.Parameters ?? []) {
      if (parameter.Name && parameter.Value !== undefined)
        values.set(parameter.Name, parameter.Value);
    }
  }
  return values;
}

/** A secret text (an API token, a PEM): a file, an environment variable or an SSM SecureString. */
export type TextSecretSource = { file: string } | { env: string } | { ssmParameter: string };

export interface SecretReaders {
  ssm?: () => SSMClient;
  env?: NodeJS.ProcessEnv;
}

/**
 * Reads several secret texts at once (one GetParameters call for those in SSM). Errors name the
 * source (file, variable, parameter) and what it is for, never the value.
 */
export async function readSecretTexts<K extends string>(
  wanted: Record<K, { source: TextSecretSource; what: string }>,
  readers: SecretReaders = {},
): Promise<Record<K, string>> {
  const entries = Object.entries(wanted) as Array<[K, { source: TextSecretSource; what: string }]>;
  const names = entries.flatMap(([, { source }]) =>
    'ssmParameter' in source ? [source.ssmParameter] : [],
  );
  const fromSsm =
    names.length > 0
      ? await getSsmParameters(
          (readers.ssm ?? (() => new SSMClient({})))(),
          names,
          `store ${entries.map(([, { what }]) => `the ${what}`).join(' and ')} as SecureString`,
        )
      : new Map<string, string>();
  const env = readers.env ?? process.env;
  const values = {} as Record<K, string>;
  for (const [key, { source, what }] of entries) {
    if ('ssmParameter' in source) {
      values[key] = fromSsm.get(source.ssmParameter) ?? '';
    } else if ('env' in source) {
      const value = env[source.env];
      if (value === undefined || value === '')
        throw new SecretError(`the ${what} environment variable ${source.env} is not set`);
      values[key] = value;
    } else {
      try {
        values[key] = await readFile(source.file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw new SecretError(`cannot read the ${what} file ${source.file} (${code})`);
      }
    }
  }
  return values;
}
