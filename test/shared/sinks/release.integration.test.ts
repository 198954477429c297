/**
 * Release records in Timestream (through aws-sdk-client-mock) and EMF metrics, and what happens
 * when a sink fails after the DELETEs: the log lines stay, the run reports the error.
 */
import {
  TimestreamWriteClient,
  WriteRecordsCommand,
  type WriteRecordsCommandInput,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import type { SiteReleaseResult } from '#shared/licensing/release/types.ts';
import type { CompletedReleaseRun } from '#shared/licensing/sinks.ts';
import {
  RELEASE_CANDIDATES_METRIC,
  RELEASE_FAILED_METRIC,
  RELEASE_MEASURE_NAME,
  RELEASED_METRIC,
} from '#shared/names.ts';
import { createServiceMetrics } from '#shared/observability/metrics.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import { publishReleaseMetrics } from '#shared/sinks/cloudwatch/release.ts';
import { sinksFromConfig } from '#shared/sinks/from-config.ts';
import { releaseRecords } from '#shared/sinks/timestream/release.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import { type LogLine, memoryLogger, releaseConfig } from '#test/support/release.ts';

const timestream = mockClient(TimestreamWriteClient);
let pki: TestPki;
let sim: Simulator;
let qrs: QrsClient;

beforeAll(async () => {
  pki = await createTestPki();
});
beforeEach(async () => {
  sim = await startSimulator({ site: createSampleSite(new Date()), pki });
  qrs = new QrsClient({
    host: 'localhost',
    port: sim.port,
    tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca },
  });
});
afterEach(async () => {
  timestream.reset();
  qrs.close();
  await sim.close();
});

const destinations = (overrides: { timestream?: boolean; cloudwatch?: boolean } = {}) => ({
  timestream: {
    enable: overrides.timestream ?? true,
    database: 'license_steward',
    usageTable: 'license_usage',
    releaseTable: 'license_release',
  },
  cloudwatch: { enable: overrides.cloudwatch ?? false, namespace: 'LicenseSteward' },
  tags: [
    { name: 'env', value: 'prod' },
    { name: 'user_id', value: 'must-not-override' },
  ],
});

async function releaseWithSinks(dryRun: boolean) {
  const logger = memoryLogger();
  const { release: sinks } = await sinksFromConfig(destinations(), {
    timestream: () => new TimestreamWriteClient({ region: 'eu-north-1' }),
  });
  const result = await runSiteRelease({
    site: 'sample',
    release: releaseConfig({ neverRelease: { userDirectory: ['ADMIN', 'INTERNAL'] } }),
    dryRun,
    runId: 'run-42',
    qrs,
    logger,
    sinks,
  });
  return { result, logger };
}

