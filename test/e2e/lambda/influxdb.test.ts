/**
 * Both Lambda handlers with the InfluxDB destination on, end to end: SSM (aws-sdk-client-mock)
 * holds the certificates, the InfluxDB token and the InfluxDB server's CA; QRS is the simulator
 * over mutual TLS; InfluxDB is the test server over HTTPS (test/support/influx-server.ts); Timestream is mocked and
 * CloudWatch EMF captured from stdout.
 *
 * Expected: the token is read from SSM on the first write and kept across warm invocations; a
 * failing InfluxDB fails the monitor run (naming the sink) without hiding the other sinks, and is
 * a sink error of a release run; the token appears in no log line, error or summary.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { TimestreamWriteClient, WriteRecordsCommand } from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMonitorHandler } from '#functions/license-monitor/create-handler.ts';
import type { Config } from '#shared/config/schema.ts';
import { createServiceMetrics } from '#shared/observability/metrics.ts';
import { SECRET_CACHE_MS, SsmReader } from '#shared/secrets/ssm-reader.ts';
import { sinksFromConfig } from '#shared/sinks/from-config.ts';
import { influxDbWriterFromConfig } from '#shared/sinks/influxdb/from-config.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import {
  captureProcessOutput,
  lambdaConfig,
  memorySink,
  releaseHandler,
  servePems,
  uniqueSiteName,
} from '#test/support/harness.ts';
import { type InfluxServer, startInfluxServer } from '#test/support/influx-server.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { whenBuilt } from '#test/support/when-built.ts';

const TOKEN = 'Qm9yaXMtaW5mbHV4LXRva2VuLXRoYXQtbXVzdC1uZXZlci1sZWFr';
const TOKEN_PARAMETER = '/license-steward/influxdb-token';
const CA_PARAMETER = '/license-steward/influxdb-ca';

const ssm = mockClient(SSMClient);
const timestream = mockClient(TimestreamWriteClient);
let pki: TestPki;
let sim: Simulator;
let influx: InfluxServer;
/** What SSM holds for the token parameter (undefined: the parameter does not exist). */
let storedToken: string | undefined;

beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(() => {
  ssm.restore();
  timestream.restore();
});
beforeEach(async () => {
  vi.stubEnv('AWS_REGION', 'eu-north-1');
  // Real time: CloudWatch only accepts EMF timestamps from the last two weeks.
  sim = await startSimulator({ site: createSampleSite(new Date()), pki });
  influx = await startInfluxServer({
    token: TOKEN,
    org: 'qlik',
    bucket: 'butler',
    tls: pki.server,
  });
  storedToken = TOKEN;
  ssm.reset();
  timestream.reset();
  timestream.on(WriteRecordsCommand).resolves({});
  const pems = servePems(pki);
  ssm.on(GetParametersCommand).callsFake(async (input: { Names?: string[] }) => {
    const names = input.Names ?? [];
    const own = names.filter((name) => name === TOKEN_PARAMETER || name === CA_PARAMETER);
    if (own.length === 0) return pems(input);
    return {
      Parameters: own.flatMap(
        (name): Array<{ Name: string; Type: string; Value: string }> =>
          name === CA_PARAMETER
            ? [{ Name: name, Type: 'SecureString', Value: pki.ca }]
            : storedToken === undefined
              ? []
              : [{ Name: name, Type: 'SecureString', Value: `${storedToken}\n` }],
      ),
      InvalidParameters: own.filter(
        (name) => name === TOKEN_PARAMETER && storedToken === undefined,
      ),
    };
  });
});
afterEach(async () => {
  await influx.close();
  await sim.close();
});

function destinations(overrides: Record<string, unknown> = {}) {
  return {
    timestream: { enable: true },
    cloudwatch: { enable: true, namespace: 'LicenseStewardInfluxTest' },
    tags: [{ name: 'env', value: 'test' }],
    influxdb: {
      enable: true,
      url: influx.url,
      version: 2,
      org: 'qlik',
      bucket: 'butler',
      token: { ssmParameter: TOKEN_PARAMETER },
      ca: { ssmParameter: CA_PARAMETER },
      tags: [{ name: 'butler_instance', value: 'prod 1' }],
      ...overrides,
    },
  };
}

/** SSM GetParameters calls that asked for the InfluxDB token. */
const tokenReads = () =>
  ssm
    .commandCalls(GetParametersCommand)
    .filter((call) => call.args[0].input.Names?.includes(TOKEN_PARAMETER)).length;

