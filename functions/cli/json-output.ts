/**
 * `--json` written as it is produced (docs/release.md, "Memory"): the document goes out in
 * pieces of about 64 kB, each list item stringified on its own, so 100,000 candidates never make
 * one string of the whole document. The bytes are exactly those of
 * `JSON.stringify(document, null, 2)` followed by a newline, so the output stays one JSON
 * document of the same shape.
 */

/** How many levels are written piece by piece; deeper values are stringified whole. */
const STREAMED_DEPTH = 4;
const CHUNK_CHARS = 64 * 1024;
const INDENT = '  ';

/** Pieces of `JSON.stringify(value, null, 2)`, in order; list items and members one by one. */
export function* jsonPieces(value: unknown, depth = 0): Generator<string> {
  const plain = toPlain(value);
  if (depth >= STREAMED_DEPTH || plain === null || typeof plain !== 'object') {
    yield indented(JSON.stringify(plain, null, 2), depth);
    return;
  }
  const inner = INDENT.repeat(depth + 1);
  const outer = INDENT.repeat(depth);
  if (Array.isArray(plain)) {
    if (plain.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (const [index, item] of plain.entries()) {
      yield `${index === 0 ? '' : ','}\n${inner}`;
      const member = toPlain(item);
      // JSON.stringify writes what cannot be JSON (undefined, a function) as null in a list.
      yield* jsonPieces(isSkipped(member) ? null : member, depth + 1);
    }
    yield `\n${outer}]`;
    return;
  }
  const entries = Object.entries(plain).filter(([, member]) => !isSkipped(toPlain(member)));
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  yield '{';
  for (const [index, [key, member]] of entries.entries()) {
    yield `${index === 0 ? '' : ','}\n${inner}${JSON.stringify(key)}: `;
    yield* jsonPieces(member, depth + 1);
  }
  yield `\n${outer}}`;
}

/**
 * Writes `document` and a newline through `write` in pieces of about 64 kB, waiting for `drained`
 * (stdout's backpressure) between them, so a slow reader does not make the process queue it all.
 */
export async function writeJsonDocument(
  document: unknown,
  write: (text: string) => void,
  drained: () => Promise<void> = async () => {},
): Promise<void> {
  let buffer = '';
  for (const piece of jsonPieces(document)) {
    buffer += piece;
    if (buffer.length >= CHUNK_CHARS) {
      write(buffer);
      buffer = '';
      await drained();
    }
  }
  write(`${buffer}\n`);
  await drained();
}

/** A value's `toJSON` applied first, as JSON.stringify does (a Date becomes its ISO text). */
function toPlain(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'toJSON' in value) {
    const toJSON = (value as { toJSON: unknown }).toJSON;
    if (typeof toJSON === 'function') return toJSON.call(value);
  }
  return value;
}

/** What JSON.stringify leaves out of an object (and writes as null in a list). */
function isSkipped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** A stringified value placed `depth` levels deep: its inner lines indented to match. */
function indented(text: string | undefined, depth: number): string {
  // JSON text has no raw newline inside a string, so every newline is a line break.
  const json = text ?? 'null';
  return depth === 0 ? json : json.replaceAll('\n', `\n${INDENT.repeat(depth)}`);
}
