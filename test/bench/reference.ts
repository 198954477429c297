/**
 * The same release plan done the reference way (Butler's `qlikSenseLicense.licenseRelease`), over
 * the same QRS client and simulator: the lists one after the other, one `GET /qrs/user/{id}` per
 * allocation past the threshold, then one DELETE at a time.
 *
 * Kinder to the reference than Butler itself: Butler reads the user of every non-quarantined
 * allocation the list returns (active and `user`/`userDirectory`-protected ones too); this reads
 * only those the planner's first stage left eligible. The plan is made by the product's own
 * planner, so both runs release exactly the same allocations (`run.ts` checks the hash).
 */
import { inactiveFilter } from '#shared/licensing/release/fetch.ts';
import {
  planRelease,
  type ReleasePlan,
  type ReleasePolicy,
  screenAllocations,
} from '#shared/licensing/release/planner.ts';
import type { Allocation, LicenseType } from '#shared/qrs/allocation.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import { QrsHttpError } from '#shared/qrs/errors.ts';
import type { QrsUser } from '#shared/qrs/schemas.ts';
import type { PhaseResult } from './protocol.ts';

export interface ReferenceRun {
  allocationsRead: number;
  plan: ReleasePlan;
  released: number;
  failed: number;
  phases: { plan: PhaseResult; delete: PhaseResult };
}

export async function referenceRelease(
  qrs: QrsClient,
  policy: ReleasePolicy,
  now: Date,
  dryRun: boolean,
): Promise<ReferenceRun> {
  const phase = startPhase(qrs);
  const allocations: Allocation[] = [];
  for (const [type, days] of Object.entries(policy.thresholdDays) as Array<[LicenseType, number]>)
    allocations.push(...(await qrs.listAllocations(type, inactiveFilter(days, now))).allocations);

  const users = new Map<string, QrsUser>();
  if (policy.rules.needsUserRecord) {
    for (const { userRecordId } of screenAllocations(allocations, policy, now).eligible) {
      if (users.has(userRecordId)) continue;
      try {
        // One GET per user, as Butler does (`/qrs/user/{id}` and a one-id filter cost the same).
        const [user] = await qrs.getUsersByFilter(`id eq ${userRecordId}`);
        if (!user) throw new QrsHttpError(404, 'GET', '/user/full', 'not found');
        users.set(userRecordId, user);
      } catch (error) {
        // A user that is gone is doubt for the planner (kept); anything else stops, as in Butler.
        if (!(error instanceof QrsHttpError && error.status === 404)) throw error;
      }
    }
  }
  const plan = planRelease({ allocations, policy, now, users });
  const planPhase = phase.end();

  const deletes = startPhase(qrs);
  let released = 0;
  let failed = 0;
  if (!dryRun) {
    for (const item of plan.candidates) {
      try {
        await qrs.deleteAllocation(item.licenseType, item.accessTypeId);
        released++;
      } catch {
        failed++;
      }
    }
  }
  return {
    allocationsRead: allocations.length,
    plan,
    released,
    failed,
    phases: { plan: planPhase, delete: deletes.end() },
  };
}

function startPhase(qrs: QrsClient): { end(): PhaseResult } {
  const started = performance.now();
  const { requests, bytesReceived } = qrs.stats;
  return {
    end: () => ({
      wallMs: performance.now() - started,
      requests: qrs.stats.requests - requests,
      bytesReceived: qrs.stats.bytesReceived - bytesReceived,
    }),
  };
}
