/**
 * `license-steward monitor --config FILE [--site NAME] [--json] [--write]`: collects each site's
 * license usage with the same core as the Lambda and prints it. Without `--write` it writes no
 * metrics (the administrator's try-out tool); with it, the snapshot goes to every enabled
 * destination as the Lambda writes it (../write-sinks.ts), and a failing destination is exit 1.
 * One failing site does not stop the others; any failure is exit 1.
 */
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import { warnIfClocksDisagree } from '#shared/licensing/clock-guard.ts';
import { monitorSite } from '#shared/licensing/monitor/monitor-site.ts';
import type { LicenseSnapshot } from '#shared/licensing/monitor/snapshot.ts';
import { usageWarnings } from '#shared/licensing/monitor/usage-warnings.ts';
import type { UsageSink } from '#shared/licensing/sinks.ts';
import { createQrsClient } from '#shared/licensing/site-qrs-client.ts';
import { withLogContext } from '#shared/observability/context-logger.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import { readSiteCertificates } from '#shared/secrets/read.ts';
import { painter } from '../colour.ts';
import { type CliIo, EXIT_FAILED, EXIT_OK } from '../io.ts';
import {
  type CliOptions,
  type CommonArgs,
  configCommandArgs,
  refuseReleaseOptions,
} from '../options.ts';
import { forEverySite, jobIsOn, selectSites } from '../select-sites.ts';
import { cliSinks } from '../write-sinks.ts';
import { renderMonitorTable, type SiteReport } from './monitor-table.ts';

export interface MonitorArgs extends CommonArgs {
  command: 'monitor';
  config: string;
  site?: string;
  /** Send the snapshot to the enabled destinations (docs/without-aws.md). */
  write: boolean;
}

export function parseMonitorArgs(options: CliOptions): MonitorArgs {
  const common = configCommandArgs(options, 'monitor');
  refuseReleaseOptions(options, 'monitor');
  return {
    command: 'monitor',
    ...common,
    ...(options.site !== undefined ? { site: options.site } : {}),
    write: options.write,
  };
}

export async function runMonitor(config: Config, args: MonitorArgs, io: CliIo): Promise<number> {
  const sites = selectSites(config, args.site).filter((site) =>
    jobIsOn(site, 'monitor', io.logger),
  );
  const now = io.now ?? (() => new Date());
  const sinks = await cliSinks(config, args.write, io.logger);
  let reports: SiteReport[];
  try {
    reports = await forEverySite(sites, (site) => monitorCliSite(site, now(), sinks.usage, io));
  } finally {
    sinks.close();
  }
  io.stdout(
    args.json
      ? `${JSON.stringify({ sites: reports.map(siteJson) }, null, 2)}\n`
      : renderMonitorTable(reports, painter(io.colour)),
  );
  return reports.some((report) => report.error !== undefined) ? EXIT_FAILED : EXIT_OK;
}

async function monitorCliSite(
  site: SiteConfig,
  now: Date,
  sinks: readonly UsageSink[],
  io: CliIo,
): Promise<SiteReport> {
  const logger = withLogContext(io.logger, { site: site.name });
  let client: QrsClient | undefined;
  try {
    client = createQrsClient(site, await readSiteCertificates(site), logger);
    const outcome = await monitorSite({
      source: client,
      site: site.name,
      now,
      sinks,
      logger,
      timeZone: site.timezone,
      holders: { qrs: client, site },
    });
    // Only a site that answered has a clock to compare: after a connection or TLS failure there
    // is nothing to say about it beyond the error.
    if (outcome.snapshot)
      warnIfClocksDisagree(
        client.serverClock,
        site.qrs.maxClockSkewSeconds,
        logger.warn.bind(logger),
      );
    return outcome.ok
      ? { site, snapshot: outcome.snapshot }
      : { site, snapshot: outcome.snapshot, error: outcome.error };
  } catch (error) {
    // Certificates that cannot be read: this site fails, the others still run.
    const message = (error as Error).message;
    logger.error('cannot monitor this site', { error: message });
    return { site, snapshot: null, error: message };
  } finally {
    client?.close();
  }
}

/** Only the listed keys of a block, in that order (`null` stays `null`). */
function pick<T extends object, K extends keyof T>(
  block: T | null,
  keys: readonly K[],
): Pick<T, K> | null {
  if (block === null) return null;
  const picked = {} as Pick<T, K>;
  for (const key of keys) picked[key] = block[key];
  return picked;
}

const USAGE_KEYS = [
  'enabled',
  'total',
  'allocated',
  'used',
  'quarantined',
  'excess',
  'available',
] as const;

/**
 * The documented site object (docs/monitor.md, "The CLI"), exactly: the snapshot's additions (token detail, the LEF's
 * licensed counts) go to the table and the sinks, not into the documented document.
 */
function documentedShape(snapshot: LicenseSnapshot) {
  return {
    site: snapshot.site,
    collectedAt: snapshot.collectedAt,
    professional: pick(snapshot.professional, USAGE_KEYS),
    analyzer: pick(snapshot.analyzer, USAGE_KEYS),
    analyzerCapacity: pick(snapshot.analyzerCapacity, [
      'enabled',
      'allocatedMinutes',
      'usedMinutes',
      'unavailableMinutes',
    ]),
    tokens: pick(snapshot.tokens, ['enabled', 'total', 'available']),
    license: pick(snapshot.license, ['model', 'expiresAt', 'daysUntilExpiry', 'problem']),
  };
}

/**
 * A site that failed keeps the documented shape: its blocks null, `error` saying why. `warnings`
 * are the table's WARNING lines (one source: usage-warnings.ts), as `{subject, message}`.
 */
function siteJson(report: SiteReport) {
  if (report.snapshot === null)
    return { ...failedShape(report.site.name), warnings: [], error: report.error };
  const shape = {
    ...documentedShape(report.snapshot),
    warnings: usageWarnings(report.snapshot, report.site.alarms),
  };
  // A failed destination (--write) leaves the snapshot; `error` names the destination.
  return report.error === undefined ? shape : { ...shape, error: report.error };
}

function failedShape(site: string) {
  return {
    site,
    collectedAt: null,
    professional: null,
    analyzer: null,
    analyzerCapacity: null,
    tokens: null,
    license: null,
  };
}
