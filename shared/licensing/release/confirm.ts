/**
 * The last look before a real release (docs/release.md, "Releasing"): the users of the final
 * DELETE set are read again, 50 ids per `GET /qrs/user/full` request, and judged again by the
 * same rules. Whatever read made the plan (the bulk table, id batches, a reviewed plan), no
 * DELETE rests on it alone: a user whose record now says "protected", or whose record cannot be
 * read, keeps the allocation, with the reason.
 */
import type { QrsClient } from '#shared/qrs/client.ts';
import { isGuid } from '#shared/qrs/filter.ts';
import type { QrsUser } from '#shared/qrs/schemas.ts';
import { candidateKey } from './fetch.ts';
import { type ProtectionRules, sameName } from './rules.ts';
import type { KeptItem, ReleaseItem } from './types.ts';

export type ConfirmQrs = Pick<QrsClient, 'getUsersByIds'>;

const PREFIX = 're-read before the DELETE';

export interface Confirmation {
  candidates: ReleaseItem[];
  /** Candidates the re-read kept, with the reason. */
  kept: KeptItem[];
}

export async function confirmCandidates(
  qrs: ConfirmQrs,
  candidates: readonly ReleaseItem[],
  candidateUsers: ReadonlyMap<string, string>,
  rules: ProtectionRules,
  options: { concurrency?: number } = {},
): Promise<Confirmation> {
  const ids = [...new Set(candidates.map((item) => candidateUsers.get(candidateKey(item))))].filter(
    (id): id is string => id !== undefined && isGuid(id),
  );
  const { users, invalid } =
    ids.length === 0
      ? { users: new Map<string, QrsUser>(), invalid: [] }
      : await qrs.getUsersByIds(
          ids,
          options.concurrency ? { concurrency: options.concurrency } : {},
        );
  const byId = new Map<string, QrsUser>();
  for (const [id, user] of users) byId.set(id.toLowerCase(), user);
  const problems = new Map<string, string>();
  for (const entry of invalid) if (entry.id) problems.set(entry.id.toLowerCase(), entry.problem);

  const confirmed: Confirmation = { candidates: [], kept: [] };
  for (const item of candidates) {
    const id = candidateUsers.get(candidateKey(item));
    const record = id === undefined ? undefined : byId.get(id.toLowerCase());
    const keep = (reason: KeptItem['reason'], detail: string) =>
      confirmed.kept.push({ ...item, reason, detail: `${PREFIX}: ${detail}` });
    if (id === undefined || !isGuid(id)) {
      keep('no-user', 'the allocation names no user id to read: kept on doubt');
      continue;
    }
    if (!record) {
      const problem = problems.get(id.toLowerCase());
      keep(
        'no-user',
        problem
          ? `the user record ${id} is not usable (${problem}): kept on doubt`
          : `QRS returned no user record for ${id}: kept on doubt`,
      );
      continue;
    }
    if (!sameUser(item, record)) {
      keep(
        'no-user',
        `the user record ${id} names ${record.userDirectory}\\${record.userId}, the allocation ${item.userDirectory}\\${item.userId}: kept on doubt`,
      );
      continue;
    }
    const protection = rules.matchAllocationUser(record) ?? rules.matchUserRecord(record);
    if (protection) {
      keep(protection.reason, protection.detail ?? 'protected');
      continue;
    }
    confirmed.candidates.push(item);
  }
  return confirmed;
}

/** The allocation and the record must name one user (names compared as the rules compare them). */
function sameUser(item: ReleaseItem, record: QrsUser): boolean {
  return (
    item.userDirectory !== null &&
    item.userId !== null &&
    sameName(item.userDirectory, record.userDirectory) &&
    sameName(item.userId, record.userId)
  );
}
