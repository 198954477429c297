/**
 * Where a snapshot goes. Every enabled sink is tried, whatever the others do: a failing sink is
 * reported (and fails the run) without hiding what the other sinks wrote.
 */
import type { LicenseSnapshot } from '../licensing/snapshot.ts';

export type UsageSinkName = 'timestream' | 'cloudwatch' | 'influxdb';

export interface UsageSink {
  readonly name: UsageSinkName;
  write(snapshot: LicenseSnapshot): Promise<void>;
}

export type SinkOutcome =
  | { sink: UsageSinkName; ok: true }
  | { sink: UsageSinkName; ok: false; error: Error };

export async function writeUsage(
  sinks: readonly UsageSink[],
  snapshot: LicenseSnapshot,
): Promise<SinkOutcome[]> {
  const settled = await Promise.allSettled(sinks.map((sink) => sink.write(snapshot)));
  return settled.map((result, index): SinkOutcome => {
    const sink = (sinks[index] as UsageSink).name;
    if (result.status === 'fulfilled') return { sink, ok: true };
    const error = result.reason instanceof Error ? result.reason : new Error(String(result.reason));
    return { sink, ok: false, error };
  });
}
