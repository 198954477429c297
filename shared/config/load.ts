/** Reads, parses and validates the YAML configuration file, once, before anything touches QRS or AWS. */
import path from 'node:path';
import { adaptButlerKeys } from './butler-keys.ts';
import { ConfigError } from './errors.ts';
import { formatIssues } from './issues.ts';
import { ruleNameNotices } from './rule-names.ts';
import { type Config, configSchema, type SecretSource } from './schema.ts';
import { parseYaml, readConfigText } from './yaml-text.ts';

export interface LoadOptions {
  /**
   * Told about accepted Butler keys (e.g. `frequency` read as `schedule`) and rule names that hold
   * invisible characters or mix scripts.
   */
  onNotice?: (text: string) => void;
}

export function loadConfig(file: string, options: LoadOptions = {}): Config {
  return parseConfig(readConfigText(file), file, options);
}

/** Parses YAML text; relative PEM and token file paths are resolved against the file's folder. */
export function parseConfig(text: string, source: string, options: LoadOptions = {}): Config {
  const butler = adaptButlerKeys(parseYaml(text, source) ?? {});
  const result = configSchema.safeParse(butler.data);
  if (!result.success || butler.problems.length > 0)
    throw new ConfigError(source, [
      ...butler.problems,
      ...(result.success ? [] : formatIssues(result.error)),
    ]);
  for (const notice of [...butler.notices, ...ruleNameNotices(result.data)])
    options.onNotice?.(notice);
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
  if (influxdb.password && 'file' in influxdb.password)
    influxdb.password = { file: path.resolve(baseDir, influxdb.password.file) };
  if (influxdb.ca) influxdb.ca = resolveFile(influxdb.ca, baseDir);
  return result.data;
}

function resolveFile(source: SecretSource, baseDir: string): SecretSource {
  return 'file' in source ? { file: path.resolve(baseDir, source.file) } : source;
}
