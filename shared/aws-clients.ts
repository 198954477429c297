/**
 * The one way license-steward makes AWS SDK clients (SSM, Timestream, DynamoDB, SNS, CloudWatch),
 * in the functions and the CLI: every client gets deadlines, since the SDK's defaults wait for
 * ever on a socket that never answers, and a Lambda that hangs in a write until it times out is
 * exactly the failure the run ledger must never see after a DELETE (docs/release.md, "How a run
 * behaves when AWS retries"); and every sink gets its client through a lazy provider, so a client
 * is made only when something is written. A leaf module: settings and a memo only.
 */

export interface AwsTimeouts {
  connectionTimeout: number;
  requestTimeout: number;
}

/** Connect within 3 s, no 10 s without an answer, at most 3 attempts (the SDK's backoff between). */
export const AWS_TIMEOUTS: AwsTimeouts = { connectionTimeout: 3_000, requestTimeout: 10_000 };
const MAX_ATTEMPTS = 3;

/**
 * Client settings for `new XxxClient({ ...awsClientDeadlines() })`. `throwOnRequestTimeout`:
 * without it the SDK only logs a warning when `requestTimeout` passes and keeps waiting.
 */
export function awsClientDeadlines(
  timeouts: AwsTimeouts = AWS_TIMEOUTS,
  maxAttempts: number = MAX_ATTEMPTS,
) {
  return {
    maxAttempts,
    requestHandler: { ...timeouts, throwOnRequestTimeout: true },
  };
}

/** What a sink takes instead of a client: called on each write, it makes the client once. */
export type ClientProvider<T> = () => T;

export interface LazyClient<T> extends ClientProvider<T> {
  /** Runs `use` on the client only if it was made (to destroy it without making one). */
  ifMade(use: (client: T) => void): void;
}

/** Made on first use, then the same one. */
export function lazyClient<T>(make: () => T): LazyClient<T> {
  let made: { value: T } | undefined;
  const provider = (() => {
    made ??= { value: make() };
    return made.value;
  }) as LazyClient<T>;
  provider.ifMade = (use) => {
    if (made) use(made.value);
  };
  return provider;
}
