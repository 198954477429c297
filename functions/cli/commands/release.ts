/**
 * `license-steward release --config FILE [--site NAME] [--dry-run] [--json]`: the same release
 * run as the Lambda, from a laptop, against the real site. `--dry-run` forces a dry run whatever
 * the config says. The CLI writes nothing to AWS: its records are stdout and the log lines on
 * stderr (Timestream and CloudWatch are written by the deployed Lambda only).
 */
import { randomUUID } from 'node:crypto';
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import { siteJob, skippedNotice } from '#shared/config/site-job.ts';
import { formatReleaseReport } from '#shared/licensing/release/report.ts';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import type { SiteReleaseResult } from '#shared/licensing/release/types.ts';
import { createQrsClient } from '#shared/licensing/site-qrs-client.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import { readSiteCertificates } from '#shared/secrets/read.ts';
import type { ParsedArgs } from '../args.ts';
import { type CliIo, EXIT_FAILED, EXIT_OK } from '../io.ts';
import { selectSites } from '../select-sites.ts';

export async function runRelease(config: Config, args: ParsedArgs, io: CliIo): Promise<number> {
  const sites = selectSites(config, args.site);
  const now = io.now ?? (() => new Date());
  const results: SiteReleaseResult[] = [];
  for (const site of sites) {
    const release = site.licenseRelease;
    const state = siteJob(site, 'release');
    if (!state.enabled || !release) {
      io.logger.warn(
        `Site ${site.name}: ${skippedNotice('release', state.enabled ? '' : state.reason)}`,
      );
      continue;
    }
    results.push(await releaseSite(site, args.dryRun || release.dryRun, io, now));
  }
  io.stdout(
    args.json
      ? `${JSON.stringify({ sites: results.map(documentedShape) }, null, 2)}\n`
      : formatReleaseReport(results),
  );
  const failed = results.some((result) => result.error !== undefined || result.failed.length > 0);
  return failed ? EXIT_FAILED : EXIT_OK;
}

/**
 * The documented site object (docs/release.md, "Output"): `deferred` and `sinkErrors` (always empty in the CLI, which
 * has no deadline and writes no sinks) appear only when they hold something.
 */
function documentedShape(result: SiteReleaseResult) {
  const { deferred, sinkErrors, ...documented } = result;
  return {
    ...documented,
    ...(deferred.length > 0 ? { deferred } : {}),
    ...(sinkErrors.length > 0 ? { sinkErrors } : {}),
  };
}

/** One site; a failure is reported in its result so the other sites still run. */
async function releaseSite(
  site: SiteConfig,
  dryRun: boolean,
  io: CliIo,
  now: () => Date,
): Promise<SiteReleaseResult> {
  const release = site.licenseRelease as NonNullable<SiteConfig['licenseRelease']>;
  const runId = randomUUID();
  let qrs: QrsClient | undefined;
  try {
    qrs = createQrsClient(site, await readSiteCertificates(site), io.logger);
    return await runSiteRelease({
      site: site.name,
      release,
      dryRun,
      runId,
      qrs,
      logger: io.logger,
      now,
      maxClockSkewSeconds: site.qrs.maxClockSkewSeconds,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.logger.error(`Site ${site.name}: license release failed`, {
      site: site.name,
      runId,
      error: message,
    });
    return {
      site: site.name,
      dryRun,
      evaluatedAt: now().toISOString(),
      candidates: [],
      kept: [],
      released: [],
      failed: [],
      deferred: [],
      sinkErrors: [],
      error: message,
    };
  } finally {
    qrs?.close();
  }
}
