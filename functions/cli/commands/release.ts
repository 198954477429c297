/**
 * `license-steward release --config FILE [--site NAME] [--dry-run] [--json] [--write] [--plan FILE]`:
 * the same release run as the Lambda, from a laptop or a scheduler, against the real site.
 * `--dry-run` forces a dry run whatever the config says. `--plan` applies a reviewed plan
 * (docs/release.md, "Review, then apply"): only its candidates, re-checked now, for real unless
 * `--dry-run` is given. Without `--write` its records are stdout and the log lines on stderr; with
 * it, the run also goes to every enabled destination as the Lambda writes it (../write-sinks.ts),
 * and a destination that fails is listed in `sinkErrors` and is exit 1.
 */
import { randomUUID } from 'node:crypto';
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import type { PlannedSite } from '#shared/licensing/release/plan-file.ts';
import { rulesRecord } from '#shared/licensing/release/rules-record.ts';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import type { SiteReleaseResult } from '#shared/licensing/release/types.ts';
import type { ReleaseSink } from '#shared/licensing/sinks.ts';
import { createQrsClient } from '#shared/licensing/site-qrs-client.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import { readSiteCertificates } from '#shared/secrets/read.ts';
import { painter } from '../colour.ts';
import { type CliIo, EXIT_FAILED, EXIT_OK } from '../io.ts';
import { writeJsonDocument } from '../json-output.ts';
import { type CliOptions, type CommonArgs, configCommandArgs, refuseGiven } from '../options.ts';
import { forEverySite, jobIsOn, selectSites } from '../select-sites.ts';
import { cliSinks } from '../write-sinks.ts';
import { confirmPlan } from './release-confirm.ts';
import { readPlanFor } from './release-plan.ts';
import { formatReleaseReport } from './release-table.ts';

type ReleaseConfig = NonNullable<SiteConfig['licenseRelease']>;

export interface ReleaseArgs extends CommonArgs {
  command: 'release';
  config: string;
  site?: string;
  dryRun: boolean;
  /** Send the run to the enabled destinations (docs/without-aws.md). */
  write: boolean;
  /** The whole table in the human output, however many rows. */
  all: boolean;
  /** `--plan FILE`: apply this reviewed plan (./release-plan.ts). */
  plan?: string;
  /** `--plan`: refuse a plan older than this. */
  maxPlanAgeHours?: number;
  /** `--plan`: apply without asking (required when no terminal can answer). */
  yes: boolean;
}

export function parseReleaseArgs(options: CliOptions): ReleaseArgs {
  const common = configCommandArgs(options, 'release');
  const noPlan = options.plan === undefined;
  refuseGiven('release', [
    [
      options.maxPlanAgeHours !== undefined && noPlan,
      '--max-plan-age applies to release --plan only',
    ],
    [options.yes && noPlan, '--yes applies to release --plan only'],
  ]);
  return {
    command: 'release',
    ...common,
    ...(options.site !== undefined ? { site: options.site } : {}),
    dryRun: options.dryRun,
    write: options.write,
    all: options.all,
    ...(options.plan !== undefined ? { plan: options.userPath(options.plan) } : {}),
    ...(options.maxPlanAgeHours !== undefined ? { maxPlanAgeHours: options.maxPlanAgeHours } : {}),
    yes: options.yes,
  };
}

export async function runRelease(config: Config, args: ReleaseArgs, io: CliIo): Promise<number> {
  const now = io.now ?? (() => new Date());
  // A plan is checked as a whole (sites, age, shape) before any site is touched: exit 2.
  const jobs = args.plan
    ? readPlanFor(config, { ...args, plan: args.plan }, now())
    : selectSites(config, args.site).map((site) => ({ site, planned: undefined }));
  if (args.plan) {
    const planned = jobs.flatMap((job) => (job.planned ? [job.planned] : []));
    if (!(await confirmPlan(planned, args, io))) {
      io.stderr('license-steward: not confirmed: nothing was sent to QRS.\n');
      return EXIT_OK;
    }
  }
  let results: SiteReleaseResult[];
  const sinks = await cliSinks(config, args.write, io.logger);
  try {
    const enabled = jobs.filter(({ site }) => jobIsOn(site, 'release', io.logger));
    results = await forEverySite(enabled, async ({ site, planned }) => {
      const dryRun = dryRunOf(site, args, io);
      const result = await releaseSite(site, dryRun, sinks.release, io, now, planned);
      // A dry run is a plan: it says what made it (docs/release.md, "Review, then apply").
      if (dryRun && !planned)
        result.madeBy = site.licenseRelease?.mode === 'review' ? 'review' : 'dry-run';
      return result;
    });
  } finally {
    sinks.close();
  }
  if (args.json)
    // Written as it is produced, never as one string (json-output.ts): a first clean-up of a
    // large site lists 100,000 allocations and more.
    await writeJsonDocument({ sites: results.map(documentedShape) }, io.stdout, io.stdoutDrained);
  else
    io.stdout(
      formatReleaseReport(results, {
        ...(args.all ? { all: true } : {}),
        paint: painter(io.colour),
      }),
    );
  const failed = results.some(
    (result) =>
      result.error !== undefined || result.failed.length > 0 || result.sinkErrors.length > 0,
  );
  return failed ? EXIT_FAILED : EXIT_OK;
}

/**
 * `--plan` is the reviewed apply step: it releases unless `--dry-run` is given, whatever
 * `dryRun` and `mode` say. Otherwise `mode: review` makes every run a plan (a dry run).
 */
function dryRunOf(site: SiteConfig, args: ReleaseArgs, io: CliIo): boolean {
  if (args.plan !== undefined || args.dryRun) return args.dryRun;
  const release = site.licenseRelease as ReleaseConfig;
  if (release.mode === 'review') {
    io.logger.info(
      `Site ${site.name}: licenseRelease.mode is review, so this run only makes a plan (dry run); apply it with release --plan FILE`,
    );
    return true;
  }
  return release.dryRun;
}

/**
 * The documented site object (docs/release.md, "Output"): `deferred` (always empty in the CLI,
 * which has no deadline) and `sinkErrors` (a destination that failed with `--write`) appear only
 * when they hold something.
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
  sinks: readonly ReleaseSink[],
  io: CliIo,
  now: () => Date,
  plan: PlannedSite | undefined,
): Promise<SiteReleaseResult> {
  const release = site.licenseRelease as ReleaseConfig;
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
      ...(plan ? { plan } : {}),
      sinks,
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
      rules: rulesRecord(release),
    };
  } finally {
    qrs?.close();
  }
}
