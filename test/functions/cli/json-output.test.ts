/**
 * `--json` is written in pieces as it is produced (functions/cli/json-output.ts), and the bytes
 * are exactly those of `JSON.stringify(document, null, 2)` plus a newline: the same one document.
 */
import { describe, expect, it } from 'vitest';
import { jsonPieces, writeJsonDocument } from '#functions/cli/json-output.ts';

function item(index: number) {
  return {
    accessTypeId: `0f0e2a4c-1f2b-4c3d-9e8f-${String(index).padStart(12, '0')}`,
    licenseType: index % 2 ? 'analyzer' : 'professional',
    userDirectory: 'LAB',
    userId: `user "${index}" åäö \\ \u2028`,
    lastActivity: index % 7 ? '2026-01-01T00:00:00.000Z' : null,
    inactiveDays: index % 7 ? 300 : null,
    ...(index % 3 ? { reason: 'cap', detail: 'maxReleasesPerRun 50 reached\nnext run' } : {}),
    missing: undefined,
  };
}

const documents: Array<[string, unknown]> = [
  ['no sites', { sites: [] }],
  [
    'a failed site with empty lists',
    {
      sites: [
        {
          site: 'prod',
          dryRun: true,
          evaluatedAt: new Date('2026-12-07T10:00:00Z'),
          candidates: [],
          kept: [],
          released: [],
          failed: [],
          error: 'QRS GET /license answered HTTP 503',
          rules: { neverRelease: { tag: [], user: [{ userDir: 'A', userId: 'b' }] }, empty: {} },
          skip: () => 1,
        },
      ],
    },
  ],
  [
    'two sites of thousands of items',
    {
      sites: [
        {
          site: 'big',
          dryRun: true,
          candidates: Array.from({ length: 3_000 }, (_, index) => item(index)),
          kept: Array.from({ length: 5_000 }, (_, index) => item(index + 3_000)),
          released: [],
          nested: [[], [1, [2, { a: [] }]], [undefined, null]],
        },
        { site: 'small', dryRun: false, candidates: [item(1)], kept: [], released: [item(2)] },
      ],
    },
  ],
];

describe('the --json document written in pieces', () => {
  it.each(documents)('%s: the same bytes as JSON.stringify(document, null, 2)', async (_, doc) => {
    let written = '';

    await writeJsonDocument(doc, (text) => {
      written += text;
    });

    expect(written).toBe(`${JSON.stringify(doc, null, 2)}\n`);
  });

  it('never holds the whole document: pieces of about 64 kB, stdout drained between them', async () => {
    const doc = documents[2]?.[1];
    const chunks: number[] = [];
    let drains = 0;

    await writeJsonDocument(
      doc,
      (text) => chunks.push(text.length),
      async () => {
        drains++;
      },
    );

    const total = chunks.reduce((sum, length) => sum + length, 0);
    expect(total).toBe(JSON.stringify(doc, null, 2).length + 1);
    expect(chunks.length).toBeGreaterThan(20);
    expect(Math.max(...chunks)).toBeLessThan(64 * 1024 + 1_000);
    expect(drains).toBe(chunks.length);
  });

  it('hands over list items one by one', () => {
    const pieces = [...jsonPieces({ sites: [{ kept: [item(1), item(2), item(3)] }] })];
    const withItems = pieces.filter((piece) => piece.includes('"accessTypeId"'));

    expect(withItems).toHaveLength(3);
  });
});
