/**
 * `monitor --write` and `release --write` in-process against the QRS simulator over mutual TLS:
 * the run's data goes to every enabled destination, InfluxDB 1 a real `influxd` read back with
 * InfluxQL, Timestream and CloudWatch (`PutMetricData`) through aws-sdk-client-mock. Without
 * `--write` nothing is written; a destination that fails is named and is exit 1, the others are
 * still written.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { TimestreamWriteClient, WriteRecordsCommand } from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import { runCliCaptured } from '#test/support/cli.ts';
import { type Influxd, SKIP_INFLUXD, SKIP_NOTE, startInfluxd } from '#test/support/influxd.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const DB = 'butler';
const cloudwatch = mockClient(CloudWatchClient);
const timestream = mockClient(TimestreamWriteClient);

let pki: TestPki;
let folder: string;
let influxd: Influxd;
let sim: Simulator;

beforeAll(async () => {
  pki = await createTestPki();
  folder = mkdtempSync(path.join(tmpdir(), 'license-steward-write-'));
  writeFileSync(path.join(folder, 'client.pem'), pki.client.cert);
  writeFileSync(path.join(folder, 'client_key.pem'), pki.client.key, { mode: 0o600 });
  writeFileSync(path.join(folder, 'root.pem'), pki.ca);
  if (SKIP_INFLUXD) return;
  influxd = await startInfluxd();
  await influxd.query(`CREATE DATABASE "${DB}"`);
});
afterAll(async () => {
  await influxd?.close();
  rmSync(folder, { recursive: true, force: true });
});
beforeEach(async () => {
  vi.stubEnv('AWS_REGION', 'eu-north-1');
  cloudwatch.on(PutMetricDataCommand).resolves({});
  timestream.on(WriteRecordsCommand).resolves({});
  sim = await startSimulator({ site: createSampleSite(new Date()), pki });
});
afterEach(async () => {
  cloudwatch.reset();
  timestream.reset();
  await sim.close();
});

const RELEASE = `    licenseRelease:
      enable: true
      dryRun: true
      neverRelease:
        user: [ { userDir: INTERNAL, userId: sa_repository } ]
        userDirectory: [ ADMIN ]
        blocked: Yes
      licenseType:
        analyzer: { enable: true, releaseThresholdDays: 30 }
        professional: { enable: true, releaseThresholdDays: 60 }`;

/** A config with one simulated site and the three destinations. */
function writeConfig(site: string, dryRun = true): string {
  const file = path.join(folder, `${site}.yaml`);
  writeFileSync(
    file,
    `sites:
  - name: ${site}
    qrs:
      host: localhost
      port: ${sim.port}
      maxRetries: 0
      certificates:
        cert: { file: client.pem }
        key: { file: client_key.pem }
        ca: { file: root.pem }
${RELEASE.replace('dryRun: true', `dryRun: ${dryRun}`)}
destinations:
  influxdb: { enable: true, version: 1, url: ${influxd.url}, database: ${DB} }
  timestream: { enable: true }
  cloudwatch: { enable: true, namespace: LicenseStewardCli }
  tags: [ { name: env, value: test } ]
`,
  );
  return file;
}

const influxRows = (q: string) => influxd.rows(q, { db: DB });
const putMetricData = () =>
  cloudwatch.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input);
const writeRecords = () =>
  timestream.commandCalls(WriteRecordsCommand).map((call) => call.args[0].input);
/** Monitor runs at a fixed time; release runs at the real time, as the simulator's dates are. */
const run = (argv: string[]) =>
  runCliCaptured(argv, argv[0] === 'monitor' ? { now: () => NOW } : {});

