/**
 * Fault matrix, AWS rows (see docs/faults.md): SSM and Timestream fail at the SDK boundary
 * (aws-sdk-client-mock), QRS is the simulator over mutual TLS, the handlers run with their real
 * middleware, logger and EMF metrics (captured from stdout).
 *
 * Expected: an SSM failure is an error naming the parameters, before anything touches QRS, and
 * never a crashed cold start; a Timestream failure after the DELETEs never hides them: the log
 * lines hold every release, the run reports the sink error, and the EMF metrics are written.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  RejectedRecordsException,
  TimestreamWriteClient,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMonitorHandler } from '#functions/license-monitor/create-handler.ts';
import type { Config } from '#shared/config/schema.ts';
import {
  RELEASE_CANDIDATES_METRIC,
  RELEASE_DEFERRED_METRIC,
  RELEASE_FAILED_METRIC,
  RELEASED_METRIC,
} from '#shared/names.ts';
import { createServiceMetrics } from '#shared/observability/metrics.ts';
import { sinksFromConfig } from '#shared/sinks/from-config.ts';
import { createTimestreamClient } from '#shared/sinks/timestream/client.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import {
  captureProcessOutput,
  deleteCount,
  expectNothingLost,
  lambdaConfig,
  memorySink,
  REAL_RUN,
  releaseHandler,
  servePems,
  ssmNames,
  uniqueSiteName,
} from '#test/support/harness.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { whenBuilt } from '#test/support/when-built.ts';

const ssm = mockClient(SSMClient);
const timestream = mockClient(TimestreamWriteClient);
let pki: TestPki;
let sim: Simulator;

beforeAll(async () => {
  pki = await createTestPki();
  // Real time: CloudWatch only accepts EMF timestamps from the last two weeks.
  sim = await startSimulator({ site: createSampleSite(new Date()), pki });
});
afterAll(async () => {
  ssm.restore();
  timestream.restore();
  await sim.close();
});
beforeEach(() => {
  vi.stubEnv('AWS_REGION', 'eu-north-1');
  sim.faults.length = 0;
  sim.resetCounters();
  ssm.reset();
  timestream.reset();
  ssm.on(GetParametersCommand).callsFake(servePems(pki));
  timestream.on(WriteRecordsCommand).resolves({});
});

/** A fresh sample site per row: release rows change it. */
async function freshSite(): Promise<void> {
  await sim.close();
  sim = await startSimulator({ site: createSampleSite(new Date()), pki });
}

const WITH_SINKS = {
  timestream: { enable: true },
  cloudwatch: { enable: true, namespace: 'LicenseStewardFaults' },
};

function monitorHandler(config: Config) {
  const logger = new Logger({ serviceName: 'license-steward' });
  const sinks = sinksFromConfig(config.destinations, {
    timestream: () => new TimestreamWriteClient({}),
    metrics: () => createServiceMetrics(config.destinations.cloudwatch.namespace, logger),
  });
  return whenBuilt(
    sinks.then(({ usage }) => createMonitorHandler({ config, logger, sinks: usage })),
  );
}

/** The release Lambda with the sinks `destinations` turns on, plus a memory sink for the result. */
function releaseWithSinks(config: Config) {
  const memory = memorySink();
  const sinks = sinksFromConfig(config.destinations, {
    timestream: () => new TimestreamWriteClient({}),
  });
  const handler = whenBuilt(
    sinks.then(({ release }) => releaseHandler({ config, sinks: [...release, memory] })),
  );
  return { handler, memory };
}

