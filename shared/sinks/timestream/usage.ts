/** The Timestream usage sink: one WriteRecords call per site and run (5 records at most). */
import type { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import type { ClientProvider } from '#shared/aws-clients.ts';
import type { LicenseSnapshot } from '#shared/licensing/monitor/snapshot.ts';
import type { UsageSink } from '#shared/licensing/sinks.ts';
import { type TimestreamTarget, writeTimestreamRecords } from './client.ts';
import { type StaticTag, usageRecords } from './usage-records.ts';

export function timestreamUsageSink(
  client: ClientProvider<TimestreamWriteClient>,
  target: TimestreamTarget,
  tags: readonly StaticTag[],
): UsageSink {
  return {
    name: 'timestream',
    async write(snapshot: LicenseSnapshot): Promise<void> {
      const records = usageRecords(snapshot, tags);
      if (records.length > 0) await writeTimestreamRecords(client(), target, records);
    },
  };
}
