/**
 * The largest QRS answer a run accepts, from the memory the process may use (docs/release.md,
 * "Memory"). A body is held about three times while it is read (the chunks, the text, the parsed
 * items, which take several times the text), next to the ~120 MB Node.js and the bundle take, so
 * in Lambda the limit is 1/16 of the function's memory: 32 MB at the default 512 MB, where the
 * largest answer of a 50,000-allocation site (one filtered allocation list) is about 10 MB. A
 * larger answer fails with a clear error instead of the function running out of memory. Outside
 * Lambda (the CLI) the limit is a generous 256 MB.
 */

const MB = 1024 * 1024;

/** The CLI's limit, and the ceiling in Lambda. */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * MB;
export const LAMBDA_MEMORY_SHARE = 1 / 16;

/** From `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` (MB, set by Lambda) when present. */
export function maxResponseBytesFor(env: Record<string, string | undefined>): number {
  const memoryMb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  if (!Number.isFinite(memoryMb) || memoryMb <= 0) return DEFAULT_MAX_RESPONSE_BYTES;
  return Math.min(DEFAULT_MAX_RESPONSE_BYTES, Math.floor(memoryMb * MB * LAMBDA_MEMORY_SHARE));
}

/** ` (1/16 of the function's 512 MB; …)` when the limit came from Lambda's memory, else ``. */
export function responseLimitOrigin(
  bytes: number,
  env: Record<string, string | undefined>,
): string {
  const memoryMb = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
  return memoryMb && bytes === maxResponseBytesFor(env) && bytes < DEFAULT_MAX_RESPONSE_BYTES
    ? ` (1/16 of the function's ${memoryMb} MB: raise aws.functions.*.memoryMb for more)`
    : '';
}