describe('Timestream release records', () => {
  it('writes one multi-measure record per release into the release table', async () => {
    timestream.on(WriteRecordsCommand).resolves({});

    const { result } = await releaseWithSinks(false);

    const calls = timestream.commandCalls(WriteRecordsCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input as WriteRecordsCommandInput;
    expect(input).toMatchObject({ DatabaseName: 'license_steward', TableName: 'license_release' });
    expect(input.Records).toHaveLength(result.released.length);
    const record = input.Records?.[0];
    const released = result.released[0];
    expect(record?.MeasureName).toBe(RELEASE_MEASURE_NAME);
    expect(record?.MeasureValueType).toBe('MULTI');
    expect(record?.Dimensions).toEqual([
      { Name: 'site', Value: 'sample' },
      { Name: 'license_type', Value: released?.licenseType },
      { Name: 'user_directory', Value: released?.userDirectory },
      { Name: 'user_id', Value: released?.userId },
      { Name: 'access_type_id', Value: released?.accessTypeId },
      { Name: 'env', Value: 'prod' },
    ]);
    const measures = Object.fromEntries(
      (record?.MeasureValues ?? []).map((measure) => [measure.Name, [measure.Value, measure.Type]]),
    );
    expect(measures).toEqual({
      action: ['released', 'VARCHAR'],
      dry_run: ['false', 'BOOLEAN'],
      run_id: ['run-42', 'VARCHAR'],
      inactive_days: [String(released?.inactiveDays), 'BIGINT'],
      last_activity: [released?.lastActivity, 'VARCHAR'],
    });
    for (const dimension of input.Records?.flatMap((r) => r.Dimensions ?? []) ?? [])
      expect(dimension.Name).not.toMatch(/^(time|measure_name|measure_value.*|ts_.*)$/i);
  });

  it('records would-be releases of a dry run', async () => {
    timestream.on(WriteRecordsCommand).resolves({});

    const { result } = await releaseWithSinks(true);

    const input = timestream.commandCalls(WriteRecordsCommand)[0]?.args[0].input;
    expect(input?.Records).toHaveLength(result.candidates.length);
    const actions = input?.Records?.map(
      (record) => record.MeasureValues?.find((measure) => measure.Name === 'action')?.Value,
    );
    expect(new Set(actions)).toEqual(new Set(['would_release']));
  });

  it('a failing write after the DELETEs keeps the log lines and reports the sink error', async () => {
    timestream.on(WriteRecordsCommand).rejects(new Error('ThrottlingException: slow down'));

    const { result, logger } = await releaseWithSinks(false);

    expect(result.released.length).toBeGreaterThan(0);
    expect(result.sinkErrors).toEqual([
      expect.stringMatching(/^timestream: .*ThrottlingException/),
    ]);
    const released = logger.lines.filter((line) => line.extra.outcome === 'released');
    expect(released.map((line) => line.extra.accessTypeId)).toEqual(
      expect.arrayContaining(result.released.map((item) => item.accessTypeId)),
    );
    expect(released).toHaveLength(result.released.length);
    // The log lines came before the sink failure was reported.
    const sinkErrorAt = logger.lines.findIndex((line) => line.extra.sink === 'timestream');
    expect(sinkErrorAt).toBeGreaterThan(logger.lines.indexOf(released.at(-1) as LogLine));
  });

  it('records failed releases with their error, at the time of the answer', () => {
    const records = releaseRecords({
      ...run({}),
      events: [
        {
          action: 'failed',
          item: item('professional'),
          at: new Date('2025-01-01T00:00:00Z'),
          error: 'QRS DELETE answered HTTP 500',
        },
      ],
    });
    expect(records[0]?.Time).toBe(String(Date.parse('2025-01-01T00:00:00Z')));
    expect(records[0]?.TimeUnit).toBe('MILLISECONDS');
    expect(records[0]?.MeasureValues).toEqual(
      expect.arrayContaining([
        { Name: 'action', Value: 'failed', Type: 'VARCHAR' },
        { Name: 'error', Value: 'QRS DELETE answered HTTP 500', Type: 'VARCHAR' },
      ]),
    );
  });
});

describe('EMF release metrics', () => {
  it('publishes ReleaseCandidates, Released and ReleaseFailed per type with Site and LicenseType', () => {
    // Dev mode prints EMF through the global console (and would disable metrics unless told).
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      printed.push(String(line));
    });
    const metrics = createServiceMetrics('LicenseSteward');

    publishReleaseMetrics(
      metrics,
      run({
        candidates: [item('professional'), item('professional'), item('analyzer')],
        released: [item('professional'), { ...item('professional'), alreadyGone: true }],
        failed: [{ ...item('analyzer'), error: 'HTTP 500' }],
      }),
    );

    const documents = printed.map((line) => JSON.parse(line));
    expect(documents).toHaveLength(2);
    const professional = documents.find((doc) => doc.LicenseType === 'professional');
    const analyzer = documents.find((doc) => doc.LicenseType === 'analyzer');
    expect(professional._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'LicenseSteward',
      Dimensions: [['Site', 'LicenseType']],
    });
    expect(professional).toMatchObject({
      Site: 'sample',
      [RELEASE_CANDIDATES_METRIC]: 2,
      [RELEASED_METRIC]: 2,
      [RELEASE_FAILED_METRIC]: 0,
    });
    expect(analyzer).toMatchObject({
      [RELEASE_CANDIDATES_METRIC]: 1,
      [RELEASED_METRIC]: 0,
      [RELEASE_FAILED_METRIC]: 1,
    });
    expect(professional.service).toBeUndefined();
  });
});

function item(licenseType: 'professional' | 'analyzer') {
  return {
    accessTypeId: crypto.randomUUID(),
    licenseType,
    userDirectory: 'LAB',
    userId: 'anna',
    lastActivity: '2024-01-01T00:00:00.000Z',
    inactiveDays: 400,
  } as const;
}

function run(parts: Partial<SiteReleaseResult>): CompletedReleaseRun {
  return {
    runId: 'run-1',
    licenseTypes: ['professional', 'analyzer'],
    events: [],
    result: {
      site: 'sample',
      dryRun: false,
      evaluatedAt: '2025-01-01T00:00:00.000Z',
      candidates: [],
      kept: [],
      released: [],
      failed: [],
      deferred: [],
      sinkErrors: [],
      ...parts,
    },
  };
}
