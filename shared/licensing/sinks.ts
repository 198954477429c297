/**
 * Where the results of a run go besides the log: the interfaces the monitor and the release run
 * write through, and the one fan-out both use. Owned here, by the side that calls them; the
 * destinations (Timestream, CloudWatch, InfluxDB) implement them in `shared/sinks/`.
 *
 * Every sink is tried, whatever the others do. A failing sink is reported in its outcome: it never
 * hides what the other sinks wrote, and never undoes what the run did (docs/architecture.md).
 */
import type { LicenseType } from '#shared/qrs/allocation.ts';
import type { LicenseSnapshot } from './monitor/snapshot.ts';
import type { ReleaseEvent } from './release/audit.ts';
import type { SiteReleaseResult } from './release/types.ts';

/** `timestream`, `cloudwatch` or `influxdb` for the built-in destinations. */
export type SinkName = string;

export interface Sink<T> {
  readonly name: SinkName;
  write(data: T): Promise<void>;
}

/** A place a monitor snapshot is stored. */
export type UsageSink = Sink<LicenseSnapshot>;

/** A place a finished release run is recorded (after its audit log lines). */
export type ReleaseSink = Sink<CompletedReleaseRun>;

export interface CompletedReleaseRun {
  runId: string;
  /** The license types this run judged (enabled in `licenseRelease.licenseType`). */
  licenseTypes: LicenseType[];
  result: SiteReleaseResult;
  /** Releases, failures and would-be releases, each with the time it happened. */
  events: ReleaseEvent[];
}

export type SinkOutcome =
  | { sink: SinkName; ok: true }
  | { sink: SinkName; ok: false; error: Error };

/**
 * Writes `data` to every sink at once; one outcome per sink, in the sinks' order. With
 * `deadlineAt` (ms since epoch, e.g. the Lambda's end less a margin), a sink still writing then is
 * a failed outcome, so the caller can still answer in time.
 */
export async function writeToSinks<T>(
  sinks: readonly Sink<T>[],
  data: T,
  options: { deadlineAt?: number } = {},
): Promise<SinkOutcome[]> {
  const settled = await Promise.allSettled(
    // A write that throws at once (instead of rejecting) is that sink's failure, like any other:
    // the release run calls this after its DELETEs, when nothing may throw any more.
    sinks.map((sink) =>
      withinDeadline(new Promise<void>((resolve) => resolve(sink.write(data))), options.deadlineAt),
    ),
  );
  return settled.map((result, index): SinkOutcome => {
    const sink = (sinks[index] as Sink<T>).name;
    if (result.status === 'fulfilled') return { sink, ok: true };
    const error = result.reason instanceof Error ? result.reason : new Error(String(result.reason));
    return { sink, ok: false, error };
  });
}

async function withinDeadline(write: Promise<void>, deadlineAt: number | undefined): Promise<void> {
  if (deadlineAt === undefined) return write;
  const ms = Math.max(0, deadlineAt - Date.now());
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not finish within the ${ms} ms the run had left`)),
      ms,
    );
  });
  try {
    return await Promise.race([write, late]);
  } finally {
    clearTimeout(timer);
  }
}
