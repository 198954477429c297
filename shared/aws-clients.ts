/**
 * Deadlines for every AWS SDK client the functions and the CLI make (SSM, Timestream, DynamoDB):
 * the SDK's defaults wait for ever on a socket that never answers, and a Lambda that hangs in a
 * write until it times out is exactly the failure the run ledger must never see after a DELETE
 * (docs/release.md, "How a run behaves when AWS retries"). A leaf module: settings only.
 */

export interface AwsTimeouts {
  connectionTimeout: number;
  requestTimeout: number;
}

/** Connect within 3 s, no 10 s without an answer, at most 3 attempts (the SDK's backoff between). */
export const AWS_TIMEOUTS: AwsTimeouts = { connectionTimeout: 3_000, requestTimeout: 10_000 };

/**
 * Client settings for `new XxxClient({ ...awsClientDeadlines() })`. `throwOnRequestTimeout`:
 * without it the SDK only logs a warning when `requestTimeout` passes and keeps waiting.
 */
export function awsClientDeadlines(timeouts: AwsTimeouts = AWS_TIMEOUTS) {
  return {
    maxAttempts: 3,
    requestHandler: { ...timeouts, throwOnRequestTimeout: true },
  };
}

/**
 * The SDK's "Region is missing" with what to set: the variable, the profile, or (off AWS) the
 * destination to turn off (docs/faults.md, "AWS"). Other errors pass unchanged.
 */
export function explainAwsError(error: Error, offAws: string): Error {
  if (!/region is missing/i.test(error.message)) return error;
  return new Error(
    `the AWS region is not set: set AWS_REGION (for example AWS_REGION=eu-north-1) or a region in the AWS profile (AWS_PROFILE). Off AWS, ${offAws}`,
  );
}