/** Runs one Lambda of either kind for a new site; returns the invocation (not awaited). */
function invoke(fn: 'license-monitor' | 'license-release', name: string) {
  if (fn === 'license-monitor') {
    const config = lambdaConfig([{ name, port: sim.port, licenseRelease: null }]);
    return monitorHandler(config)({ site: name }, lambdaContext());
  }
  const config = lambdaConfig([{ name, port: sim.port }]);
  return releaseHandler({ config })({ site: name }, lambdaContext());
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('SSM: the error names the parameters; nothing touches QRS', () => {
  it.each(['license-monitor', 'license-release'] as const)(
    'A1 %s: a certificate parameter is missing → "InvalidParameter NAME", no QRS request',
    async (fn) => {
      // Prepare
      captureProcessOutput();
      const name = uniqueSiteName('ssm-missing');
      ssm
        .on(GetParametersCommand)
        .resolves({ Parameters: [], InvalidParameters: [ssmNames(name).ca] });

      // Act
      const invocation = invoke(fn, name);

      // Assess
      await expect(invocation).rejects.toThrow(
        `cannot read the QRS certificates of site ${name} from SSM`,
      );
      await expect(invocation).rejects.toThrow(`InvalidParameter ${ssmNames(name).ca}`);
      await expect(invocation).rejects.toThrow(/license-steward certs put/);
      expect(sim.requestCount()).toBe(0);
    },
  );

  it.each(['license-monitor', 'license-release'] as const)(
    'A2 %s: access denied → names every parameter and the permissions to check',
    async (fn) => {
      // Prepare
      captureProcessOutput();
      const name = uniqueSiteName('ssm-denied');
      ssm
        .on(GetParametersCommand)
        .rejects(
          awsError(
            'AccessDeniedException',
            'User: arn:aws:sts::123456789012:assumed-role/fn is not authorized to perform: ssm:GetParameters',
          ),
        );

      // Act
      const invocation = invoke(fn, name);

      // Assess
      const names = ssmNames(name);
      await expect(invocation).rejects.toThrow(`(${names.cert}, ${names.key}, ${names.ca})`);
      await expect(invocation).rejects.toThrow(/AccessDeniedException: User: .* is not authorized/);
      await expect(invocation).rejects.toThrow(/may ssm:GetParameters and kms:Decrypt/);
      expect(sim.requestCount()).toBe(0);
    },
  );

  it.each([
    ['license-release', () => import('#functions/license-release/handler.ts')],
    ['license-monitor', () => import('#functions/license-monitor/handler.ts')],
  ] as const)(
    'A3 %s: SSM unreachable at cold start → the module loads, the invocation fails clearly, the next one recovers',
    async (_, load) => {
      // Prepare: the bundle's config, and an SSM endpoint that times out once.
      const output = captureProcessOutput();
      const name = uniqueSiteName('cold');
      const names = ssmNames(name);
      vi.stubEnv(
        'LICENSE_STEWARD_CONFIG',
        JSON.stringify({
          sites: [
            {
              name,
              qrs: {
                host: 'localhost',
                port: sim.port,
                certificates: {
                  cert: { ssmParameter: names.cert },
                  key: { ssmParameter: names.key },
                  ca: { ssmParameter: names.ca },
                },
              },
              licenseRelease: { enable: true },
            },
          ],
          destinations: { timestream: { enable: false }, cloudwatch: { enable: true } },
        }),
      );
      ssm.reset();
      ssm
        .on(GetParametersCommand)
        .rejectsOnce(awsError('TimeoutError', 'connect ETIMEDOUT 10.0.12.7:443'))
        .callsFake(servePems(pki));
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);

      // Act
      const { handler } = await load();
      const callsAtImport = ssm.commandCalls(GetParametersCommand).length;
      const first = await handler({ site: name }, lambdaContext()).then(
        () => undefined,
        (error: Error) => error,
      );
      const second = await handler({ site: name }, lambdaContext());
      await new Promise((resolve) => setImmediate(resolve));
      process.off('unhandledRejection', onUnhandled);

      // Assess
      expect(callsAtImport).toBe(0);
      expect(first?.message).toMatch(
        new RegExp(
          `cannot read the QRS certificates of site ${name} from SSM \\(${names.cert}, .*\\): TimeoutError: connect ETIMEDOUT`,
        ),
      );
      expect(output.logs()).toContainEqual(
        expect.objectContaining({ level: 'ERROR', error: first?.message }),
      );
      expect(second).toMatchObject({ status: 'ok' });
      expect(unhandled).toEqual([]);
    },
  );
});

const TIMESTREAM_FAILURES = [
  [
    'RejectedRecordsException',
    () =>
      new RejectedRecordsException({
        message: 'One or more records have been rejected. See RejectedRecords for details.',
        $metadata: {},
        RejectedRecords: [
          {
            RecordIndex: 0,
            Reason: 'The record timestamp is outside the time range of the memory store.',
          },
        ],
      }),
    /Timestream rejected 1 record\(s\) in license_steward\.license_\w+: #0 The record timestamp is outside/,
  ],
  [
    'ThrottlingException',
    () => awsError('ThrottlingException', 'Rate exceeded'),
    /Timestream write to license_steward\.license_\w+ failed \(ThrottlingException\): Rate exceeded/,
  ],
  [
    'AccessDeniedException',
    () => awsError('AccessDeniedException', 'not authorized to perform: timestream:WriteRecords'),
    /failed \(AccessDeniedException\): not authorized to perform: timestream:WriteRecords/,
  ],
] as const;