/** The monitor Lambda as functions/license-monitor/handler.ts builds it. */
function monitorHandler(config: Config) {
  const logger = new Logger({ serviceName: 'license-steward' });
  const sinks = sinksFromConfig(config.destinations, {
    timestream: () => new TimestreamWriteClient({}),
    metrics: () => createServiceMetrics(config.destinations.cloudwatch.namespace, logger),
    influxdb: () =>
      influxDbWriterFromConfig(config.destinations.influxdb, {
        ssm: new SsmReader(() => new SSMClient({}), { cacheMs: SECRET_CACHE_MS }),
        sleep: async () => {},
      }),
  });
  return whenBuilt(
    sinks.then(({ usage }) => createMonitorHandler({ config, logger, sinks: usage })),
  );
}

describe('license-monitor Lambda with InfluxDB', () => {
  it("writes the site's usage in Butler's measurements, reading the token from SSM once per warm container", async () => {
    // Prepare
    const output = captureProcessOutput();
    const site = uniqueSiteName('influx-monitor');
    const config = lambdaConfig(
      [{ name: site, port: sim.port, licenseRelease: null }],
      destinations(),
    );
    const handler = monitorHandler(config);

    // Act
    const first = await handler({ site }, lambdaContext());
    const second = await handler({ site }, lambdaContext());

    // Assess
    expect(first).toMatchObject({
      status: 'ok',
      written: ['timestream', 'cloudwatch', 'influxdb'],
    });
    expect(second).toMatchObject({ status: 'ok' });
    expect(tokenReads()).toBe(1);
    expect(influx.requests.map((request) => request.headers.authorization)).toEqual([
      `Token ${TOKEN}`,
      `Token ${TOKEN}`,
    ]);
    const at = first.status === 'ok' ? Date.parse(first.collectedAt) : 0;
    const tags = `butler_instance=prod\\ 1,env=test`;
    expect(influx.lines.slice(0, 4)).toEqual([
      `qlik_sense_license,${tags},license_type=analyzer,site=${site} allocated=7,available=11,excess=0,quarantined=2,total=20,used=5 ${at}`,
      `qlik_sense_license,${tags},license_type=analyzer_capacity,site=${site} allocated_minutes=700,unavailable_minutes=0,used_minutes=212 ${at}`,
      `qlik_sense_license,${tags},license_type=professional,site=${site} allocated=5,available=5,excess=0,quarantined=0,total=10,used=5 ${at}`,
      expect.stringMatching(
        new RegExp(
          `^qlik_sense_server_license,${tags.replace(/\\/g, '\\\\')},site=${site} license_expired=false,expiry_date="\\d{4}-\\d{2}-\\d{2}",days_until_expiry=[\\d.]+,model="lef",licensed_professional=10,licensed_analyzer=20 ${at}$`,
        ),
      ),
    ]);
    expect(influx.lines).toHaveLength(8);
    expect(output.raw()).not.toContain(TOKEN);
  });

  it('fails the run naming InfluxDB when it refuses the token, after Timestream and CloudWatch were written, and never prints the token', async () => {
    // Prepare
    const output = captureProcessOutput();
    storedToken = 'an-old-token-that-was-rotated-away-0001';
    const site = uniqueSiteName('influx-monitor-401');
    const config = lambdaConfig(
      [{ name: site, port: sim.port, licenseRelease: null }],
      destinations(),
    );

    // Act
    const error = (await monitorHandler(config)({ site }, lambdaContext()).catch(
      (caught: unknown) => caught,
    )) as Error;

    // Assess
    expect(error.message).toMatch(
      /^license monitor run for site .*: influxdb: InfluxDB write to https:\/\/localhost:\d+ \(org qlik, bucket butler\) failed, lines 1-4: HTTP 401, the token was not accepted/,
    );
    expect(influx.requests).toHaveLength(1); // 401 is not retried
    expect(timestream.commandCalls(WriteRecordsCommand)).toHaveLength(1);
    expect(output.emf().map((document) => document.LicenseType)).toContain('professional');
    const failure = output
      .logs()
      .find((line) => line.message === 'writing license usage to influxdb failed');
    expect(failure?.error).toMatch(/HTTP 401/);
    for (const secret of [storedToken, TOKEN]) {
      expect(output.raw()).not.toContain(secret);
      expect(error.message).not.toContain(secret);
    }
  });

  it('reports a missing token parameter by name, keeps the other sinks, and reads SSM again next time', async () => {
    // Prepare
    const output = captureProcessOutput();
    storedToken = undefined;
    const site = uniqueSiteName('influx-monitor-ssm');
    const config = lambdaConfig(
      [{ name: site, port: sim.port, licenseRelease: null }],
      destinations(),
    );
    const handler = monitorHandler(config);

    // Act
    const first = (await handler({ site }, lambdaContext()).catch(
      (caught: unknown) => caught,
    )) as Error;
    storedToken = TOKEN;
    const second = await handler({ site }, lambdaContext());

    // Assess
    expect(first.message).toContain(
      `influxdb: SSM parameter(s) not found: ${TOKEN_PARAMETER} (store the InfluxDB token (destinations.influxdb.token) and the InfluxDB CA (destinations.influxdb.ca) as SecureString)`,
    );
    expect(timestream.commandCalls(WriteRecordsCommand)).toHaveLength(2);
    expect(second).toMatchObject({
      status: 'ok',
      written: ['timestream', 'cloudwatch', 'influxdb'],
    });
    expect(tokenReads()).toBe(2);
    expect(output.raw()).not.toContain(TOKEN);
  });
});

