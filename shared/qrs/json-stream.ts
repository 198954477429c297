/**
 * A JSON body read as it arrives, so a large QRS answer (the allocation list of a site of
 * 200,000) never exists in memory as one text or one object graph: the parser hands over each
 * value at the paths asked for, the caller keeps what it needs, and the value is dropped.
 *
 * The parser is `@streamparser/json` (docs/release.md, "Memory": why this one); the items of a
 * top-level array go through json-items.ts instead (`JSON.parse` per run of items, far less CPU).
 * Anything that is not a complete JSON document of the expected kind is a `JsonBodyError`: invalid
 * JSON, a body that ends mid-document (truncated), a document whose top level is not the kind
 * asked for.
 */
import { JSONParser, TokenType } from '@streamparser/json';
import { readJsonArrayItems } from './json-items.ts';

export type JsonRootKind = 'array' | 'object';

export interface JsonStreamSpec {
  /** The top level the document must have. */
  root: JsonRootKind;
  /** Where the values to hand over are, as JSONPath: `$.*` (each item of the top array), `$.rows.*`. */
  paths: string[];
  /** Called once per value found at one of `paths`, in document order. */
  onValue: (value: unknown, at: { key: string | number | undefined; depth: number }) => void;
}

/** The body is not the complete JSON document expected. */
export class JsonBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonBodyError';
  }
}

export interface JsonStreamRead {
  bytes: number;
  /** The keys of the top-level object (an empty `rows: []` is there, a missing one is not). */
  topLevelKeys: Set<string>;
}

/** Feeds a byte stream through the parser; resolves when the document ends. */
export async function readJsonStream(
  body: AsyncIterable<Uint8Array | string>,
  spec: JsonStreamSpec,
): Promise<JsonStreamRead> {
  // Each item of a top-level array whole (the allocation lists): JSON.parse per run of items.
  if (spec.root === 'array' && spec.paths.length === 1 && spec.paths[0] === '$.*')
    return readJsonArrayItems(body, (item, index) => spec.onValue(item, { key: index, depth: 1 }));
  // A string buffer decodes each string once instead of concatenating pieces: ~12 % faster here.
  const parser = new JSONParser({
    paths: spec.paths,
    keepStack: false,
    stringBufferSize: 64 * 1024,
  });
  const topLevelKeys = new Set<string>();
  let root: TokenType | undefined;
  let failure: Error | undefined;
  let ended = false;
  let bytes = 0;
  // Nesting depth and the token before, to tell a top-level key from a value.
  let depth = 0;
  let previous: TokenType | undefined;
  parser.onToken = ({ token, value }) => {
    if (root === undefined) {
      root = token;
      const wanted = spec.root === 'array' ? TokenType.LEFT_BRACKET : TokenType.LEFT_BRACE;
      if (token !== wanted)
        throw new JsonBodyError(`expected a JSON ${spec.root}, got ${describeToken(token)}`);
    }
    if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) depth++;
    else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) depth--;
    else if (
      depth === 1 &&
      root === TokenType.LEFT_BRACE &&
      token === TokenType.STRING &&
      (previous === TokenType.LEFT_BRACE || previous === TokenType.COMMA)
    )
      topLevelKeys.add(String(value));
    if (depth <= 1) previous = token;
  };
  parser.onValue = ({ value, key, stack }) => spec.onValue(value, { key, depth: stack.length });
  parser.onError = (error) => {
    failure ??= error;
  };
  parser.onEnd = () => {
    ended = true;
  };
  for await (const chunk of body) {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (ended) {
      // Whitespace after the document is fine; anything else is not one JSON document.
      if (/\S/.test(chunk.toString())) failure ??= new Error('data after the end of the document');
    } else {
      try {
        parser.write(chunk);
      } catch (error) {
        failure ??= error as Error;
      }
    }
    if (failure) break;
  }
  if (failure)
    throw failure instanceof JsonBodyError
      ? failure
      : new JsonBodyError(`body is not valid JSON (${failure.message}; ${bytes} bytes read)`);
  if (!ended)
    throw new JsonBodyError(
      bytes === 0
        ? 'body is not valid JSON (it is empty)'
        : `body is not valid JSON (it ended mid-document after ${bytes} bytes: truncated or not QRS?)`,
    );
  return { bytes, topLevelKeys };
}

function describeToken(token: TokenType): string {
  switch (token) {
    case TokenType.LEFT_BRACE:
      return 'an object';
    case TokenType.LEFT_BRACKET:
      return 'an array';
    case TokenType.STRING:
      return 'a string';
    case TokenType.NUMBER:
      return 'a number';
    case TokenType.NULL:
      return 'null';
    default:
      return 'a value of another kind';
  }
}