describe('Timestream fails after the DELETEs: nothing is lost, the run says so, EMF is written', () => {
  it.each(TIMESTREAM_FAILURES)(
    'A4 release, %s → every release in the log, sinkErrors names it, Lambda returns "failures", EMF written',
    async (_, failure, expected) => {
      // Prepare
      await freshSite();
      const output = captureProcessOutput();
      timestream.on(WriteRecordsCommand).rejects(failure());
      const name = uniqueSiteName('ts-release');
      const { handler, memory } = releaseWithSinks(
        lambdaConfig([{ name, port: sim.port, licenseRelease: REAL_RUN }], WITH_SINKS),
      );

      // Act
      const summary = await handler({ site: name }, lambdaContext());

      // Assess: the DELETEs happened and each one is in the log.
      const result = memory.runs[0]?.result;
      if (!result || !('sinkErrors' in summary)) throw new Error('no run');
      expect(result.released.length).toBeGreaterThan(0);
      expect(deleteCount(sim)).toBe(result.released.length);
      expectNothingLost(result, output.logs());
      // The run reports the sink error (and returns: a retry would plan and release again).
      expect(summary.status).toBe('failures');
      expect(summary.sinkErrors).toEqual([expect.stringMatching(/^timestream: /)]);
      expect(summary.sinkErrors[0]).toMatch(expected);
      expect(output.logs()).toContainEqual(
        expect.objectContaining({
          level: 'ERROR',
          message: expect.stringMatching(/log lines above hold them/),
          sink: 'timestream',
        }),
      );
      // CloudWatch still gets the counts.
      const released = output
        .emf()
        .reduce((sum, doc) => sum + Number(doc[RELEASED_METRIC] ?? 0), 0);
      expect(released).toBe(result.released.length);
    },
  );

  it.each(TIMESTREAM_FAILURES)(
    'A4 monitor, %s → the Lambda fails with the reason, the CloudWatch metrics are written',
    async (_, failure, expected) => {
      // Prepare
      const output = captureProcessOutput();
      timestream.on(WriteRecordsCommand).rejects(failure());
      const name = uniqueSiteName('ts-monitor');

      // Act
      const invocation = monitorHandler(
        lambdaConfig([{ name, port: sim.port, licenseRelease: null }], WITH_SINKS),
      )({ site: name }, lambdaContext());

      // Assess
      await expect(invocation).rejects.toThrow(
        new RegExp(`license monitor run for site ${name} failed: timestream: .*${expected.source}`),
      );
      expect(output.emf().map((doc) => doc.LicenseType)).toEqual([
        'professional',
        'analyzer',
        'analyzer_capacity',
        'license',
      ]);
    },
  );

  it('A4 throttling is retried by the SDK first: adaptive retry mode, 5 attempts', async () => {
    // Act
    const client = createTimestreamClient();

    // Assess
    expect(await client.config.maxAttempts()).toBe(5);
    expect(await client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    client.destroy();
  });
});

describe('EMF release metrics: written on every run that planned, one document per license type', () => {
  it.each([
    [
      'a dry run',
      { enable: true },
      { [RELEASE_CANDIDATES_METRIC]: 'positive', [RELEASED_METRIC]: 0 },
    ],
    [
      'a run where every DELETE fails',
      REAL_RUN,
      { [RELEASE_FAILED_METRIC]: 'positive', [RELEASED_METRIC]: 0 },
    ],
    [
      'a run with nothing to release',
      {
        ...REAL_RUN,
        licenseType: {
          professional: { releaseThresholdDays: 3650 },
          analyzer: { releaseThresholdDays: 3650 },
        },
      },
      { [RELEASE_CANDIDATES_METRIC]: 0, [RELEASED_METRIC]: 0, [RELEASE_FAILED_METRIC]: 0 },
    ],
    [
      'a run out of time',
      REAL_RUN,
      { [RELEASE_DEFERRED_METRIC]: 'positive', [RELEASED_METRIC]: 0 },
    ],
  ] as const)(
    'A5 %s → ReleaseCandidates, Released, ReleaseFailed, ReleaseDeferred per type',
    async (scenario, release, expected) => {
      // Prepare
      await freshSite();
      const output = captureProcessOutput();
      if (scenario === 'a run where every DELETE fails')
        sim.faults.push({ method: 'DELETE', route: /accesstype\//, status: 500 });
      const name = uniqueSiteName('emf');
      const { handler } = releaseWithSinks(
        lambdaConfig([{ name, port: sim.port, licenseRelease: release }], {
          ...WITH_SINKS,
          timestream: { enable: false },
        }),
      );
      const remainingMs = scenario === 'a run out of time' ? () => 1_000 : () => 600_000;

      // Act
      await handler({ site: name }, lambdaContext({ remainingMs }));

      // Assess
      const docs = output.emf();
      expect(docs.map((doc) => doc.LicenseType).sort()).toEqual(['analyzer', 'professional']);
      for (const doc of docs)
        for (const metric of [
          RELEASE_CANDIDATES_METRIC,
          RELEASED_METRIC,
          RELEASE_FAILED_METRIC,
          RELEASE_DEFERRED_METRIC,
        ])
          expect(typeof doc[metric]).toBe('number');
      const total = (metric: string) => docs.reduce((sum, doc) => sum + Number(doc[metric]), 0);
      for (const [metric, value] of Object.entries(expected)) {
        if (value === 'positive') expect(total(metric)).toBeGreaterThan(0);
        else expect(total(metric)).toBe(value);
      }
    },
  );
});
