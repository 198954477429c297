/**
 * The license-monitor Lambda end to end: SSM (aws-sdk-client-mock) → QRS simulator over mTLS →
 * Timestream (aws-sdk-client-mock) and CloudWatch EMF (captured stdout).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { TimestreamWriteClient, WriteRecordsCommand } from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMonitorHandler } from '#functions/license-monitor/create-handler.ts';
import type { Config } from '#shared/config/schema.ts';
import { createServiceMetrics } from '#shared/observability/metrics.ts';
import { sinksFromConfig } from '#shared/sinks/from-config.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import { tokenLef } from '#test/simulator/token-site.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { captureOutput, emfDocuments, ssmSiteConfig } from '#test/support/monitor.ts';
import { whenBuilt } from '#test/support/when-built.ts';

const ssm = mockClient(SSMClient);
const timestream = mockClient(TimestreamWriteClient);

let pki: TestPki;
let sim: Simulator;
/** Each test monitors a site of its own, so no test sees another's kept certificates. */
let siteCounter = 0;
let siteName: string;

beforeAll(async () => {
  pki = await createTestPki();
  // Real time: CloudWatch only accepts EMF timestamps from the last two weeks.
  sim = await startSimulator({ site: createSampleSite(new Date()), pki });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  vi.stubEnv('AWS_REGION', 'eu-north-1');
  siteName = `monitor-handler-${++siteCounter}`;
  sim.resetCounters();
  sim.faults.length = 0;
  ssm.reset();
  timestream.reset();
  timestream.on(WriteRecordsCommand).resolves({});
  ssm.on(GetParametersCommand).callsFake(servePems);
});

