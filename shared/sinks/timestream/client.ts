/**
 * Amazon Timestream for LiveAnalytics writer: multi-measure records, at most 100 per WriteRecords
 * call, rejected records surfaced with their reasons. Throttling is retried by the SDK's own
 * retry strategy (adaptive mode, set where the client is built).
 */
import {
  type _Record,
  RejectedRecordsException,
  TimestreamWriteClient,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { AWS_TIMEOUTS, awsClientDeadlines } from '#shared/aws-clients.ts';
import { StewardError } from '#shared/errors.ts';
import { TIMESTREAM_RESERVED_DIMENSION } from '#shared/names.ts';

export const MAX_RECORDS_PER_WRITE = 100;

export class TimestreamWriteError extends StewardError {
  readonly rejected: Array<{ index: number; reason: string }>;

  constructor(
    message: string,
    rejected: Array<{ index: number; reason: string }> = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TimestreamWriteError';
    this.rejected = rejected;
  }
}

export interface TimestreamTarget {
  database: string;
  table: string;
}

export interface WriteSummary {
  records: number;
  calls: number;
}

export function createTimestreamClient(): TimestreamWriteClient {
  return new TimestreamWriteClient({
    ...awsClientDeadlines(AWS_TIMEOUTS, 5),
    retryMode: 'adaptive',
  });
}

/** Writes all records in batches of 100; the first failing batch stops the write with a clear error. */
export async function writeTimestreamRecords(
  client: TimestreamWriteClient,
  target: TimestreamTarget,
  records: readonly _Record[],
): Promise<WriteSummary> {
  for (const record of records) assertDimensionNames(record);
  let calls = 0;
  for (let start = 0; start < records.length; start += MAX_RECORDS_PER_WRITE) {
    const batch = records.slice(start, start + MAX_RECORDS_PER_WRITE);
    calls++;
    try {
      await client.send(
        new WriteRecordsCommand({
          DatabaseName: target.database,
          TableName: target.table,
          Records: [...batch],
        }),
      );
    } catch (error) {
      if (error instanceof RejectedRecordsException) {
        const rejected = (error.RejectedRecords ?? []).map((r) => ({
          index: start + (r.RecordIndex ?? 0),
          reason: r.Reason ?? 'no reason given',
        }));
        throw new TimestreamWriteError(
          `Timestream rejected ${rejected.length} record(s) in ${target.database}.${target.table}: ${rejected
            .slice(0, 3)
            .map((r) => `#${r.index} ${r.reason}`)
            .join('; ')}`,
          rejected,
          { cause: error },
        );
      }
      const name = (error as Error).name;
      throw new TimestreamWriteError(
        `Timestream write to ${target.database}.${target.table} failed (${name}): ${(error as Error).message}`,
        [],
        { cause: error },
      );
    }
  }
  return { records: records.length, calls };
}

function assertDimensionNames(record: _Record): void {
  for (const dimension of record.Dimensions ?? []) {
    if (!dimension.Name || TIMESTREAM_RESERVED_DIMENSION.test(dimension.Name)) {
      throw new TimestreamWriteError(
        `dimension name "${dimension.Name}" is reserved by Timestream`,
      );
    }
  }
}
