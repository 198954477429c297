/**
 * How long the functions must be able to wait, from the configured timeouts and retries: one QRS
 * request at its worst (every attempt times out, every backoff at its ceiling) and the sinks.
 * The release handler keeps `releaseSafetyMarginMs` in hand before it starts a DELETE, and
 * `cdk synth` refuses function timeouts that cannot fit these (infra/deployment-limits.ts), so the
 * two cannot drift apart.
 */
import type { InfluxDbConfig, SiteConfig } from '#shared/config/schema.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '#shared/http/retry.ts';

/** The waits between InfluxDB write retries: the writer uses them, the budget counts them. */
export const INFLUXDB_RETRY_DELAY = { baseDelayMs: 500, maxDelayMs: 10_000 };

/** Timestream, CloudWatch (EMF on stdout) and the release report: SDK calls with short timeouts. */
export const AWS_SINKS_BUDGET_MS = 20_000;

/** `timeout × (retries + 1)` plus the longest possible wait before each retry. */
export function worstCaseRequestMs(
  timeoutMs: number,
  retries: number,
  delays: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
): number {
  let backoff = 0;
  for (let attempt = 1; attempt <= retries; attempt++)
    backoff += Math.min(delays.maxDelayMs, delays.baseDelayMs * 2 ** (attempt - 1));
  return timeoutMs * (retries + 1) + backoff;
}

export function worstCaseQrsRequestMs(
  qrs: Pick<SiteConfig['qrs'], 'timeoutSeconds' | 'maxRetries'>,
): number {
  return worstCaseRequestMs(qrs.timeoutSeconds * 1000, qrs.maxRetries, DEFAULT_RETRY_POLICY);
}

/** The sinks after a run: the AWS ones, plus one InfluxDB write at its worst when it is on. */
export function sinksBudgetMs(
  influxdb: Pick<InfluxDbConfig, 'enable' | 'timeoutSeconds' | 'maxRetries'> | undefined,
): number {
  const influx = influxdb?.enable
    ? worstCaseRequestMs(influxdb.timeoutSeconds * 1000, influxdb.maxRetries, INFLUXDB_RETRY_DELAY)
    : 0;
  return AWS_SINKS_BUDGET_MS + influx;
}

/** Start no DELETE with less than this left: one DELETE (its own timeout) and the sinks. */
export function releaseSafetyMarginMs(
  site: Pick<SiteConfig, 'qrs'>,
  influxdb: Parameters<typeof sinksBudgetMs>[0],
): number {
  return site.qrs.timeoutSeconds * 1000 + sinksBudgetMs(influxdb);
}
