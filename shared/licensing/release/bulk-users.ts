/**
 * The bulk user read. When a plan needs many user records (a first clean-up of a large site, a
 * high cap, a dry run with the cap raised), reading every user of the site in a few pages of
 * `POST /qrs/user/table`, with only the columns the rules read, takes fewer requests than 50-id
 * batches: 50,000 users are 5 pages, where 40,000 needed records are 800 batches. Decided in
 * numbers: the site's user count (one request) against the batches the plan would send; the usual
 * run (a handful of batches) never asks.
 *
 * Never less safe: the records are judged by the same rules, and a user the pages did not bring
 * (removed meanwhile, a row that does not fit the schema) is doubt, kept. The table is trusted
 * only when every List cell had a known form and the cross-check agrees (table-cross-check.ts);
 * otherwise the caller reads id batches, and a real release re-reads what it deletes anyway.
 *
 * Memory (docs/release.md, "Memory"): a page is read as it arrives and keeps only the rows of the
 * users the plan needs; the cross-check counts every row as it streams by. Two pages are in flight
 * at once (`DEFAULT_PAGE_CONCURRENCY`), never all of them.
 */
import pLimit from 'p-limit';
import type { QrsClient } from '#shared/qrs/client.ts';
import { QrsHttpError, QrsResponseError } from '#shared/qrs/errors.ts';
import type { QrsUser } from '#shared/qrs/schemas.ts';
import {
  type UsersFromTable,
  UserTableShapeError,
  usersFromTable,
  userTableDefinition,
} from '#shared/qrs/user-table.ts';
import type { RuleCounter } from './rule-counts.ts';
import type { ProtectionRules } from './rules.ts';
import { type PageTally, tableTally } from './table-cross-check.ts';

export type BulkUserQrs = Pick<QrsClient, 'countUsers' | 'getUserTable'>;

/** Rows per page: about 100 bytes each with the rules' columns, so about 1 MB a page. */
export const DEFAULT_USER_PAGE_SIZE = 10_000;
/** Up to this many id batches the user count is not even asked: the usual run (cap 50). */
export const BULK_MIN_ID_REQUESTS = 4;
/**
 * Pages in flight at once: while one page is parsed here, QRS builds the next. A page in flight
 * holds only the rows the plan needs (the others are dropped as they stream), so two cost little.
 */
export const DEFAULT_PAGE_CONCURRENCY = 2;

export interface BulkOptions {
  /** Id batches the plan would send otherwise (at least). */
  idRequests: number;
  /** The run's counts (shared with the rule check, so each is asked once). */
  counter: RuleCounter;
  pageSize?: number;
  /** Pages in flight at once (default `DEFAULT_PAGE_CONCURRENCY`). */
  concurrency?: number;
}

export interface BulkRead {
  users: Map<string, QrsUser>;
  /** User id → why its row could not be used (doubt). */
  unusable: Map<string, string>;
}

/**
 * `table`: the records, the table cross-checked; `batches`: id batches are cheaper (nothing to
 * say); `untrusted`: the table could not be used or trusted for this run, and why.
 */
export type BulkOutcome =
  | ({ kind: 'table' } & BulkRead)
  | { kind: 'batches' }
  | { kind: 'untrusted'; reason: string };

export async function readUsersInBulk(
  qrs: BulkUserQrs,
  rules: ProtectionRules,
  ids: readonly string[],
  options: BulkOptions,
): Promise<BulkOutcome> {
  if (options.idRequests <= BULK_MIN_ID_REQUESTS) return { kind: 'batches' };
  const pageSize = Math.max(1, options.pageSize ?? DEFAULT_USER_PAGE_SIZE);
  const wanted = new Set(ids.map((id) => id.toLowerCase()));
  const definition = userTableDefinition(rules.userColumns);
  const found: UsersFromTable = { users: new Map(), invalid: [] };
  const tally = tableTally(rules.source);
  const readPage = async (index: number): Promise<void> => {
    let counted: PageTally | undefined;
    // The cross-check counts every row as it streams; only the wanted rows are kept.
    const observeLists =
      tally.rules > 0
        ? () => {
            const page = tally.page();
            counted = page;
            return page.observe;
          }
        : undefined;
    const table = await qrs.getUserTable(
      definition,
      { skip: index * pageSize, take: pageSize },
      { keepRow: (id) => wanted.has(id.toLowerCase()), ...(observeLists ? { observeLists } : {}) },
    );
    counted?.commit();
    usersFromTable(table, wanted, found);
  };
  try {
    const pages = Math.max(1, Math.ceil((await qrs.countUsers()) / pageSize));
    // The cross-check's counts are part of the price: batches win a tie.
    if (pages + tally.rules >= options.idRequests) return { kind: 'batches' };
    // A user pushed past the last page by users added since the count is not read: doubt, kept.
    const limit = pLimit(Math.max(1, options.concurrency ?? DEFAULT_PAGE_CONCURRENCY));
    const read = Promise.all(
      Array.from({ length: pages }, (_, index) => limit(() => readPage(index))),
    );
    // QRS's own counts are asked while the pages are read; compared once every page is in.
    const disagreement = await tally.disagreement(options.counter, read);
    if (disagreement)
      return { kind: 'untrusted', reason: `the cross-check disagrees: ${disagreement}` };
  } catch (error) {
    if (error instanceof UserTableShapeError)
      return {
        kind: 'untrusted',
        reason: `QRS sent the user table in a form not known here: ${error.message}`,
      };
    if (!(error instanceof QrsHttpError || error instanceof QrsResponseError)) throw error;
    return {
      kind: 'untrusted',
      reason: `QRS did not answer the user table request: ${error.message}`,
    };
  }
  const unusable = new Map<string, string>();
  for (const entry of found.invalid) if (entry.id) unusable.set(entry.id, entry.problem);
  return { kind: 'table', users: found.users, unusable };
}
