import {
  type _Record,
  RejectedRecordsException,
  TimestreamWriteClient,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LicenseSnapshot } from '#shared/licensing/monitor/snapshot.ts';
import { MAX_RECORDS_PER_WRITE, writeTimestreamRecords } from '#shared/sinks/timestream/client.ts';
import { timestreamUsageSink } from '#shared/sinks/timestream/usage.ts';
import { NOW } from '#test/support/monitor.ts';
import { sampleSnapshot } from '#test/support/snapshot.ts';

const timestream = mockClient(TimestreamWriteClient);
const TARGET = { database: 'license_steward', table: 'license_usage' };

const SNAPSHOT: LicenseSnapshot = sampleSnapshot({ collectedAt: NOW.toISOString() });

function writtenRecords(): _Record[] {
  return timestream
    .commandCalls(WriteRecordsCommand)
    .flatMap((call) => call.args[0].input.Records ?? []);
}

function measures(record: _Record | undefined): Record<string, { value: string; type: string }> {
  return Object.fromEntries(
    (record?.MeasureValues ?? []).map((m) => [m.Name, { value: m.Value, type: m.Type }]),
  );
}

beforeEach(() => {
  timestream.reset();
  timestream.on(WriteRecordsCommand).resolves({});
});

describe('Timestream usage sink', () => {
  it('writes one multi-measure record per license type in a single WriteRecords call', async () => {
    // Prepare
    const sink = timestreamUsageSink(
      () => new TimestreamWriteClient({ region: 'eu-north-1' }),
      TARGET,
      [{ name: 'env', value: 'prod' }],
    );

    // Act
    await sink.write(SNAPSHOT);

    // Assess
    const calls = timestream.commandCalls(WriteRecordsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({
      DatabaseName: 'license_steward',
      TableName: 'license_usage',
    });
    const records = writtenRecords();
    expect(records.map((r) => r.Dimensions?.find((d) => d.Name === 'license_type')?.Value)).toEqual(
      ['professional', 'analyzer', 'analyzer_capacity', 'tokens', 'license'],
    );
    for (const record of records) {
      expect(record).toMatchObject({
        MeasureName: 'license_usage',
        MeasureValueType: 'MULTI',
        Time: String(NOW.getTime()),
        TimeUnit: 'MILLISECONDS',
      });
      expect(record.Dimensions).toEqual([
        { Name: 'site', Value: 'prod', DimensionValueType: 'VARCHAR' },
        expect.objectContaining({ Name: 'license_type' }),
        { Name: 'env', Value: 'prod', DimensionValueType: 'VARCHAR' },
      ]);
    }
  });

  it('stores the counts as typed measures with names Timestream accepts', async () => {
    // Act
    await timestreamUsageSink(
      () => new TimestreamWriteClient({ region: 'eu-north-1' }),
      TARGET,
      [],
    ).write(SNAPSHOT);

    // Assess
    const [professional, , capacity, , license] = writtenRecords();
    expect(measures(professional)).toEqual({
      enabled: { value: 'true', type: 'BOOLEAN' },
      total: { value: '10', type: 'DOUBLE' },
      allocated: { value: '5', type: 'DOUBLE' },
      used: { value: '4', type: 'DOUBLE' },
      quarantined: { value: '0', type: 'DOUBLE' },
      excess: { value: '0', type: 'DOUBLE' },
      available: { value: '5', type: 'DOUBLE' },
    });
    expect(measures(capacity)).toMatchObject({
      allocated_minutes: { value: '700', type: 'DOUBLE' },
      used_minutes: { value: '212', type: 'DOUBLE' },
    });
    expect(measures(license)).toEqual({
      model: { value: 'lef', type: 'VARCHAR' },
      expires_at: { value: '2026-04-15T00:00:00.000Z', type: 'VARCHAR' },
      days_until_expiry: { value: '44.5', type: 'DOUBLE' },
      licensed_professional: { value: '10', type: 'DOUBLE' },
      licensed_analyzer: { value: '20', type: 'DOUBLE' },
    });
    const names = writtenRecords().flatMap((r) => [
      ...(r.Dimensions ?? []).map((d) => d.Name ?? ''),
      ...(r.MeasureValues ?? []).map((m) => m.Name ?? ''),
    ]);
    for (const name of names)
      expect(name).not.toMatch(/^(time|measure_name|measure_value.*|ts_.*)$/i);
  });

  it("stores a token site's user and login access tokens, leaving out what QRS did not send", async () => {
    // Prepare
    const tokenSite: LicenseSnapshot = {
      ...SNAPSHOT,
      tokens: {
        enabled: true,
        total: 100,
        available: 35,
        userAccess: { tokenCost: 1, allocatedTokens: 60, usedTokens: 52, quarantinedTokens: 3 },
        loginAccess: {
          tokenCost: 0.1,
          allocatedTokens: 5,
          usedTokens: 2.3,
          unavailableTokens: null,
        },
      },
    };

    // Act
    await timestreamUsageSink(
      () => new TimestreamWriteClient({ region: 'eu-north-1' }),
      TARGET,
      [],
    ).write(tokenSite);

    // Assess
    const tokens = writtenRecords()[3];
    expect(tokens?.Dimensions?.find((d) => d.Name === 'license_type')?.Value).toBe('tokens');
    expect(measures(tokens)).toEqual({
      enabled: { value: 'true', type: 'BOOLEAN' },
      total: { value: '100', type: 'DOUBLE' },
      available: { value: '35', type: 'DOUBLE' },
      user_access_allocated: { value: '60', type: 'DOUBLE' },
      user_access_used: { value: '52', type: 'DOUBLE' },
      user_access_quarantined: { value: '3', type: 'DOUBLE' },
      login_access_allocated: { value: '5', type: 'DOUBLE' },
      login_access_used: { value: '2.3', type: 'DOUBLE' },
    });
  });

  it('writes no record for a block the server did not report and no measure for a missing value', async () => {
    // Prepare
    const partial: LicenseSnapshot = {
      ...SNAPSHOT,
      analyzer: null,
      analyzerCapacity: null,
      tokens: null,
      license: null,
      professional: {
        enabled: true,
        total: 10,
        allocated: 5,
        used: null,
        quarantined: null,
        excess: null,
        available: null,
      },
    };

    // Act
    await timestreamUsageSink(
      () => new TimestreamWriteClient({ region: 'eu-north-1' }),
      TARGET,
      [],
    ).write(partial);

    // Assess
    const records = writtenRecords();
    expect(records).toHaveLength(1);
    expect(Object.keys(measures(records[0]))).toEqual(['enabled', 'total', 'allocated']);
  });

  it('surfaces rejected records with their reasons', async () => {
    // Prepare
    timestream.on(WriteRecordsCommand).rejects(
      new RejectedRecordsException({
        $metadata: {},
        message: 'One or more records have been rejected.',
        RejectedRecords: [
          { RecordIndex: 2, Reason: 'The record timestamp is outside the time range' },
        ],
      }),
    );

    // Act / Assess
    await expect(
      timestreamUsageSink(
        () => new TimestreamWriteClient({ region: 'eu-north-1' }),
        TARGET,
        [],
      ).write(SNAPSHOT),
    ).rejects.toThrow(/rejected 1 record\(s\).*#2 The record timestamp is outside the time range/);
  });
});

describe('writeTimestreamRecords batching', () => {
  it('splits more than 100 records into calls of at most 100, in order', async () => {
    // Prepare
    const records: _Record[] = Array.from({ length: 250 }, (_, index) => ({
      Dimensions: [{ Name: 'site', Value: `site${index}` }],
      MeasureName: 'license_usage',
      MeasureValueType: 'MULTI',
      MeasureValues: [{ Name: 'total', Value: String(index), Type: 'DOUBLE' }],
      Time: String(NOW.getTime()),
      TimeUnit: 'MILLISECONDS',
    }));

    // Act
    const summary = await writeTimestreamRecords(
      new TimestreamWriteClient({ region: 'eu-north-1' }),
      TARGET,
      records,
    );

    // Assess
    const sizes = timestream
      .commandCalls(WriteRecordsCommand)
      .map((call) => call.args[0].input.Records?.length);
    expect(MAX_RECORDS_PER_WRITE).toBe(100);
    expect(sizes).toEqual([100, 100, 50]);
    expect(summary).toEqual({ records: 250, calls: 3 });
    expect(writtenRecords().map((r) => r.Dimensions?.[0]?.Value)).toEqual(
      records.map((r) => r.Dimensions?.[0]?.Value),
    );
  });
});
