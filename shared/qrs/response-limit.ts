/**
 * The largest QRS answer a run accepts, from the memory the process may use (docs/release.md,
 * "Memory"). A larger answer fails with a clear error instead of the function running out of
 * memory.
 *
 * - A buffered answer (the small reads: overview, license, user batches) is held about three
 *   times while it is read (the chunks, the text, the parsed objects), next to the ~120 MB
 *   Node.js and the bundle take, so in Lambda its limit is 1/16 of the function's memory: 32 MB
 *   at the default 512 MB. Outside Lambda (the CLI) it is a generous 256 MB.
 * - A streamed answer (the allocation lists, the user table pages: json-stream.ts) is never held
 *   whole: what stays is the compact record of each allocation, less than the item's own text.
 *   Its limit is 1/4 of the function's memory (128 MB at 512 MB, about 350,000 allocations of
 *   one type), 1 GB outside Lambda.
 */

const MB = 1024 * 1024;

/** The CLI's limit, and the ceiling in Lambda. */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * MB;
export const LAMBDA_MEMORY_SHARE = 1 / 16;
export const DEFAULT_MAX_STREAMED_RESPONSE_BYTES = 1024 * MB;
export const LAMBDA_STREAMED_MEMORY_SHARE = 1 / 4;

type Env = Record<string, string | undefined>;

function lambdaMemoryMb(env: Env): number | undefined {
  const memoryMb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  return Number.isFinite(memoryMb) && memoryMb > 0 ? memoryMb : undefined;
}

/** From `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` (MB, set by Lambda) when present. */
export function maxResponseBytesFor(env: Env): number {
  const memoryMb = lambdaMemoryMb(env);
  if (memoryMb === undefined) return DEFAULT_MAX_RESPONSE_BYTES;
  return Math.min(DEFAULT_MAX_RESPONSE_BYTES, Math.floor(memoryMb * MB * LAMBDA_MEMORY_SHARE));
}

/** The limit of a streamed answer, from the same setting. */
export function maxStreamedResponseBytesFor(env: Env): number {
  const memoryMb = lambdaMemoryMb(env);
  if (memoryMb === undefined) return DEFAULT_MAX_STREAMED_RESPONSE_BYTES;
  return Math.min(
    DEFAULT_MAX_STREAMED_RESPONSE_BYTES,
    Math.floor(memoryMb * MB * LAMBDA_STREAMED_MEMORY_SHARE),
  );
}

/** ` (1/16 of the function's 512 MB; …)` when the limit came from Lambda's memory, else ``. */
export function responseLimitOrigin(bytes: number, env: Env): string {
  const memoryMb = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
  if (!memoryMb) return '';
  const share =
    bytes === maxResponseBytesFor(env) && bytes < DEFAULT_MAX_RESPONSE_BYTES
      ? '1/16'
      : bytes === maxStreamedResponseBytesFor(env) && bytes < DEFAULT_MAX_STREAMED_RESPONSE_BYTES
        ? '1/4'
        : undefined;
  return share
    ? ` (${share} of the function's ${memoryMb} MB: raise aws.functions.*.memoryMb for more)`
    : '';
}
