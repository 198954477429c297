/** The stream reading on its own (shared/qrs/json-stream.ts): any chunking gives the same values. */
import { describe, expect, it } from 'vitest';
import { JsonBodyError, readJsonStream } from '#shared/qrs/json-stream.ts';

async function* chunks(bytes: Buffer, size: number) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function items(bytes: Buffer, size: number) {
  const found: unknown[] = [];
  const read = await readJsonStream(chunks(bytes, size), {
    root: 'array',
    paths: ['$.*'],
    onValue: (value) => found.push(value),
  });
  return { found, read };
}

describe('readJsonStream', () => {
  const document = [
    { userId: 'åsa.öberg', name: 'Åsa 😀 “Öberg”', escaped: 'a\\"b\n\u00e9' },
    { long: 'x'.repeat(100_000), n: -1.5e3, flags: [true, false, null] },
    {},
  ];
  const bytes = Buffer.from(`  ${JSON.stringify(document)}\n`);

  it.each([1, 3, 7, 4096, 1_000_000])(
    'gives every item whole in chunks of %i bytes',
    async (size) => {
      const { found, read } = await items(bytes, size);

      expect(found).toEqual(document);
      expect(read.bytes).toBe(bytes.length);
    },
  );

  it('names the top-level keys of an object, an empty list included', async () => {
    const body = Buffer.from('{"columnNames":["id"],"rows":[],"nested":{"rows2":1}}');

    const read = await readJsonStream(chunks(body, 5), {
      root: 'object',
      paths: ['$.rows.*'],
      onValue: () => {},
    });

    expect([...read.topLevelKeys]).toEqual(['columnNames', 'rows', 'nested']);
  });

  it('refuses a document cut in a multi-byte character', async () => {
    const cut = bytes.subarray(0, bytes.indexOf(Buffer.from('😀')) + 2);

    await expect(items(cut, 3)).rejects.toThrow(JsonBodyError);
  });

  it.each([1, 2, 5])(
    'keeps brackets, braces, commas and escaped quotes inside strings (chunks of %i bytes)',
    async (size) => {
      const tricky = [{ a: '],}{[,"\\' }, ['x,]', { b: '\\"' }], 'y', 0];

      const { found } = await items(Buffer.from(JSON.stringify(tricky)), size);

      expect(found).toEqual(tricky);
    },
  );

  it.each([
    ['a trailing comma', '[1,2,]'],
    ['an empty item', '[1,,2]'],
    ['an empty item across chunks', '[1, , 2]'],
    ['a leading comma', '[,1]'],
    ['two items without a comma', '[{"a":1}{"b":2}]'],
    ['data after the end', '[1]   x'],
    ['a second document', '[1] [2]'],
    ['a closing brace for the array', '[{"a":1}}'],
  ])('refuses %s in any chunking', async (_, text) => {
    for (const size of [1, 2, 3, 100])
      await expect(items(Buffer.from(text), size)).rejects.toThrow(JsonBodyError);
  });
});
