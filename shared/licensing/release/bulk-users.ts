/**
 * The bulk user read. When a plan needs many user records (a first clean-up of a large site, a
 * high cap, a dry run with the cap raised), reading every user of the site in a few pages of
 * `POST /qrs/user/table`, with only the columns the rules read, takes fewer requests than 50-id
 * batches: 50,000 users are 5 pages, where 40,000 needed records are 800 batches. Decided in
 * numbers: the site's user count (one request) against the batches the plan would send; the usual
 * run (a handful of batches) never asks.
 *
 * Never less safe: the records are judged by the same rules, and a user the pages did not bring
 * (removed meanwhile, a row that does not fit the schema) is doubt, kept.
 *
 * Memory (docs/release.md, "Memory"): a page is read as it arrives and keeps only the rows of the
 * users the plan needs; pages are read one after another, so one is done before the next starts.
 */
import pLimit from 'p-limit';
import type { QrsClient } from '#shared/qrs/client.ts';
import { QrsHttpError, QrsResponseError } from '#shared/qrs/errors.ts';
import type { QrsUser } from '#shared/qrs/schemas.ts';
import {
  type UserColumns,
  type UsersFromTable,
  usersFromTable,
  userTableDefinition,
} from '#shared/qrs/user-table.ts';

export type BulkUserQrs = Pick<QrsClient, 'countUsers' | 'getUserTable'>;

/** Rows per page: about 100 bytes each with the rules' columns, so about 1 MB a page. */
export const DEFAULT_USER_PAGE_SIZE = 10_000;
/** Up to this many id batches the user count is not even asked: the usual run (cap 50). */
export const BULK_MIN_ID_REQUESTS = 4;

export interface BulkOptions {
  /** Id batches the plan would send otherwise (at least). */
  idRequests: number;
  pageSize?: number;
  /** Pages in flight at once (default 1: each page is done before the next is read). */
  concurrency?: number;
  warn?: (message: string, extra?: Record<string, unknown>) => void;
}

export interface BulkRead {
  users: Map<string, QrsUser>;
  /** User id → why its row could not be used (doubt). */
  unusable: Map<string, string>;
}

/**
 * The records of `ids` read in pages, or `undefined` when batches are cheaper or QRS did not
 * answer the table request as a table (then the caller reads id batches, as before).
 */
export async function readUsersInBulk(
  qrs: BulkUserQrs,
  columns: UserColumns,
  ids: readonly string[],
  options: BulkOptions,
): Promise<BulkRead | undefined> {
  if (options.idRequests <= BULK_MIN_ID_REQUESTS) return undefined;
  const pageSize = Math.max(1, options.pageSize ?? DEFAULT_USER_PAGE_SIZE);
  const wanted = new Set(ids.map((id) => id.toLowerCase()));
  const definition = userTableDefinition(columns);
  const found: UsersFromTable = { users: new Map(), invalid: [] };
  const readPage = async (index: number): Promise<void> => {
    const table = await qrs.getUserTable(
      definition,
      { skip: index * pageSize, take: pageSize },
      { keepRow: (id) => wanted.has(id.toLowerCase()) },
    );
    usersFromTable(table, wanted, found);
  };
  try {
    const pages = Math.max(1, Math.ceil((await qrs.countUsers()) / pageSize));
    if (pages >= options.idRequests) return undefined;
    // A user pushed past the last page by users added since the count is not read: doubt, kept.
    const limit = pLimit(Math.max(1, options.concurrency ?? 1));
    await Promise.all(Array.from({ length: pages }, (_, index) => limit(() => readPage(index))));
  } catch (error) {
    if (!(error instanceof QrsHttpError || error instanceof QrsResponseError)) throw error;
    options.warn?.('QRS did not answer the user table request; reading users by id instead', {
      error: error.message,
    });
    return undefined;
  }
  const unusable = new Map<string, string>();
  for (const entry of found.invalid) if (entry.id) unusable.set(entry.id, entry.problem);
  return { users: found.users, unusable };
}
