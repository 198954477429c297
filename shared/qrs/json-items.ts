/**
 * The items of a top-level JSON array read as the bytes arrive, parsed by `JSON.parse` a run of
 * whole items at a time (docs/release.md, "Memory": why not the token parser for these). The
 * bytes are only scanned for where the items end: a comma or the closing bracket outside any
 * string and any nested value. Everything inside an item, and the commas between the items of a
 * run, is checked by `JSON.parse`; the scan checks the rest (the opening bracket, no empty item,
 * no trailing comma, nothing after the end). A run never holds more than one chunk and the item
 * it ends in, so memory stays that of the items the caller keeps.
 */
import { JsonBodyError, type JsonStreamRead } from './json-stream.ts';

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const isSpace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** Calls `onItem` for each item of the array, in order; resolves when the array has ended. */
export async function readJsonArrayItems(
  body: AsyncIterable<Uint8Array | string>,
  onItem: (item: unknown, index: number) => void,
): Promise<JsonStreamRead> {
  let bytes = 0;
  let started = false;
  let ended = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let index = 0;
  let commas = 0;
  // Bytes not yet parsed, from earlier chunks: the start of the current run of items.
  let pending: Buffer[] = [];

  /** Parses `text` (items and the commas between them) and hands the items over. */
  const emit = (text: string, endsWithComma: boolean): void => {
    let items: unknown[];
    try {
      items = JSON.parse(`[${text}]`) as unknown[];
    } catch (error) {
      throw new JsonBodyError(
        `body is not valid JSON (${(error as Error).message}; ${bytes} bytes read)`,
      );
    }
    // `[1,,2]` leaves an empty run between two commas, `[1,]` one before the bracket.
    if (items.length === 0 && (endsWithComma || commas > 0))
      throw new JsonBodyError(`body is not valid JSON (an empty item; ${bytes} bytes read)`);
    for (const item of items) onItem(item, index++);
  };

  for await (const piece of body) {
    const chunk =
      typeof piece === 'string'
        ? Buffer.from(piece)
        : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    bytes += chunk.byteLength;
    let at = 0;
    if (ended) {
      if (/\S/.test(chunk.toString()))
        throw new JsonBodyError('body is not valid JSON (data after the end of the document)');
      continue;
    }
    if (!started) {
      while (at < chunk.length && isSpace(chunk[at] as number)) at++;
      if (at === chunk.length) continue;
      const first = chunk[at] as number;
      if (first !== OPEN_BRACKET) throw notAnArray(first, bytes);
      started = true;
      depth = 1;
      at++;
    }
    // The run of items so far: the pending pieces, then this chunk from `runStart`.
    let runStart = at;
    const runText = (end: number) => {
      const text = Buffer.concat([...pending, chunk.subarray(runStart, end)]).toString('utf8');
      pending = [];
      return text;
    };
    // The last comma at the top level in this chunk: the run up to it is whole items.
    let cut = -1;
    for (; at < chunk.length; at++) {
      const byte = chunk[at] as number;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) inString = false;
        continue;
      }
      if (byte === QUOTE) inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) {
          if (byte !== CLOSE_BRACKET)
            throw new JsonBodyError(
              `body is not valid JSON (the array closed by "}"; ${bytes} bytes read)`,
            );
          if (cut >= 0) {
            emit(runText(cut), true);
            runStart = cut + 1;
          }
          emit(runText(at), false);
          ended = true;
          if (/\S/.test(chunk.toString('utf8', at + 1)))
            throw new JsonBodyError('body is not valid JSON (data after the end of the document)');
          break;
        }
      } else if (byte === COMMA && depth === 1) {
        cut = at;
        commas++;
      }
    }
    // Read on: only whitespace may follow the document.
    if (ended) continue;
    if (cut >= 0) {
      emit(runText(cut), true);
      runStart = cut + 1;
    }
    if (runStart < chunk.length) pending.push(chunk.subarray(runStart));
  }
  if (!ended)
    throw new JsonBodyError(
      bytes === 0
        ? 'body is not valid JSON (it is empty)'
        : `body is not valid JSON (it ended mid-document after ${bytes} bytes: truncated or not QRS?)`,
    );
  return { bytes, topLevelKeys: new Set() };
}

function notAnArray(first: number, bytes: number): JsonBodyError {
  const kind =
    first === OPEN_BRACE
      ? 'an object'
      : first === QUOTE
        ? 'a string'
        : first === 0x2d || (first >= 0x30 && first <= 0x39)
          ? 'a number'
          : first === 0x6e
            ? 'null'
            : first === 0x74 || first === 0x66
              ? 'a value of another kind'
              : undefined;
  return new JsonBodyError(
    kind
      ? `expected a JSON array, got ${kind}`
      : `body is not valid JSON (unexpected "${String.fromCharCode(first)}" at the start; ${bytes} bytes read)`,
  );
}
