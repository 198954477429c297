/** Retry policy for QRS calls: bounded count, exponential backoff with full jitter. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 = no retry). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
};

/** Delay before retry number `attempt` (1-based): random in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * A `Retry-After` header as milliseconds (seconds or an HTTP date), capped by the policy so a
 * hostile or confused server cannot park a Lambda run.
 */
export function retryAfterMs(
  header: unknown,
  policy: RetryPolicy,
  now = Date.now(),
): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, ms), policy.maxDelayMs);
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** One attempt's result: final, or worth another try (with the server's `Retry-After`, if any). */
export type AttemptOutcome<T> =
  | { done: T }
  | { failed: unknown; retry?: { reason: string; retryAfter?: unknown } }
  | { answer: T; retry?: { reason: string; retryAfter?: unknown } };

export interface RetryRun {
  policy: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** No retry starts whose wait would end after this time (ms since epoch): a deadline. */
  deadlineAt?: number;
  now?: () => number;
  onRetry?: (retry: { attempt: number; delayMs: number; reason: string }) => void;
}

/**
 * Runs `attempt` until it is final, the retries are used up, or the next wait would pass the
 * deadline; then returns the last answer or throws the last failure. The retry loop of both the
 * QRS client and the InfluxDB writer.
 */
export async function retrying<T>(
  attempt: (index: number) => Promise<AttemptOutcome<T>>,
  run: RetryRun,
): Promise<T> {
  const wait = run.sleep ?? sleep;
  const now = run.now ?? Date.now;
  for (let index = 0; ; index++) {
    const outcome = await attempt(index);
    if ('done' in outcome) return outcome.done;
    const retry = outcome.retry;
    const delayMs = retry
      ? (retryAfterMs(retry.retryAfter, run.policy) ??
        backoffDelayMs(index + 1, run.policy, run.random))
      : 0;
    const outOfTime = run.deadlineAt !== undefined && now() + delayMs >= run.deadlineAt;
    if (!retry || index >= run.policy.maxRetries || outOfTime) {
      if ('failed' in outcome) throw outcome.failed;
      return outcome.answer;
    }
    run.onRetry?.({ attempt: index + 1, delayMs, reason: retry.reason });
    await wait(delayMs);
  }
}
