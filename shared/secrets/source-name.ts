/**
 * How a message names a secret source. The name of an `env` or `file` source is only printed when
 * it looks like what belongs there (`INFLUX_TOKEN`, `./certs/client_key.pem`, `/run/secrets/
 * influx_token`): a password pasted in its place would otherwise be printed back into logs and
 * reports ("environment variable Summer2026 is not set"). Otherwise the message says what was
 * expected instead.
 */
import path from 'node:path';
import type { TextSecretSource } from './read.ts';

/** Environment variables are conventionally upper case: `INFLUX_TOKEN`, `QLIK_CA`. */
export function looksLikeVariableName(name: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(name);
}

/** A file name with an extension (`root.pem`), or lower-case words (`influx_token`, `token`). */
export function looksLikeFileName(file: string): boolean {
  const base = path.basename(file);
  return (
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(base) &&
    (/\.[A-Za-z0-9]{1,8}$/.test(base) || /^[a-z]+(?:[_-][a-z]+)*$/.test(base))
  );
}

export function describeEnvSource(name: string): string {
  return looksLikeVariableName(name)
    ? `environment variable ${name}`
    : 'environment variable named in the configuration (the name is not shown: it does not look like a variable name such as INFLUX_TOKEN; was the secret itself pasted there?)';
}

export function describeFileSource(file: string): string {
  return looksLikeFileName(file)
    ? `file ${file}`
    : 'file named in the configuration (the path is not shown: it does not look like a file path such as ./certs/client_key.pem; was the secret itself pasted there?)';
}

/** `SSM parameter /a/b`, `environment variable X`, `file /p` or the expectation instead. */
export function describeSource(source: TextSecretSource): string {
  if ('ssmParameter' in source) return `SSM parameter ${source.ssmParameter}`;
  if ('env' in source) return describeEnvSource(source.env);
  return describeFileSource(source.file);
}
