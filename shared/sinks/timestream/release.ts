/**
 * Release records for Timestream (`destinations.timestream.releaseTable`): one multi-measure
 * record per release, failed release or would-be release, with the allocation id and the run id
 * (what Butler's records lacked). Written through the shared `writeTimestreamRecords`.
 */
import type { _Record, TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import type { ClientProvider } from '#shared/aws-clients.ts';
import type { CompletedReleaseRun, ReleaseSink } from '#shared/licensing/sinks.ts';
import {
  RELEASE_ACTION,
  RELEASE_MEASURE,
  RELEASE_MEASURE_NAME,
  TIMESTREAM_DIMENSION,
} from '#shared/names.ts';
import { type TimestreamTarget, writeTimestreamRecords } from './client.ts';

/** Dimensions this module sets; a static tag with the same name is left out (ours win). */
const OWN_DIMENSIONS: readonly string[] = Object.values(TIMESTREAM_DIMENSION);

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
      {
        Name: RELEASE_MEASURE.action,
        Value: RELEASE_ACTION[event.action],
        Type: 'VARCHAR' as const,
      },
      { Name: RELEASE_MEASURE.dryRun, Value: String(run.result.dryRun), Type: 'BOOLEAN' as const },
      { Name: RELEASE_MEASURE.runId, Value: run.runId, Type: 'VARCHAR' as const },
      ...(item.inactiveDays === null
        ? []
        : [
            {
              Name: RELEASE_MEASURE.inactiveDays,
              Value: String(item.inactiveDays),
              Type: 'BIGINT' as const,
            },
          ]),
      ...(item.lastActivity === null
        ? []
        : [
            {
              Name: RELEASE_MEASURE.lastActivity,
              Value: item.lastActivity,
              Type: 'VARCHAR' as const,
            },
          ]),
      ...(event.error
        ? [
            {
              Name: RELEASE_MEASURE.error,
              Value: event.error.slice(0, 2048),
              Type: 'VARCHAR' as const,
            },
          ]
        : []),
    ];
    return {
      Dimensions: [
        { Name: TIMESTREAM_DIMENSION.site, Value: run.result.site },
        { Name: TIMESTREAM_DIMENSION.licenseType, Value: item.licenseType },
        { Name: TIMESTREAM_DIMENSION.userDirectory, Value: item.userDirectory || 'unknown' },
        { Name: TIMESTREAM_DIMENSION.userId, Value: item.userId || 'unknown' },
        { Name: TIMESTREAM_DIMENSION.accessTypeId, Value: item.accessTypeId },
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
  client: ClientProvider<TimestreamWriteClient>,
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
