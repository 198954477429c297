/**
 * How much memory the release function needs for a site of N allocations (docs/deploy.md,
 * "Memory per site size"), from the benchmark's measurements (BENCHMARKS.md, "Memory per
 * allocation"): a floor for Node.js, the bundle and the run, plus a share per allocation, with
 * the memory guard's margin (shared/licensing/release/memory-guard.ts keeps 10 % free). `cdk
 * synth` warns when a site's `aws.expectedAllocations` would not fit (infra/memory-fit.ts).
 */

/** Peak memory of a run of a site with no allocations: Node.js, the bundle, TLS, the sinks. */
export const RELEASE_BASE_MB = 180;
/**
 * Peak memory per allocation, whole-site dry run (every candidate with its user record; the
 * usual run needs less: 0.75 kB), from the benchmark's 50,000 → 200,000 slope (0.91–1.22 kB).
 */
export const RELEASE_KB_PER_ALLOCATION = 1.25;
/** The share of the function's memory a run may plan into (the memory guard's). */
const USABLE_SHARE = 0.9;
/** Lambda accepts any whole MB; suggestions are rounded up to a multiple of this. */
const STEP_MB = 64;

/** The release function memory (MB) a site of `allocations` needs, rounded up to 64 MB. */
export function releaseMemoryMbFor(allocations: number): number {
  const peakMb = RELEASE_BASE_MB + (allocations * RELEASE_KB_PER_ALLOCATION) / 1024;
  return Math.ceil(peakMb / USABLE_SHARE / STEP_MB) * STEP_MB;
}
