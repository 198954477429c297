/**
 * A release run that is about to run out of memory stops before its first DELETE, with a clear
 * error, instead of being killed half-way through the releases (docs/release.md, "Memory").
 *
 * After planning, the run holds the plan; the DELETE phase adds, per release, its outcome, its
 * audit line and its records for the sinks. The guard checks, from V8's heap statistics and the
 * process's resident memory, that both still fit: the heap under V8's heap limit, the process
 * under the function's memory (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`; outside Lambda, only the heap).
 */
import { getHeapStatistics } from 'node:v8';

const MB = 1024 * 1024;
/** What the DELETE phase adds per release (outcome, event, audit line, sink records), generously. */
export const BYTES_PER_RELEASE = 8 * 1024;
/** Room kept free for the sinks, the TLS sockets of the DELETEs and V8's own work. */
export const HEADROOM_BYTES = 48 * MB;
/** Never plan past this share of a limit: V8 slows to a crawl near its heap limit. */
const USABLE_SHARE = 0.9;

export interface MemoryReading {
  /** The process's resident memory (what Lambda's "Max Memory Used" reports). */
  rssBytes: number;
  /** V8's heap in use and its limit (`v8.getHeapStatistics()`). */
  heapUsedBytes: number;
  heapLimitBytes: number;
}

export function readMemory(): MemoryReading {
  const heap = getHeapStatistics();
  return {
    rssBytes: process.memoryUsage.rss(),
    heapUsedBytes: heap.used_heap_size,
    heapLimitBytes: heap.heap_size_limit,
  };
}

/** The function's memory in bytes in Lambda; `undefined` elsewhere (the CLI). */
export function functionMemoryBytes(env: Record<string, string | undefined>): number | undefined {
  const memoryMb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  return Number.isFinite(memoryMb) && memoryMb > 0 ? memoryMb * MB : undefined;
}

/** The run would exceed its memory: nothing was sent. */
export class MemoryLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemoryLimitError';
  }
}

/**
 * Throws `MemoryLimitError` when `releases` DELETEs would not fit in what is left of the heap or
 * of the function's memory; returns the figures otherwise (for the log).
 */
export function requireMemoryForReleases(
  releases: number,
  reading: MemoryReading,
  functionBytes: number | undefined,
): { needBytes: number } {
  const needBytes = releases * BYTES_PER_RELEASE + HEADROOM_BYTES;
  const heapRoom = reading.heapLimitBytes * USABLE_SHARE - reading.heapUsedBytes;
  const processRoom =
    functionBytes === undefined ? Infinity : functionBytes * USABLE_SHARE - reading.rssBytes;
  if (needBytes <= Math.min(heapRoom, processRoom)) return { needBytes };
  const held =
    functionBytes === undefined
      ? `the heap holds ${mb(reading.heapUsedBytes)} of its ${mb(reading.heapLimitBytes)} limit`
      : `the process holds ${mb(reading.rssBytes)} of the function's ${mb(functionBytes)} (heap ${mb(reading.heapUsedBytes)} of ${mb(reading.heapLimitBytes)})`;
  throw new MemoryLimitError(
    `not enough memory left to release safely: after planning, ${held}, and releasing ${releases} allocations needs about ${mb(needBytes)} more. No DELETE was sent. Give the release function more memory (aws.functions.release.memoryMb; docs/deploy.md, "Memory per site size") or lower maxReleasesPerRun`,
  );
}

function mb(bytes: number): string {
  return `${Math.round(bytes / MB)} MB`;
}
