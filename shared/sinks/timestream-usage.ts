/** The Timestream usage sink: one WriteRecords call per site and run (5 records at most). */
import type { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import type { LicenseSnapshot } from '../licensing/snapshot.ts';
import { type TimestreamTarget, writeTimestreamRecords } from './timestream.ts';
import { type StaticTag, usageRecords } from './usage-records.ts';
import type { UsageSink } from './usage-sink.ts';

export function timestreamUsageSink(
  client: TimestreamWriteClient,
  target: TimestreamTarget,
  tags: readonly StaticTag[],
): UsageSink {
  return {
    name: 'timestream',
    async write(snapshot: LicenseSnapshot): Promise<void> {
      const records = usageRecords(snapshot, tags);
      if (records.length > 0) await writeTimestreamRecords(client, target, records);
    },
  };
}
