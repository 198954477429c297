/**
 * Reads a Butler config file: YAML, then the layout the importer needs (butler-schema.ts). Every
 * problem is a ConfigError naming Butler's key (`Butler.configQRS.host: is required`), exit 2.
 */
import { ConfigError } from '#shared/config/errors.ts';
import { formatIssues } from '#shared/config/issues.ts';
import { parseYaml, readConfigText } from '#shared/config/yaml-text.ts';
import { type Butler, butlerFileSchema } from './butler-schema.ts';

export function readButlerConfig(file: string): Butler {
  return parseButlerConfig(readConfigText(file), file);
}

export function parseButlerConfig(text: string, source: string): Butler {
  // Butler's own files repeat keys now and then; the last one wins there, so it does here. Every
  // other YAML rule (no tags, no alias bombs) is the configuration's own.
  const data = parseYaml(text, source, { uniqueKeys: false });
  if (typeof data !== 'object' || data === null || !('Butler' in data))
    throw new ConfigError(source, [
      'Butler: is required (a Butler config file has every setting under a top-level `Butler:` key)',
    ]);
  const result = butlerFileSchema.safeParse(data);
  if (!result.success) throw new ConfigError(source, formatIssues(result.error, data));
  return result.data.Butler;
}