/** What SSM answers for the site's parameters (a promise, as the SDK's `send` returns). */
async function servePems(input: { Names?: string[] }) {
  return {
    Parameters: (input.Names ?? []).map((name) => ({
      Name: name,
      Type: 'SecureString',
      Value: pemFor(name),
    })),
    InvalidParameters: [],
  };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

function pemFor(name: string): string {
  if (name.endsWith('/client-cert')) return pki.client.cert;
  if (name.endsWith('/client-key')) return pki.client.key;
  return pki.ca;
}

function configFor(overrides: Record<string, unknown> = {}): Config {
  return ssmSiteConfig([{ name: siteName, port: sim.port }], {
    destinations: {
      timestream: { enable: true },
      cloudwatch: { enable: true, namespace: 'LicenseStewardTest' },
      tags: [{ name: 'env', value: 'test' }],
    },
    ...overrides,
  });
}

function buildHandler(config: Config) {
  const logger = new Logger({ serviceName: 'license-steward' });
  const sinks = sinksFromConfig(config.destinations, {
    timestream: () => new TimestreamWriteClient({}),
    metrics: () => createServiceMetrics(config.destinations.cloudwatch.namespace, logger),
  });
  let run = 0;
  return whenBuilt(
    sinks.then(({ usage }) =>
      createMonitorHandler({ config, logger, sinks: usage, newRunId: () => `run-${++run}` }),
    ),
  );
}

/** The monitor function's context, with a minute left. */
const monitorContext = () =>
  lambdaContext({ functionName: 'license-steward-monitor', remainingMs: 60_000 });

function logs(lines: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return lines.filter((line) => 'level' in line && 'message' in line);
}

describe('license-monitor handler', () => {
  it('collects the site named by the event and writes Timestream records and EMF metrics', async () => {
    // Prepare
    const stdout = captureOutput();
    const handler = buildHandler(configFor());

    // Act
    const summary = await handler({ site: siteName }, monitorContext());

    // Assess
    expect(summary).toMatchObject({
      site: siteName,
      runId: 'run-1',
      status: 'ok',
      qrsRequests: 2,
      written: ['timestream', 'cloudwatch'],
    });
    const writes = timestream.commandCalls(WriteRecordsCommand);
    expect(writes).toHaveLength(1);
    expect(writes[0]?.args[0].input.Records).toHaveLength(5);
    expect(writes[0]?.args[0].input.Records?.[0]?.Dimensions).toContainEqual({
      Name: 'env',
      Value: 'test',
      DimensionValueType: 'VARCHAR',
    });
    const emf = emfDocuments(stdout.lines());
    expect(emf.map((doc) => doc.LicenseType)).toEqual([
      'professional',
      'analyzer',
      'analyzer_capacity',
      'license',
    ]);
    expect(emf.every((doc) => doc.Site === siteName)).toBe(true);
    expect(emf[0]).toMatchObject({ Total: 10, Allocated: 5, Available: 5 });
  });

  it('puts the site and the run id on every log line of the run', async () => {
    // Prepare
    const stdout = captureOutput();

    // Act
    await buildHandler(configFor())({ site: siteName }, monitorContext());

    // Assess
    const lines = logs(stdout.lines());
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatchObject({ site: siteName, runId: 'run-1' });
    expect(stdout.raw()).not.toContain('PRIVATE KEY');
    expect(stdout.raw()).not.toContain('BEGIN CERTIFICATE');
  });

  it('logs a warning when a token site holds more tokens than its LEF grants', async () => {
    // Prepare: the sample site turned into a token site whose LEF was cut to 50 tokens.
    const stdout = captureOutput();
    const saved = { tokens: sim.site.tokens, text: sim.site.license.text };
    sim.site.tokens = {
      total: 50,
      available: 0,
      userAccess: { allocatedTokens: 55, usedTokens: 40, quarantinedTokens: 1 },
      loginAccess: { allocatedTokens: 4, usedTokens: 1, unavailableTokens: 0 },
    };
    sim.site.license.text = tokenLef(50, '');

    // Act
    try {
      await buildHandler(configFor())({ site: siteName }, monitorContext());
    } finally {
      sim.site.tokens = saved.tokens;
      sim.site.license.text = saved.text;
    }

    // Assess
    const warning = logs(stdout.lines()).find((line) => line.subject === 'tokens');
    expect(warning).toMatchObject({ level: 'WARN', site: siteName });
    expect(String(warning?.message)).toMatch(
      /^license tokens: 60 tokens allocated but the LEF licenses 50 .*the first 10 token\(s\) released do not become available$/,
    );
  });

  it('fetches the certificates from SSM once across two warm invocations', async () => {
    // Prepare
    captureOutput();
    const handler = buildHandler(configFor());

    // Act
    const first = await handler({ site: siteName }, monitorContext());
    const second = await handler({ site: siteName }, monitorContext());

    // Assess
    expect([first.status, second.status]).toEqual(['ok', 'ok']);
    const calls = ssm.commandCalls(GetParametersCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      Names: [
        `/license-steward/${siteName}/client-cert`,
        `/license-steward/${siteName}/client-key`,
        `/license-steward/${siteName}/root-ca`,
      ],
      WithDecryption: true,
    });
    expect(sim.requestCount()).toBe(4);
  });

  it('fails the run on a QRS error and writes no metric at all', async () => {
    // Prepare
    const stdout = captureOutput();
    sim.faults.push({ route: '/qrs/license/accesstypeoverview', status: 503 });

    // Act
    const run = buildHandler(configFor())({ site: siteName }, monitorContext());

    // Assess
    await expect(run).rejects.toThrow(
      new RegExp(`license monitor run for site ${siteName} failed: .*HTTP 503`),
    );
    expect(timestream.commandCalls(WriteRecordsCommand)).toHaveLength(0);
    expect(emfDocuments(stdout.lines())).toHaveLength(0);
    expect(logs(stdout.lines())).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'license monitor run failed',
        site: siteName,
      }),
    );
  });

  it('fails the run when Timestream fails, and still emits the CloudWatch metrics', async () => {
    // Prepare
    const stdout = captureOutput();
    timestream.on(WriteRecordsCommand).rejects(
      Object.assign(new Error('not authorized to perform timestream:WriteRecords'), {
        name: 'AccessDeniedException',
      }),
    );

    // Act
    const run = buildHandler(configFor())({ site: siteName }, monitorContext());

    // Assess
    await expect(run).rejects.toThrow(/timestream: .*AccessDeniedException/);
    expect(emfDocuments(stdout.lines())).toHaveLength(4);
  });

  it('reports an SSM failure as a clear error naming the parameters, and retries it on the next invocation', async () => {
    // Prepare
    captureOutput();
    ssm
      .on(GetParametersCommand)
      .rejectsOnce(
        Object.assign(new Error('User is not authorized to perform: ssm:GetParameters'), {
          name: 'AccessDeniedException',
        }),
      )
      .callsFake(servePems);
    const handler = buildHandler(configFor());

    // Act
    const failed = handler({ site: siteName }, monitorContext());

    // Assess
    await expect(failed).rejects.toThrow(
      new RegExp(
        `cannot read the QRS certificates of site ${siteName} from SSM \\(/license-steward/${siteName}/client-cert, .*AccessDeniedException: User is not authorized`,
      ),
    );
    await expect(handler({ site: siteName }, monitorContext())).resolves.toMatchObject({
      status: 'ok',
    });
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(2);
  });

  it('names a certificate parameter that does not exist', async () => {
    // Prepare
    captureOutput();
    ssm
      .on(GetParametersCommand)
      .resolves({ Parameters: [], InvalidParameters: [`/license-steward/${siteName}/root-ca`] });

    // Act
    const run = buildHandler(configFor())({ site: siteName }, monitorContext());

    // Assess
    await expect(run).rejects.toThrow(
      new RegExp(`InvalidParameter /license-steward/${siteName}/root-ca`),
    );
  });

  it('skips a site whose license monitor is disabled without touching SSM or QRS', async () => {
    // Prepare
    const stdout = captureOutput();
    const config = configFor();
    const site = config.sites[0];
    if (site) site.licenseMonitor.enable = false;

    // Act
    const summary = await buildHandler(config)({ site: siteName }, monitorContext());

    // Assess
    expect(summary).toEqual({ site: siteName, runId: 'run-1', status: 'skipped' });
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(0);
    expect(sim.requestCount()).toBe(0);
    expect(logs(stdout.lines())).toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/disabled/) }),
    );
  });

  it('rejects an event that names no configured site', async () => {
    // Prepare
    captureOutput();

    // Act / Assess
    await expect(buildHandler(configFor())({ site: 'nowhere' }, monitorContext())).rejects.toThrow(
      /site "nowhere" is not in the deployed configuration/,
    );
    await expect(buildHandler(configFor())({}, monitorContext())).rejects.toThrow(
      /\{"site": "<name>"\}/,
    );
  });
});

