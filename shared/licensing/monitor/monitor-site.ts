/**
 * One monitoring run for one site, the same in Lambda and in the CLI: collect the snapshot, then
 * hand it to every enabled sink. A QRS failure writes nothing (no partial metrics that read as
 * zeros); a failing sink does not stop the other one. Nothing here throws: the outcome says what
 * failed, and the caller decides what a failure means (Lambda error, CLI exit 1).
 */

import { type SinkOutcome, type UsageSink, writeToSinks } from '#shared/licensing/sinks.ts';
import type { RunLogger } from '#shared/observability/logger.ts';
import { collectSnapshot, type LicenseSnapshot, type SnapshotSource } from './snapshot.ts';

export interface MonitorSiteInput {
  source: SnapshotSource;
  site: string;
  now: Date;
  sinks: readonly UsageSink[];
  logger: RunLogger;
}

export type MonitorSiteOutcome =
  | { site: string; ok: true; snapshot: LicenseSnapshot; sinks: SinkOutcome[] }
  | {
      site: string;
      ok: false;
      /** `null` when QRS failed (nothing was written). */
      snapshot: LicenseSnapshot | null;
      error: string;
      sinks: SinkOutcome[];
    };

export async function monitorSite(input: MonitorSiteInput): Promise<MonitorSiteOutcome> {
  const { source, site, now, sinks, logger } = input;
  let snapshot: LicenseSnapshot;
  try {
    snapshot = await collectSnapshot(source, site, now, (warning) => logger.warn(warning.message));
  } catch (error) {
    const message = errorMessage(error);
    logger.error('collecting license usage from QRS failed; no metrics written', {
      error: message,
    });
    return { site, ok: false, snapshot: null, error: message, sinks: [] };
  }
  const outcomes = await writeToSinks(sinks, snapshot);
  const failed = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome]));
  for (const outcome of failed) {
    logger.error(`writing license usage to ${outcome.sink} failed`, {
      error: errorMessage(outcome.error),
    });
  }
  if (failed.length === 0) return { site, ok: true, snapshot, sinks: outcomes };
  return {
    site,
    ok: false,
    snapshot,
    error: failed.map((outcome) => `${outcome.sink}: ${errorMessage(outcome.error)}`).join('; '),
    sinks: outcomes,
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
