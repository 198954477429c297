/**
 * The QRS `?filter=` language as Qlik documents it: `eq ne gt ge lt le sw ew so`, `and`/`or`,
 * parentheses, strings and dates in single quotes (a quote doubled), bare GUIDs, numbers, true,
 * false, null. String comparison is case-insensitive. A property path may cross arrays
 * (`tags.name`, `customProperties.definition.name`): the comparison holds if any element matches.
 */

export type Predicate = (item: unknown) => boolean;

export class FilterSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

type Operator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'sw' | 'ew' | 'so';
const OPERATORS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'sw', 'ew', 'so']);

type Literal = { kind: 'string'; value: string } | { kind: 'bare'; value: string };

type Token =
  | { type: 'lparen' }
  | { type: 'rparen' }
  | { type: 'string'; value: string }
  | { type: 'word'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (/\s/.test(char)) {
      i++;
    } else if (char === '(') {
      tokens.push({ type: 'lparen' });
      i++;
    } else if (char === ')') {
      tokens.push({ type: 'rparen' });
      i++;
    } else if (char === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new FilterSyntaxError('unterminated string literal');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({ type: 'string', value });
    } else {
      let value = '';
      while (i < text.length && !/[\s()']/.test(text[i] as string)) value += text[i++];
      tokens.push({ type: 'word', value });
    }
  }
  return tokens;
}

const ID_TERM = /^id\s+eq\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * The GUIDs of a filter made only of `id eq <guid>` terms joined by `or` (lower-cased), else
 * `undefined`. QRS answers such a filter from its primary key; the simulator then skips
 * evaluating the whole expression against every record.
 */
export function idsOnlyFilter(text: string): Set<string> | undefined {
  const ids = new Set<string>();
  for (const term of text.trim().split(/\s+or\s+/i)) {
    const id = ID_TERM.exec(term.trim())?.[1];
    if (!id) return undefined;
    ids.add(id.toLowerCase());
  }
  return ids;
}

/** Parses a filter into a predicate; throws FilterSyntaxError (QRS answers 400) on bad syntax. */
export function parseFilter(text: string): Predicate {
  const tokens = tokenize(text);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const isWord = (token: Token | undefined, word: string): boolean =>
    token?.type === 'word' && token.value.toLowerCase() === word;

  const parseOr = (): Predicate => {
    const parts = [parseAnd()];
    while (isWord(peek(), 'or')) {
      position++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? (parts[0] as Predicate) : (item) => parts.some((p) => p(item));
  };
  const parseAnd = (): Predicate => {
    const parts = [parseUnary()];
    while (isWord(peek(), 'and')) {
      position++;
      parts.push(parseUnary());
    }
    return parts.length === 1 ? (parts[0] as Predicate) : (item) => parts.every((p) => p(item));
  };
  const parseUnary = (): Predicate => {
    if (isWord(peek(), 'not')) {
      position++;
      const inner = parseUnary();
      return (item) => !inner(item);
    }
    return parsePrimary();
  };
  const parsePrimary = (): Predicate => {
    const token = peek();
    if (token?.type === 'lparen') {
      position++;
      const inner = parseOr();
      if (peek()?.type !== 'rparen') throw new FilterSyntaxError('missing closing parenthesis');
      position++;
      return inner;
    }
    if (token?.type !== 'word') throw new FilterSyntaxError('expected a property name');
    position++;
    const operator = peek();
    if (operator?.type !== 'word' || !OPERATORS.has(operator.value.toLowerCase())) {
      throw new FilterSyntaxError(`expected an operator after ${token.value}`);
    }
    position++;
    const literalToken = peek();
    if (literalToken?.type !== 'string' && literalToken?.type !== 'word') {
      throw new FilterSyntaxError(`expected a value after ${token.value} ${operator.value}`);
    }
    position++;
    const literal: Literal =
      literalToken.type === 'string'
        ? { kind: 'string', value: literalToken.value }
        : { kind: 'bare', value: literalToken.value };
    return comparison(token.value.split('.'), operator.value.toLowerCase() as Operator, literal);
  };

  const predicate = parseOr();
  if (position !== tokens.length)
    throw new FilterSyntaxError('unexpected text after the expression');
  return predicate;
}

/** Every value at the end of a property path, flattening arrays on the way. */
function valuesAt(item: unknown, path: readonly string[]): unknown[] {
  let current: unknown[] = [item];
  for (const segment of path) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object') continue;
      const found = findProperty(value as Record<string, unknown>, segment);
      if (Array.isArray(found)) next.push(...found);
      else next.push(found);
    }
    current = next;
  }
  return current;
}

/** QRS property names are matched case-insensitively. */
function findProperty(record: Record<string, unknown>, name: string): unknown {
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(record)) if (key.toLowerCase() === lower) return record[key];
  return undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function comparison(path: string[], operator: Operator, literal: Literal): Predicate {
  return (item) => valuesAt(item, path).some((value) => compare(value, operator, literal));
}

function compare(value: unknown, operator: Operator, literal: Literal): boolean {
  if (literal.kind === 'bare') {
    const bare = literal.value.toLowerCase();
    if (bare === 'null')
      return operator === 'ne' ? value != null : operator === 'eq' && value == null;
    if (bare === 'true' || bare === 'false') {
      if (typeof value !== 'boolean') return operator === 'ne';
      return ordered(value === (bare === 'true') ? 0 : 1, operator);
    }
    if (typeof value === 'number' && Number.isFinite(Number(literal.value))) {
      return ordered(Math.sign(value - Number(literal.value)), operator);
    }
    // Bare GUIDs and other words compare as case-insensitive text.
    return compareText(value, operator, literal.value);
  }
  if (typeof value === 'string' && ISO_DATE.test(literal.value) && ISO_DATE.test(value)) {
    const left = Date.parse(value);
    const right = Date.parse(literal.value);
    if (Number.isFinite(left) && Number.isFinite(right) && !['sw', 'ew', 'so'].includes(operator)) {
      return ordered(Math.sign(left - right), operator);
    }
  }
  return compareText(value, operator, literal.value);
}

function compareText(value: unknown, operator: Operator, literal: string): boolean {
  if (value == null) return operator === 'ne';
  const left = String(value).toLowerCase();
  const right = literal.toLowerCase();
  switch (operator) {
    case 'sw':
      return left.startsWith(right);
    case 'ew':
      return left.endsWith(right);
    case 'so':
      return left.includes(right);
    default:
      return ordered(left < right ? -1 : left > right ? 1 : 0, operator);
  }
}

function ordered(sign: number, operator: Operator): boolean {
  switch (operator) {
    case 'eq':
      return sign === 0;
    case 'ne':
      return sign !== 0;
    case 'gt':
      return sign > 0;
    case 'ge':
      return sign >= 0;
    case 'lt':
      return sign < 0;
    case 'le':
      return sign <= 0;
    default:
      return false;
  }
}