describe('license-monitor entry module', () => {
  it('builds its handler from the config the bundle carries and runs it', async () => {
    // Prepare
    const stdout = captureOutput();
    vi.stubEnv(
      'LICENSE_STEWARD_CONFIG',
      JSON.stringify({
        sites: [
          {
            name: siteName,
            qrs: {
              host: 'localhost',
              port: sim.port,
              certificates: {
                cert: { ssmParameter: `/license-steward/${siteName}/client-cert` },
                key: { ssmParameter: `/license-steward/${siteName}/client-key` },
                ca: { ssmParameter: `/license-steward/${siteName}/root-ca` },
              },
            },
          },
        ],
        destinations: {
          timestream: { enable: true },
          cloudwatch: { enable: true, namespace: 'FromBundle' },
        },
      }),
    );
    const { handler } = await import('#functions/license-monitor/handler.ts');

    // Act
    const summary = await handler({ site: siteName }, monitorContext());

    // Assess
    expect(summary).toMatchObject({ status: 'ok', written: ['timestream', 'cloudwatch'] });
    expect(timestream.commandCalls(WriteRecordsCommand)[0]?.args[0].input).toMatchObject({
      DatabaseName: 'license_steward',
      TableName: 'license_usage',
    });
    const namespaces = emfDocuments(stdout.lines()).map(
      (doc) =>
        (doc._aws as { CloudWatchMetrics: Array<{ Namespace: string }> }).CloudWatchMetrics[0]
          ?.Namespace,
    );
    expect(new Set(namespaces)).toEqual(new Set(['FromBundle']));
  });
});