describe.skipIf(SKIP_INFLUXD)(`license-steward monitor --write${SKIP_NOTE}`, () => {
  it('writes the snapshot to InfluxDB, Timestream and CloudWatch, the values the JSON shows', async () => {
    // Act
    const result = await run(['monitor', '--config', writeConfig('mon'), '--json', '--write']);

    // Assess
    expect(result.code).toBe(0);
    const [site] = JSON.parse(result.stdout).sites;
    expect(result.stderr).toMatch(/the run's data goes to influxdb, timestream, cloudwatch/);
    const influx = await influxRows(
      `SELECT "total", "allocated", "available" FROM "qlik_sense_license" WHERE "site" = 'mon' AND "license_type" =~ /^(professional|analyzer)$/ GROUP BY "license_type", "env"`,
    );
    expect(influx).toEqual(
      ['analyzer', 'professional'].map((type) => ({
        license_type: type,
        env: 'test',
        time: NOW.getTime(),
        total: site[type].total,
        allocated: site[type].allocated,
        available: site[type].available,
      })),
    );
    const [records] = writeRecords();
    expect(records).toMatchObject({ DatabaseName: 'license_steward', TableName: 'license_usage' });
    expect(records?.Records?.length).toBeGreaterThanOrEqual(4);
    const metrics = putMetricData().flatMap((input) => input.MetricData ?? []);
    expect(putMetricData()[0]?.Namespace).toBe('LicenseStewardCli');
    expect(metrics).toContainEqual({
      MetricName: 'Available',
      Dimensions: [
        { Name: 'Site', Value: 'mon' },
        { Name: 'LicenseType', Value: 'professional' },
      ],
      Timestamp: NOW,
      Value: site.professional.available,
      Unit: 'Count',
    });
  });

  it('writes nowhere without --write', async () => {
    // Act
    const result = await run(['monitor', '--config', writeConfig('nowrite'), '--json']);

    // Assess
    expect(result.code).toBe(0);
    expect(putMetricData()).toEqual([]);
    expect(writeRecords()).toEqual([]);
    expect(await influxRows(`SELECT * FROM "qlik_sense_license" WHERE "site" = 'nowrite'`)).toEqual(
      [],
    );
  });

  it('names a destination that fails and exits 1, having written the others', async () => {
    // Prepare
    timestream.on(WriteRecordsCommand).rejects(new Error('AccessDeniedException: not allowed'));

    // Act
    const result = await run(['monitor', '--config', writeConfig('partial'), '--json', '--write']);

    // Assess
    expect(result.code).toBe(1);
    const [site] = JSON.parse(result.stdout).sites;
    expect(site.error).toMatch(/^timestream: .*AccessDeniedException: not allowed/);
    expect(site.professional).not.toBeNull();
    expect(putMetricData().length).toBeGreaterThan(0);
    expect(
      await influxRows(`SELECT "total" FROM "qlik_sense_license" WHERE "site" = 'partial'`),
    ).toHaveLength(2);
  });

  it('refuses --write when no destination is enabled (exit 2)', async () => {
    // Prepare
    const file = path.join(folder, 'none.yaml');
    writeFileSync(
      file,
      `sites:
  - name: none
    qrs:
      host: localhost
      port: ${sim.port}
      certificates: { cert: { file: client.pem }, key: { file: client_key.pem }, ca: { file: root.pem } }
destinations:
  cloudwatch: { enable: false }
`,
    );

    // Act
    const result = await run(['monitor', '--config', file, '--write']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--write: no destination is enabled/);
  });
});

describe.skipIf(SKIP_INFLUXD)(`license-steward release --write${SKIP_NOTE}`, () => {
  it('records a dry run in every destination: would-be releases and the counts', async () => {
    // Act
    const result = await run(['release', '--config', writeConfig('dry'), '--json', '--write']);

    // Assess
    expect(result.code).toBe(0);
    const [site] = JSON.parse(result.stdout).sites;
    expect(site.candidates.length).toBeGreaterThan(0);
    const events = await influxRows(
      `SELECT "access_type_id", "dry_run" FROM "license_steward_release" WHERE "site" = 'dry' GROUP BY "action"`,
    );
    expect(events.map((row) => row.access_type_id).sort()).toEqual(
      site.candidates.map((item: { accessTypeId: string }) => item.accessTypeId).sort(),
    );
    expect(new Set(events.map((row) => `${row.action} ${row.dry_run}`))).toEqual(
      new Set(['would_release true']),
    );
    expect(
      await influxRows(`SELECT * FROM "qlik_sense_license_release" WHERE "site" = 'dry'`),
    ).toEqual([]);
    const [records] = writeRecords();
    expect(records).toMatchObject({
      DatabaseName: 'license_steward',
      TableName: 'license_release',
    });
    expect(records?.Records).toHaveLength(site.candidates.length);
    const candidates = putMetricData()
      .flatMap((input) => input.MetricData ?? [])
      .filter((datum) => datum.MetricName === 'ReleaseCandidates');
    expect(candidates.reduce((sum, datum) => sum + (datum.Value ?? 0), 0)).toBe(
      site.candidates.length,
    );
  });

  it('records what a real run freed in Butler’s measurement', async () => {
    // Act
    const result = await run([
      'release',
      '--config',
      writeConfig('real', false),
      '--json',
      '--write',
    ]);

    // Assess
    expect(result.code).toBe(0);
    const [site] = JSON.parse(result.stdout).sites;
    expect(site.released.length).toBeGreaterThan(0);
    const freed = await influxRows(
      `SELECT "access_type_id", "days_since_last_use" FROM "qlik_sense_license_release" WHERE "site" = 'real' GROUP BY "user", "license_type"`,
    );
    expect(
      freed
        .map((row) => ({
          accessTypeId: row.access_type_id,
          licenseType: row.license_type,
          user: row.user,
          days: row.days_since_last_use,
        }))
        .sort((a, b) => String(a.accessTypeId).localeCompare(String(b.accessTypeId))),
    ).toEqual(
      site.released
        .map(
          (item: {
            accessTypeId: string;
            licenseType: string;
            userDirectory: string;
            userId: string;
            inactiveDays: number;
          }) => ({
            accessTypeId: item.accessTypeId,
            licenseType: item.licenseType,
            user: `${item.userDirectory}\\${item.userId}`,
            days: item.inactiveDays,
          }),
        )
        .sort((a: { accessTypeId: string }, b: { accessTypeId: string }) =>
          a.accessTypeId.localeCompare(b.accessTypeId),
        ),
    );
  });

  it('lists a destination that fails in sinkErrors and exits 1; the other destinations are written', async () => {
    // Prepare
    cloudwatch.on(PutMetricDataCommand).rejects(new Error('ThrottlingException: slow down'));

    // Act
    const result = await run(['release', '--config', writeConfig('cwfail'), '--json', '--write']);

    // Assess
    expect(result.code).toBe(1);
    const [site] = JSON.parse(result.stdout).sites;
    expect(site.sinkErrors).toEqual([expect.stringMatching(/^cloudwatch: ThrottlingException/)]);
    expect(writeRecords()).toHaveLength(1);
  });
});
