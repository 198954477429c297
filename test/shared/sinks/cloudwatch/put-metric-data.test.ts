/**
 * CloudWatch through `PutMetricData` (the CLI's `--write`): for the same snapshot and the same
 * release run, exactly the metrics the EMF sinks print in Lambda (names, dimensions, values,
 * units, the snapshot's time), sent by the real SDK client to aws-sdk-client-mock.
 */
import {
  CloudWatchClient,
  type MetricDatum,
  PutMetricDataCommand,
  type PutMetricDataInput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { CompletedReleaseRun } from '#shared/licensing/sinks.ts';
import { createServiceMetrics } from '#shared/observability/metrics.ts';
import { createPutMetricData } from '#shared/sinks/cloudwatch/client.ts';
import {
  putMetricDataReleaseSink,
  putMetricDataUsageSink,
} from '#shared/sinks/cloudwatch/put-metric-data.ts';
import { cloudWatchReleaseSink } from '#shared/sinks/cloudwatch/release.ts';
import { cloudWatchUsageSink } from '#shared/sinks/cloudwatch/usage.ts';
import { captureOutput, emfDocuments } from '#test/support/monitor.ts';
import { sampleSnapshot } from '#test/support/snapshot.ts';

const cloudwatch = mockClient(CloudWatchClient);
afterEach(() => cloudwatch.reset());

const COLLECTED_AT = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString();
const NAMESPACE = 'LicenseStewardTest';

interface Metric {
  namespace: unknown;
  name: unknown;
  site: unknown;
  licenseType: unknown;
  value: unknown;
  unit: unknown;
  timestamp?: unknown;
}

/** Every metric of the EMF documents, one entry each. */
function fromEmf(documents: Array<Record<string, unknown>>, withTime: boolean): Metric[] {
  return documents.flatMap((doc) => {
    const aws = doc._aws as {
      Timestamp: number;
      CloudWatchMetrics: Array<{
        Namespace: string;
        Dimensions: string[][];
        Metrics: Array<{ Name: string; Unit: string }>;
      }>;
    };
    const [directive] = aws.CloudWatchMetrics;
    expect(directive?.Dimensions).toEqual([['Site', 'LicenseType']]);
    return (directive?.Metrics ?? []).map((metric) => ({
      namespace: directive?.Namespace,
      name: metric.Name,
      site: doc.Site,
      licenseType: doc.LicenseType,
      value: doc[metric.Name],
      unit: metric.Unit,
      ...(withTime ? { timestamp: aws.Timestamp } : {}),
    }));
  });
}

function fromPutMetricData(inputs: PutMetricDataInput[], withTime: boolean): Metric[] {
  return inputs.flatMap((input) =>
    (input.MetricData ?? []).map((datum: MetricDatum) => {
      expect(datum.Dimensions?.map((dimension) => dimension.Name)).toEqual(['Site', 'LicenseType']);
      return {
        namespace: input.Namespace,
        name: datum.MetricName,
        site: datum.Dimensions?.[0]?.Value,
        licenseType: datum.Dimensions?.[1]?.Value,
        value: datum.Value,
        unit: datum.Unit,
        ...(withTime ? { timestamp: datum.Timestamp?.getTime() } : {}),
      };
    }),
  );
}

const sentInputs = () =>
  cloudwatch.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input);

describe('CloudWatch through PutMetricData', () => {
  it('sends the usage metrics the EMF sink prints, stamped with the collection time', async () => {
    // Prepare
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const snapshot = sampleSnapshot({ collectedAt: COLLECTED_AT });
    const stdout = captureOutput();
    await cloudWatchUsageSink(createServiceMetrics(NAMESPACE)).write(snapshot);
    const emf = fromEmf(emfDocuments(stdout.lines()), true);
    const { send } = createPutMetricData(new CloudWatchClient({ region: 'eu-north-1' }));

    // Act
    await putMetricDataUsageSink(send, NAMESPACE).write(snapshot);

    // Assess
    expect(emf.length).toBeGreaterThan(10);
    expect(fromPutMetricData(sentInputs(), true)).toEqual(emf);
    expect(sentInputs()).toHaveLength(1);
  });

  it('sends the release counts the EMF sink prints, 0 included', async () => {
    // Prepare
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const item = {
      accessTypeId: 'a-1',
      licenseType: 'analyzer' as const,
      userDirectory: 'CORP',
      userId: 'anna',
      lastActivity: '2025-12-01T08:30:00.000Z',
      inactiveDays: 89,
    };
    const run: CompletedReleaseRun = {
      runId: 'run-1',
      licenseTypes: ['professional', 'analyzer'],
      events: [],
      result: {
        site: 'prod',
        dryRun: false,
        evaluatedAt: COLLECTED_AT,
        candidates: [item, { ...item, accessTypeId: 'a-2' }],
        kept: [],
        released: [item],
        failed: [{ ...item, accessTypeId: 'a-2', error: 'HTTP 500' }],
        deferred: [],
        sinkErrors: [],
      },
    };
    const stdout = captureOutput();
    await cloudWatchReleaseSink(createServiceMetrics(NAMESPACE)).write(run);
    const emf = fromEmf(emfDocuments(stdout.lines()), false);
    const { send } = createPutMetricData(new CloudWatchClient({ region: 'eu-north-1' }));

    // Act
    await putMetricDataReleaseSink(send, NAMESPACE).write(run);

    // Assess
    expect(fromPutMetricData(sentInputs(), false)).toEqual(emf);
    expect(emf).toContainEqual(
      expect.objectContaining({ name: 'Released', licenseType: 'analyzer', value: 1 }),
    );
    expect(emf).toContainEqual(
      expect.objectContaining({ name: 'Released', licenseType: 'professional', value: 0 }),
    );
  });

  it('fails the sink when CloudWatch refuses the request', async () => {
    // Prepare
    cloudwatch
      .on(PutMetricDataCommand)
      .rejects(new Error('User is not authorized to perform: cloudwatch:PutMetricData'));
    const { send } = createPutMetricData(new CloudWatchClient({ region: 'eu-north-1' }));

    // Act / Assess
    await expect(
      putMetricDataUsageSink(send, NAMESPACE).write(sampleSnapshot({ collectedAt: COLLECTED_AT })),
    ).rejects.toThrow('cloudwatch:PutMetricData');
  });
});
