/**
 * `cdk synth` warns when a site's expected size (`sites[].aws.expectedAllocations`) would not fit
 * the release function's memory (`aws.functions.release.memoryMb`): the run would then stop
 * before its DELETEs every night (the memory guard), or, worse, be killed. A warning, not a
 * refusal: the figure is the administrator's estimate, and the memory guard still protects.
 */
import { formatPath } from '#shared/config/issues.ts';
import { releaseMemoryMbFor } from '#shared/config/memory-budget.ts';
import type { AwsConfig, Config } from '#shared/config/schema.ts';

export function memoryFitWarnings(config: Config, aws: AwsConfig): string[] {
  const memoryMb = aws.functions.release.memoryMb;
  const warnings: string[] = [];
  config.sites.forEach((site, index) => {
    const allocations = site.aws?.expectedAllocations;
    if (allocations === undefined || !site.licenseRelease?.enable) return;
    const needMb = releaseMemoryMbFor(allocations);
    if (needMb <= memoryMb) return;
    warnings.push(
      `${formatPath(['sites', index, 'aws', 'expectedAllocations'])}: a site of ${allocations.toLocaleString('en-US')} allocations needs about ${needMb} MB in the release function, but aws.functions.release.memoryMb is ${memoryMb}: raise it to at least ${needMb} (docs/deploy.md, "Memory per site size"), or the run stops before its DELETEs`,
    );
  });
  return warnings;
}
