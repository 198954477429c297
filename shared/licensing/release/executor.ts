/**
 * Sends the DELETEs of a plan: a few at a time (QRS is a shared production service), each one on
 * its own (a failure never stops the others), and no new one once `shouldStop()` says the time
 * is up (the Lambda's remaining time): those are reported as deferred for the next run.
 */
import pLimit from 'p-limit';
import type { QrsClient } from '#shared/qrs/client.ts';
import type { FailedItem, ReleasedItem, ReleaseItem } from './types.ts';

export type DeleteQrs = Pick<QrsClient, 'deleteAllocation'>;

export type ReleaseOutcome =
  | { kind: 'released'; item: ReleasedItem; at: Date }
  | { kind: 'failed'; item: FailedItem; at: Date };

export interface ExecuteOptions {
  concurrency: number;
  /** Checked before each DELETE is started; true = start no more. */
  shouldStop?: () => boolean;
  /** Every DELETE and its retries end by then (ms since epoch): the Lambda's end less a margin. */
  deadlineAt?: () => number;
  /** Called as soon as each DELETE has an answer (the audit log line is written here, first). */
  onOutcome?: (outcome: ReleaseOutcome) => void;
  now?: () => Date;
}

export interface ExecutionResult {
  released: ReleasedItem[];
  failed: FailedItem[];
  deferred: ReleaseItem[];
}

export async function executeReleases(
  qrs: DeleteQrs,
  candidates: readonly ReleaseItem[],
  options: ExecuteOptions,
): Promise<ExecutionResult> {
  const limit = pLimit(Math.max(1, options.concurrency));
  const now = options.now ?? (() => new Date());
  const outcomes = await Promise.all(
    candidates.map((item) =>
      limit(async (): Promise<ReleaseOutcome | { kind: 'deferred'; item: ReleaseItem }> => {
        if (stopRequested(options.shouldStop)) return { kind: 'deferred', item };
        const outcome = await releaseOne(qrs, item, now, options.deadlineAt);
        try {
          options.onOutcome?.(outcome);
        } catch {
          // The outcome is in the result either way; a broken callback must not hide it.
        }
        return outcome;
      }),
    ),
  );
  // Results keep the plan's order (longest-inactive first), whatever order the answers came in.
  const result: ExecutionResult = { released: [], failed: [], deferred: [] };
  for (const outcome of outcomes) {
    if (outcome.kind === 'released') result.released.push(outcome.item);
    else if (outcome.kind === 'failed') result.failed.push(outcome.item);
    else result.deferred.push(outcome.item);
  }
  return result;
}

/** A `shouldStop` that throws says "stop" too: once a DELETE was sent, the run must not throw. */
function stopRequested(shouldStop: (() => boolean) | undefined): boolean {
  try {
    return shouldStop?.() === true;
  } catch {
    return true;
  }
}

async function releaseOne(
  qrs: DeleteQrs,
  item: ReleaseItem,
  now: () => Date,
  deadlineAt: (() => number) | undefined,
): Promise<ReleaseOutcome> {
  try {
    const answer = await qrs.deleteAllocation(
      item.licenseType,
      item.accessTypeId,
      deadlineAt === undefined ? {} : { deadlineAt: deadlineAt() },
    );
    // 204 also when QRS quarantines a recently used allocation: it is released for this run.
    const released: ReleasedItem =
      answer.outcome === 'alreadyGone' ? { ...item, alreadyGone: true } : { ...item };
    return { kind: 'released', item: released, at: now() };
  } catch (error) {
    return { kind: 'failed', item: { ...item, error: errorMessage(error) }, at: now() };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