describe('license-release Lambda with InfluxDB', () => {
  function releaseWith(config: Config) {
    const memory = memorySink();
    const sinks = sinksFromConfig(config.destinations, {
      timestream: () => new TimestreamWriteClient({}),
      influxdb: () =>
        influxDbWriterFromConfig(config.destinations.influxdb, {
          ssm: new SsmReader(() => new SSMClient({}), { cacheMs: SECRET_CACHE_MS }),
          sleep: async () => {},
        }),
    });
    const handler = whenBuilt(
      sinks.then(({ release }) => releaseHandler({ config, sinks: [...release, memory] })),
    );
    return { handler, memory };
  }

  it('writes the release records, retrying a 503 from InfluxDB', async () => {
    // Prepare
    captureProcessOutput();
    influx.failNext({ status: 503 });
    const site = uniqueSiteName('influx-release');
    const config = lambdaConfig([{ name: site, port: sim.port }], destinations());
    const { handler, memory } = releaseWith(config);

    // Act
    const summary = await handler({ site }, lambdaContext());

    // Assess
    expect(summary).toMatchObject({ status: 'ok', sinkErrors: [] });
    const result = memory.runs[0]?.result;
    expect(result?.released.length).toBeGreaterThan(0);
    expect(influx.requests.map((request) => request.status)).toEqual([503, 204]);
    const butler = influx.points.filter(
      (point) => point.measurement === 'qlik_sense_license_release',
    );
    expect(butler.map((point) => point.fields.access_type_id?.value).sort()).toEqual(
      result?.released.map((item) => item.accessTypeId).sort(),
    );
    expect(butler.every((point) => point.tags.site === site && point.tags.env === 'test')).toBe(
      true,
    );
  });

  it('reports an InfluxDB failure as a sink error; the DELETEs, logs and other sinks stand; no token anywhere', async () => {
    // Prepare
    const output = captureProcessOutput();
    storedToken = 'yet-another-wrong-token-for-release-0002';
    const site = uniqueSiteName('influx-release-401');
    const config = lambdaConfig([{ name: site, port: sim.port }], destinations());
    const { handler, memory } = releaseWith(config);

    // Act
    const summary = await handler({ site }, lambdaContext());

    // Assess
    expect(summary).toMatchObject({ status: 'failures' });
    if (!('released' in summary)) throw new Error('the run did not run');
    expect(summary.released).toBeGreaterThan(0);
    expect(summary.sinkErrors).toEqual([
      expect.stringMatching(/^influxdb: .*HTTP 401, the token was not accepted/),
    ]);
    expect(memory.runs).toHaveLength(1);
    expect(timestream.commandCalls(WriteRecordsCommand)).toHaveLength(1);
    const released = output.logs().filter((line) => line.outcome === 'released');
    expect(released).toHaveLength(summary.released - summary.alreadyGone);
    for (const secret of [storedToken, TOKEN]) {
      expect(output.raw()).not.toContain(secret);
      expect(JSON.stringify(summary)).not.toContain(secret);
    }
  });
});
