/** The cross-check's tally (table-cross-check.ts): a page counts only once read whole. */
import { describe, expect, it } from 'vitest';
import type { NeverRelease } from '#shared/config/schema.ts';
import { RuleCounter } from '#shared/licensing/release/rule-counts.ts';
import { tableTally } from '#shared/licensing/release/table-cross-check.ts';

const rules = {
  user: [],
  tag: ['Keep'],
  customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }],
  userDirectory: [],
} as unknown as NeverRelease;

const tagged = { tags: [{ name: 'keep' }], customProperties: [] };
const property = {
  tags: [],
  customProperties: [{ value: 'do-not-release', definition: { name: 'LicenseManage' } }],
};

/** QRS counts one tagged user and one with the property. */
const counter = () => new RuleCounter({ countUsers: async (filter) => (filter ? 1 : 0) });

describe('tableTally', () => {
  it('counts a page once it is committed; an attempt cut short counts nothing', async () => {
    const tally = tableTally(rules);
    const cutShort = tally.page();
    cutShort.observe(tagged);
    const retried = tally.page();
    retried.observe(tagged);
    retried.observe(property);
    retried.observe({ tags: [], customProperties: [] });
    retried.commit();

    expect(await tally.disagreement(counter())).toBeUndefined();
  });

  it('compares only once the table is read, and names what differs', async () => {
    const tally = tableTally(rules);
    let finish = () => {};
    const tableRead = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const verdict = tally.disagreement(counter(), tableRead);
    const page = tally.page();
    page.observe(tagged);
    page.commit();
    finish();

    expect(await verdict).toBe(
      'customProperty LicenseManage=do-not-release: the table shows 0 users, QRS counts 1',
    );
  });

  it('throws the table read failure after the counts settle', async () => {
    const tally = tableTally(rules);

    await expect(
      tally.disagreement(counter(), Promise.reject(new Error('page 3 failed'))),
    ).rejects.toThrow('page 3 failed');
  });
});
