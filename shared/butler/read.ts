/**
 * Reads a Butler config file: YAML, then the layout the importer needs (butler-schema.ts). Every
 * problem is a ConfigError naming Butler's key (`Butler.configQRS.host: is required`), exit 2.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from '../config/errors.ts';
import { formatIssues } from '../config/issues.ts';
import { type Butler, butlerFileSchema } from './butler-schema.ts';

export function readButlerConfig(file: string): Butler {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [
      `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    ]);
  }
  return parseButlerConfig(text, file);
}

export function parseButlerConfig(text: string, source: string): Butler {
  // Butler's own files repeat keys now and then; the last one wins there, so it does here.
  const document = parseDocument(text, { uniqueKeys: false });
  if (document.errors.length > 0)
    throw new ConfigError(
      source,
      document.errors.map(
        (error) =>
          `YAML ${error.linePos?.[0] ? `line ${error.linePos[0].line}` : ''}: ${error.message.split('\n')[0]}`,
      ),
    );
  const data: unknown = document.toJS();
  if (typeof data !== 'object' || data === null || !('Butler' in data))
    throw new ConfigError(source, [
      'Butler: is required (a Butler config file has every setting under a top-level `Butler:` key)',
    ]);
  const result = butlerFileSchema.safeParse(data);
  if (!result.success) throw new ConfigError(source, formatIssues(result.error));
  return result.data.Butler;
}
