/** Reads, parses and validates the YAML configuration file, once, before anything touches QRS or AWS. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.ts';
import { formatIssues } from './issues.ts';
import { type Config, configSchema, type SecretSource } from './schema.ts';
import { parseYaml } from './yaml-text.ts';

export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [
      `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    ]);
  }
  return parseConfig(text, file);
}

/** Parses YAML text; relative PEM and token file paths are resolved against the file's folder. */
export function parseConfig(text: string, source: string): Config {
  const result = configSchema.safeParse(parseYaml(text, source));
  if (!result.success) throw new ConfigError(source, formatIssues(result.error));
  const baseDir = path.dirname(path.resolve(source));
  for (const site of result.data.sites) {
    const certificates = site.qrs.certificates;
    certificates.cert = resolveFile(certificates.cert, baseDir);
    certificates.key = resolveFile(certificates.key, baseDir);
    certificates.ca = resolveFile(certificates.ca, baseDir);
  }
  const influxdb = result.data.destinations.influxdb;
  if (influxdb.token && 'file' in influxdb.token)
    influxdb.token = { file: path.resolve(baseDir, influxdb.token.file) };
  if (influxdb.ca) influxdb.ca = resolveFile(influxdb.ca, baseDir);
  return result.data;
}

function resolveFile(source: SecretSource, baseDir: string): SecretSource {
  return 'file' in source ? { file: path.resolve(baseDir, source.file) } : source;
}
