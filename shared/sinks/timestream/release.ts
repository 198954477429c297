/**
 * Release records for Timestream (`destinations.timestream.releaseTable`): one multi-measure
 * record per release, failed release or would-be release, with the allocation id and the run id
 * (what Butler's records lacked). Written through the shared `writeTimestreamRecords`.
 */
import type { _Record, TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import type { ReleaseEvent } from '#shared/licensing/release/audit.ts';
import type { CompletedReleaseRun, ReleaseSink } from '#shared/licensing/sinks.ts';
import { RELEASE_MEASURE_NAME, TIMESTREAM_DIMENSION } from '#shared/names.ts';
import { type TimestreamTarget, writeTimestreamRecords } from './client.ts';

/** Dimensions this module sets; a static tag with the same name is left out (ours win). */
const OWN_DIMENSIONS = [
  TIMESTREAM_DIMENSION.site,
  TIMESTREAM_DIMENSION.licenseType,
  'user_directory',
  'user_id',
  'access_type_id',
];

/** `released` / `already_gone` / `failed` / `would_release`: the `action` measure. */
const ACTION_VALUE: Record<ReleaseEvent['action'], string> = {
  released: 'released',
  alreadyGone: 'already_gone',
  failed: 'failed',
  wouldRelease: 'would_release',
};

export function releaseRecords(
  run: CompletedReleaseRun,
  tags: ReadonlyArray<{ name: string; value: string }> = [],
): _Record[] {
  const own = new Set(OWN_DIMENSIONS);
  const staticDimensions = tags
    .filter((tag) => !own.has(tag.name.toLowerCase()))
    .map((tag) => ({ Name: tag.name, Value: tag.value }));
  return run.events.map((event) => {
    const { item } = event;
    const measures = [
      { Name: 'action', Value: ACTION_VALUE[event.action], Type: 'VARCHAR' as const },
      { Name: 'dry_run', Value: String(run.result.dryRun), Type: 'BOOLEAN' as const },
      { Name: 'run_id', Value: run.runId, Type: 'VARCHAR' as const },
      { Name: 'reason', Value: item.releaseReason ?? 'inactive', Type: 'VARCHAR' as const },
      ...(item.inactiveDays === null
        ? []
        : [{ Name: 'inactive_days', Value: String(item.inactiveDays), Type: 'BIGINT' as const }]),
      ...(item.lastActivity === null
        ? []
        : [{ Name: 'last_activity', Value: item.lastActivity, Type: 'VARCHAR' as const }]),
      ...(event.error
        ? [{ Name: 'error', Value: event.error.slice(0, 2048), Type: 'VARCHAR' as const }]
        : []),
    ];
    return {
      Dimensions: [
        { Name: TIMESTREAM_DIMENSION.site, Value: run.result.site },
        { Name: TIMESTREAM_DIMENSION.licenseType, Value: item.licenseType },
        { Name: 'user_directory', Value: item.userDirectory || 'unknown' },
        { Name: 'user_id', Value: item.userId || 'unknown' },
        { Name: 'access_type_id', Value: item.accessTypeId },
        ...staticDimensions,
      ],
      MeasureName: RELEASE_MEASURE_NAME,
      MeasureValueType: 'MULTI',
      MeasureValues: measures,
      Time: String(event.at.getTime()),
      TimeUnit: 'MILLISECONDS',
    };
  });
}

export function timestreamReleaseSink(
  client: () => TimestreamWriteClient,
  target: TimestreamTarget,
  tags: ReadonlyArray<{ name: string; value: string }> = [],
): ReleaseSink {
  return {
    name: 'timestream',
    async write(run) {
      const records = releaseRecords(run, tags);
      if (records.length > 0) await writeTimestreamRecords(client(), target, records);
    },
  };
}
