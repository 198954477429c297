/**
 * YAML text to plain data, with every YAML problem a configuration error that names the file:
 * syntax errors, unresolved tags, explicit tags of any kind (a configuration needs none: `!!binary`
 * or `!!set` would hand the schema a Buffer or a Set), aliases to missing anchors, and alias bombs
 * (a few lines that expand to millions of nodes), and a `%YAML 1.1` directive (under which
 * `dryRun: off` is the boolean false). Anchors and aliases themselves are allowed, up to a small
 * count.
 */
import { readFileSync } from 'node:fs';
import { isNode, parseDocument, visit, type YAMLError } from 'yaml';
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
    prettyErrors: false,
    uniqueKeys: options.uniqueKeys ?? true,
  });
  const problems = syntaxProblems(text, [...document.errors, ...document.warnings]);
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

/**
 * YAML's errors with a line an editor can jump to: one per line (the first; the rest follow from
 * it), the position said once, no dangling colon. An unclosed quote is reported where it opens,
 * not at the end of the file where the parser gave up.
 */
function syntaxProblems(text: string, errors: readonly YAMLError[]): string[] {
  const seen = new Set<number>();
  const problems: string[] = [];
  for (const error of errors) {
    const message =
      error.message.replace(/ at line \d+, column \d+:?\s*$/s, '').split('\n')[0] ?? '';
    const quote = error.code === 'MISSING_CHAR' ? /(["'])quote/.exec(message)?.[1] : undefined;
    const opened = quote ? unclosedQuote(text, quote) : undefined;
    // The parser's other complaints about an unclosed quote only follow from it.
    if (opened)
      return [
        `YAML line ${opened.line}, column ${opened.column}: this ${quote} quote is never closed (add the closing ${quote})`,
      ];
    const at = position(text, error.pos[0]);
    if (seen.has(at.line)) continue;
    seen.add(at.line);
    const where = at.line > 0 ? ` line ${at.line}, column ${at.column}` : '';
    problems.push(`YAML${where}: ${message.replace(/:$/, '')}`);
  }
  return problems;
}

/** Line and column (1-based) of an offset; the end of the file is its last line, not one more. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.min(offset, text.trimEnd().length));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/** Where the quote left open at the end of the file was opened (1-based line and column). */
function unclosedQuote(text: string, quote: string): { line: number; column: number } | undefined {
  let open: { line: number; column: number } | undefined;
  let lineNumber = 1;
  let column = 0;
  let inComment = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    column++;
    if (char === '\n') {
      lineNumber++;
      column = 0;
      inComment = false;
      continue;
    }
    if (inComment) continue;
    if (!open && char === '#' && (index === 0 || /\s/.test(text[index - 1] ?? ' '))) {
      inComment = true;
      continue;
    }
    if (open && quote === '"' && char === '\\') {
      index++;
      column++;
      continue;
    }
    if (char !== quote) continue;
    if (open && quote === "'" && text[index + 1] === "'") {
      index++;
      column++;
      continue;
    }
    open = open ? undefined : { line: lineNumber, column };
  }
  return open;
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
