/**
 * Deployments that would run but cannot work, refused at `cdk synth`: a function timeout that
 * cannot fit one worst-case QRS request plus the sinks (the release run would then defer every
 * DELETE and still report ok), and a release schedule that fires again before a run can finish
 * (the release function runs one invocation at a time, so runs would pile up). Each problem names
 * the key to change.
 */
import { cronTimes, shortestCronGapMinutes } from '#shared/config/cron-times.ts';
import { formatPath } from '#shared/config/issues.ts';
import type { AwsConfig, Config } from '#shared/config/schema.ts';
import {
  releaseSafetyMarginMs,
  sinksBudgetMs,
  worstCaseQrsRequestMs,
} from '#shared/config/time-budget.ts';

/** Lambda's own ceiling. */
const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

export function timeLimitProblems(config: Config, aws: AwsConfig): string[] {
  const problems: string[] = [];
  const influxdb = config.destinations.influxdb;
  const sinks = sinksBudgetMs(influxdb);
  config.sites.forEach((site, index) => {
    const worst = worstCaseQrsRequestMs(site.qrs);
    const request = `one worst-case QRS request of site ${site.name} (${formatPath(['sites', index, 'qrs'])}: timeoutSeconds ${site.qrs.timeoutSeconds} × (maxRetries ${site.qrs.maxRetries} + 1) plus backoff = ${seconds(worst)} s)`;
    const check = (job: 'monitor' | 'release', needMs: number, rest: string) => {
      const timeout = aws.functions[job].timeoutSeconds;
      const need = Math.ceil(needMs / 1000);
      if (need <= timeout) return;
      problems.push(
        need > LAMBDA_MAX_TIMEOUT_SECONDS
          ? `${formatPath(['sites', index, 'qrs', 'timeoutSeconds'])}: ${request} ${rest} needs ${need} s, more than Lambda's ${LAMBDA_MAX_TIMEOUT_SECONDS} s: lower qrs.timeoutSeconds or qrs.maxRetries`
          : `${formatPath(['aws', 'functions', job, 'timeoutSeconds'])}: ${timeout} s cannot fit ${request} ${rest}: set it to at least ${need}, or lower the site's qrs.timeoutSeconds or qrs.maxRetries`,
      );
    };
    // The monitor: one reading, then the sinks.
    if (site.licenseMonitor.enable)
      check('monitor', worst + sinks, `plus ${seconds(sinks)} s for the sinks`);
    // The release run: one read while planning, then what the handler keeps for a DELETE and the sinks.
    if (site.licenseRelease?.enable)
      check(
        'release',
        worst + releaseSafetyMarginMs(site, influxdb),
        `plus what the run keeps for one DELETE and the sinks (qrs.timeoutSeconds + ${seconds(sinks)} s)`,
      );
  });

  const releaseTimeout = aws.functions.release.timeoutSeconds;
  config.sites.forEach((site, index) => {
    const release = site.licenseRelease;
    if (!release?.enable) return;
    const interval = intervalSeconds(release.schedule);
    if (interval !== undefined && interval < releaseTimeout)
      problems.push(
        `${formatPath(['sites', index, 'licenseRelease', 'schedule'])}: ${release.schedule} fires every ${interval / 60} minutes, less than a release run may take (aws.functions.release.timeoutSeconds: ${releaseTimeout} s); runs are one at a time, so they would queue up: schedule it less often or lower the timeout`,
      );
  });
  return problems;
}

/** The shortest time between two firings of a rate or cron schedule; undefined if a day or more. */
export function intervalSeconds(schedule: string): number | undefined {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(schedule);
  if (rate) {
    const unit = { minute: 60, hour: 3600, day: 86_400 }[rate[2] as 'minute' | 'hour' | 'day'];
    return Number(rate[1]) * unit;
  }
  const times = cronTimes(schedule);
  const gap = times ? shortestCronGapMinutes(times) : undefined;
  return gap === undefined ? undefined : gap * 60;
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
