/**
 * YAML text to plain data, with every YAML problem a configuration error that names the file:
 * syntax errors, unresolved tags, explicit tags of any kind (a configuration needs none: `!!binary`
 * or `!!set` would hand the schema a Buffer or a Set), aliases to missing anchors, and alias bombs
 * (a few lines that expand to millions of nodes), and a `%YAML 1.1` directive (under which
 * `dryRun: off` is the boolean false). Anchors and aliases themselves are allowed, up to a small
 * count.
 */
import { readFileSync } from 'node:fs';
import { isNode, parseDocument, visit } from 'yaml';
import { ConfigError } from './errors.ts';

/** Aliases a configuration may use; far more than a real one needs, far fewer than a bomb. */
export const MAX_YAML_ALIASES = 50;

/**
 * @param options.uniqueKeys false for files whose own tool lets a repeated key win (Butler's).
 */
export function parseYaml(
  text: string,
  source: string,
  options: { uniqueKeys?: boolean } = {},
): unknown {
  const document = parseDocument(text, {
    prettyErrors: true,
    uniqueKeys: options.uniqueKeys ?? true,
  });
  const problems = [...document.errors, ...document.warnings].map(
    (error) =>
      `YAML ${error.linePos?.[0] ? `line ${error.linePos[0].line}` : ''}: ${error.message.split('\n')[0]}`,
  );
  // YAML 1.1 reads yes/no/on/off as booleans: `dryRun: off` would turn a dry run into a release.
  if (document.directives?.yaml.explicit && document.directives.yaml.version !== '1.2')
    problems.push(
      `YAML line 1: the %YAML ${document.directives.yaml.version} directive is not allowed: a configuration is YAML 1.2 (in YAML 1.1, yes/no/on/off are booleans); remove the directive`,
    );
  visit(document, {
    Node(_key, node) {
      if (isNode(node) && node.tag)
        problems.push(
          `YAML${line(text, node.range?.[0])}: the tag ${node.tag} is not allowed in a configuration (write the plain value; quote it to make it text)`,
        );
    },
  });
  if (problems.length > 0) throw new ConfigError(source, problems);
  try {
    // The library counts the anchored node too: one more, so exactly MAX_YAML_ALIASES uses pass.
    return document.toJS({ maxAliasCount: MAX_YAML_ALIASES + 1 }) ?? {};
  } catch (error) {
    const message = (error as Error).message;
    throw new ConfigError(source, [
      /excessive alias count/i.test(message)
        ? `YAML: aliases expand to too many nodes (more than ${MAX_YAML_ALIASES} alias uses, or aliases of aliases): refused as a resource exhaustion risk`
        : `YAML: ${message}`,
    ]);
  }
}

function line(text: string, offset: number | undefined): string {
  if (offset === undefined) return '';
  return ` line ${text.slice(0, offset).split('\n').length}`;
}

/** A file's text, or a ConfigError naming the file and why it cannot be read. */
export function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [
      `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    ]);
  }
}
