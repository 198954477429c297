/**
 * `license-steward import-butler` end to end: Butler config files written for these tests
 * (test/e2e/cli/butler-fixtures, Butler's documented layouts) are converted, and the result runs
 * `release --dry-run` and `monitor` against the QRS simulator over mTLS, deciding as the Butler
 * rules describe. No password or token of the Butler file may appear anywhere.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '#shared/config/load.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import { type CapturedRun, runCliCaptured } from '#test/support/cli.ts';

const FIXTURES = path.join(import.meta.dirname, 'butler-fixtures');
const DELETES = [
  'DELETE /qrs/license/professionalaccesstype/{id}',
  'DELETE /qrs/license/analyzeraccesstype/{id}',
];

let pki: TestPki;
let folder: string;
let sim: Simulator;
/** Every output of every CLI run of a test, for the secret check. */
let outputs: string[];

beforeAll(async () => {
  pki = await createTestPki();
  folder = mkdtempSync(path.join(tmpdir(), 'license-steward-butler-'));
  // The fixtures name certs/*.pem relative to the folder the converted file is written to.
  mkdirSync(path.join(folder, 'certs'));
  writeFileSync(path.join(folder, 'certs', 'client.pem'), pki.client.cert);
  writeFileSync(path.join(folder, 'certs', 'client_key.pem'), pki.client.key, { mode: 0o600 });
  writeFileSync(path.join(folder, 'certs', 'root.pem'), pki.ca);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));
beforeEach(async () => {
  sim = await startSimulator({ site: createSampleSite(new Date()), pki });
  outputs = [];
});
afterEach(() => sim.close());

async function cli(args: string[]): Promise<CapturedRun> {
  const run = await runCliCaptured(args);
  outputs.push(run.stdout, run.stderr);
  return run;
}

/** The fixture with the simulator's port, as a Butler file in the test folder. */
function butlerFile(fixture: string): string {
  const file = path.join(folder, `butler-${Math.random().toString(36).slice(2)}.yaml`);
  const text = readFileSync(path.join(FIXTURES, fixture), 'utf8');
  writeFileSync(file, text.replaceAll('__QRS_PORT__', String(sim.port)));
  return file;
}

async function importFixture(fixture: string) {
  const out = path.join(folder, `imported-${Math.random().toString(36).slice(2)}.yaml`);
  const run = await cli([
    'import-butler',
    '--butler-config',
    butlerFile(fixture),
    '--site',
    'lab',
    '--out',
    out,
  ]);
  const text = existsSync(out) ? readFileSync(out, 'utf8') : '';
  outputs.push(text);
  return { ...run, out, text };
}

/** Every password and token value in a fixture (Butler keeps them as plain text). */
function secretsOf(fixture: string): string[] {
  const found: string[] = [];
  const walk = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (/^(password|token)$/i.test(key) && typeof value === 'string') found.push(value);
      walk(value);
    }
  };
  walk(parse(readFileSync(path.join(FIXTURES, fixture), 'utf8')));
  return found;
}

function expectNoSecretOf(fixture: string) {
  const secrets = secretsOf(fixture);
  expect(secrets.length).toBeGreaterThan(0);
  for (const secret of secrets) for (const text of outputs) expect(text).not.toContain(secret);
}

async function releaseDryRun(config: string) {
  const run = await cli(['release', '--config', config, '--dry-run', '--json']);
  expect(run.code).toBe(0);
  const [site] = JSON.parse(run.stdout).sites;
  return {
    site,
    candidates: site.candidates.map((item: { userId: string }) => item.userId).sort(),
    kept: Object.fromEntries(
      site.kept.map((item: { userId: string; reason: string }) => [item.userId, item.reason]),
    ),
  };
}

const deletes = () => DELETES.reduce((sum, key) => sum + sim.requestCount(key), 0);

describe('import-butler: Butler 16 with InfluxDB 2', () => {
  const FIXTURE = 'butler16-influxdb-v2.yaml';

  it('writes a configuration that loads, with every setting carried over', async () => {
    // Act
    const { code, stdout, stderr, out, text } = await importFixture(FIXTURE);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(text).toMatch(
      /^# license-steward configuration made by `license-steward import-butler`/,
    );
    const config = loadConfig(out);
    const [site] = config.sites;
    expect(site?.name).toBe('lab');
    expect(site?.qrs).toMatchObject({
      host: 'localhost',
      port: sim.port,
      user: { directory: 'INTERNAL', id: 'sa_repository' },
      certificates: { cert: { file: path.join(folder, 'certs', 'client.pem') } },
    });
    expect(site?.licenseMonitor).toEqual({ enable: true, schedule: 'rate(6 hours)' });
    expect(site?.licenseRelease).toMatchObject({
      enable: true,
      schedule: 'rate(24 hours)',
      dryRun: true,
      maxReleasesPerRun: 50,
      neverRelease: {
        user: [{ userDir: 'INTERNAL', userId: 'sa_repository' }],
        tag: ['License do not release'],
        customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }],
        userDirectory: ['ADMIN'],
        inactive: 'Ignore',
        blocked: 'Yes',
        removedExternally: 'Ignore',
      },
      licenseType: {
        analyzer: { enable: true, releaseThresholdDays: 30 },
        professional: { enable: true, releaseThresholdDays: 60 },
      },
    });
    expect(site?.alarms.expiryWithinDays).toBe(60);
    expect(config.destinations.influxdb).toMatchObject({
      enable: true,
      version: 2,
      url: 'https://influx.lab.example.com:8086',
      org: 'lab-org',
      bucket: 'butler-lab',
      token: { env: 'LICENSE_STEWARD_INFLUXDB_TOKEN' },
      tags: [{ name: 'team', value: 'bi-platform' }],
    });
    expect(config.destinations.tags).toEqual([{ name: 'env', value: 'lab' }]);
    // The comments that matter, and the summary.
    expect(text).toMatch(/rejectUnauthorized set to false[\s\S]*always verifies[\s\S]*doctor/);
    expect(text).toMatch(/# To deploy, .*\{ ssmParameter: \/license-steward\/influxdb-token \}/);
    expect(stderr).toMatch(/wrote .*imported-/);
    expect(stderr).toMatch(
      /LICENSE_STEWARD_INFLUXDB_TOKEN\s+\(instead of Butler\.influxDb\.v2Config\.token\)/,
    );
    expect(stderr).toMatch(/No counterpart[\s\S]*MQTT \(Butler\.mqttConfig\)/);
    expect(stderr).not.toMatch(/webhookNotification/);
    expect(stderr).toMatch(/Check next:[\s\S]*release --config .* --dry-run/);
    expectNoSecretOf(FIXTURE);
  });

  it('releases as the Butler rules say, and monitors with the expiry threshold', async () => {
    // Prepare
    const { out } = await importFixture(FIXTURE);

    // Act
    const release = await releaseDryRun(out);
    const monitor = await cli(['monitor', '--config', out]);

    // Assess: 30/60 days, the user, tag, custom property, directory and blocked rules of the file.
    expect(release.candidates).toEqual(['bertil', 'cecilia', 'erik', 'gustav']);
    expect(release.kept).toMatchObject({
      sa_repository: 'protected:user',
      ivar: 'protected:customProperty',
      karl: 'protected:blocked',
      admin1: 'protected:userDirectory',
    });
    expect(deletes()).toBe(0);
    expect(monitor.code).toBe(0);
    // The sample license ends in 45 days: inside Butler's 60-day alert threshold.
    expect(monitor.stdout).toMatch(/expires in 4\d day\(s\).*warning within 60/);
    expect(sim.users).toContain('UserDirectory=INTERNAL; UserId=sa_repository');
    expectNoSecretOf(FIXTURE);
  });

  it('prints the configuration on stdout without --out', async () => {
    // Act
    const { code, stdout, stderr } = await cli([
      'import-butler',
      '--butler-config',
      butlerFile(FIXTURE),
    ]);

    // Assess
    expect(code).toBe(0);
    const written = path.join(folder, 'from-stdout.yaml');
    writeFileSync(written, stdout);
    expect(loadConfig(written).sites[0]?.name).toBe('localhost');
    expect(stderr).toMatch(/configuration is on stdout/);
    expectNoSecretOf(FIXTURE);
  });
});

describe('import-butler: InfluxDB 1 with a login, loose spellings', () => {
  const FIXTURE = 'butler16-influxdb-v1-auth.yaml';

  it('references the password, keeps dryRun: false and translates "at 2:00 am"', async () => {
    // Act
    const { code, out, stderr } = await importFixture(FIXTURE);

    // Assess
    expect(code).toBe(0);
    const config = loadConfig(out);
    const site = config.sites[0];
    expect(site?.qrs.user).toEqual({ directory: 'LAB', id: 'butler_svc' });
    expect(site?.qrs.port).toBe(sim.port);
    expect(site?.licenseMonitor.schedule).toBe('rate(15 minutes)');
    expect(site?.licenseRelease?.schedule).toBe('cron(0 2 * * ? *)');
    expect(site?.licenseRelease?.dryRun).toBe(false);
    expect(site?.licenseRelease?.neverRelease).toMatchObject({
      user: [],
      customProperty: [],
      userDirectory: [],
      tag: ['LICENSE DO NOT RELEASE'],
    });
    expect(config.destinations.influxdb).toMatchObject({
      enable: true,
      version: 1,
      url: 'http://localhost:8086',
      database: 'butler_lab',
      retentionPolicy: 'two_weeks',
      username: 'butler_writer',
      password: { env: 'LICENSE_STEWARD_INFLUXDB_PASSWORD' },
    });
    expect(config.destinations.influxdb.token).toBeUndefined();
    // Tag names: Timestream-safe ones stay shared, InfluxDB-only ones move, the rest are reported.
    expect(config.destinations.tags).toEqual([{ name: 'env', value: 'lab' }]);
    expect(config.destinations.influxdb.tags).toEqual([
      { name: 'butler-instance', value: 'lab-1' },
    ]);
    expect(stderr).toMatch(/tag user: .* not carried over/);
    expect(stderr).toMatch(/tag event type: .* not carried over/);
    expect(stderr).toMatch(
      /LICENSE_STEWARD_INFLUXDB_PASSWORD\s+\(instead of Butler\.influxDb\.v1Config\.auth\.password\)/,
    );
    expectNoSecretOf(FIXTURE);
  });

  it('decides as the rules say; --dry-run sends no DELETE although the file says dryRun: false', async () => {
    // Prepare
    const { out } = await importFixture(FIXTURE);

    // Act
    const release = await releaseDryRun(out);

    // Assess: Analyzer only, 30 days, no user/directory/custom property rules, blocked ignored.
    expect(release.candidates).toEqual(['admin1', 'erik', 'gustav', 'ivar', 'karl']);
    expect(
      release.site.candidates.every((c: { licenseType: string }) => c.licenseType === 'analyzer'),
    ).toBe(true);
    expect(deletes()).toBe(0);
    expect(sim.users).toContain('UserDirectory=LAB; UserId=butler_svc');
  });
});

describe('import-butler: InfluxDB 3, rules in another case', () => {
  const FIXTURE = 'butler16-influxdb-v3.yaml';

  it('carries InfluxDB 3 (off: no license job wrote to it) and reports what it cannot translate', async () => {
    // Act
    const { code, out, stderr } = await importFixture(FIXTURE);

    // Assess
    expect(code).toBe(0);
    const config = loadConfig(out);
    const site = config.sites[0];
    expect(site?.qrs.user).toEqual({ directory: 'INTERNAL', id: 'sa_api' });
    expect(site?.licenseRelease?.schedule).toBe('cron(30 15 ? * MON-FRI *)');
    expect(site?.licenseMonitor.schedule).toBe('rate(15 minutes)');
    expect(stderr).toMatch(
      /licenseMonitor\.frequency: "every 30 seconds" is more often than once a minute/,
    );
    expect(config.destinations.influxdb).toMatchObject({
      enable: false,
      version: 3,
      url: 'https://10.20.30.40:8181',
      database: 'butler',
      token: { env: 'LICENSE_STEWARD_INFLUXDB_TOKEN' },
      timeoutSeconds: 20,
    });
    expect(stderr).toMatch(/outgoing webhooks \(Butler\.webhookNotification\)/);
    expect(stderr).toMatch(/New Relic/);
    expect(stderr).not.toMatch(/rejectUnauthorized was set to false/);
    expectNoSecretOf(FIXTURE);
  });

  it('protects as the v2 file does: rules match in any case', async () => {
    // Prepare
    const { out } = await importFixture(FIXTURE);

    // Act
    const release = await releaseDryRun(out);
    const monitor = await cli(['monitor', '--config', out, '--json']);

    // Assess
    expect(release.candidates).toEqual(['bertil', 'cecilia', 'erik', 'gustav']);
    expect(release.kept).toMatchObject({
      sa_repository: 'protected:user',
      ivar: 'protected:customProperty',
      admin1: 'protected:userDirectory',
    });
    expect(monitor.code).toBe(0);
    const [snapshot] = JSON.parse(monitor.stdout).sites;
    expect(snapshot.professional).toMatchObject({ total: 10 });
    expect(sim.users).toContain('UserDirectory=INTERNAL; UserId=sa_api');
  });
});

describe('import-butler: the older layout and missing license blocks', () => {
  it('reads headerKey/headerValue, flat InfluxDB 1 settings without a login, the instance tag', async () => {
    // Act
    const { code, out, text } = await importFixture('butler-legacy-influxdb.yaml');

    // Assess
    expect(code).toBe(0);
    const config = loadConfig(out);
    const site = config.sites[0];
    expect(site?.qrs.user).toEqual({ directory: 'Internal', id: 'sa_repository' });
    expect(site?.licenseMonitor.enable).toBe(false);
    expect(site?.licenseRelease?.licenseType).toEqual({
      analyzer: { enable: false, releaseThresholdDays: 30 },
      professional: { enable: true, releaseThresholdDays: 60 },
      // Butler has no user access passes: license-steward's default (off) applies.
      userAccess: { enable: false, releaseThresholdDays: 30 },
    });
    expect(config.destinations.influxdb).toMatchObject({
      enable: true,
      version: 1,
      url: 'http://localhost:8086',
      database: 'butler',
      retentionPolicy: '10d',
      tags: [
        { name: 'butler_instance', value: 'LAB' },
        { name: 'job', value: 'release' },
      ],
    });
    expect(config.destinations.influxdb.username).toBeUndefined();
    expect(config.destinations.influxdb.password).toBeUndefined();
    expect(text).not.toMatch(/LICENSE_STEWARD_INFLUXDB/);
    expectNoSecretOf('butler-legacy-influxdb.yaml');

    // Act: monitoring was off in Butler, so it is here; release runs the professional rule only.
    const monitor = await cli(['monitor', '--config', out]);
    const release = await releaseDryRun(out);

    // Assess
    expect(monitor.code).toBe(0);
    expect(monitor.stderr).toMatch(/license monitor is disabled/);
    expect(release.candidates).toEqual(['bertil', 'cecilia']);
  });

  it('without license blocks: monitor off, no release, no InfluxDB, and says so', async () => {
    // Act
    const { code, out, stderr } = await importFixture('butler-no-license.yaml');

    // Assess
    expect(code).toBe(0);
    const config = loadConfig(out);
    expect(config.sites[0]?.licenseMonitor.enable).toBe(false);
    expect(config.sites[0]?.licenseRelease).toBeUndefined();
    expect(config.destinations.influxdb.enable).toBe(false);
    expect(stderr).toMatch(/licenseRelease is absent: license release stays off/);
    expect(stderr).toMatch(/e-mail notifications \(Butler\.emailNotification\)/);
    const release = await cli(['release', '--config', out, '--json']);
    expect(release.code).toBe(0);
    expect(JSON.parse(release.stdout)).toEqual({ sites: [] });
    expect(sim.requestCount()).toBe(0);
  });
});

describe('import-butler: input it cannot use is exit 2', () => {
  it('a file that cannot be read', async () => {
    const run = await cli(['import-butler', '--butler-config', path.join(folder, 'nope.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot read the file: ENOENT/);
  });

  it('a file that is not a Butler config', async () => {
    const file = path.join(folder, 'not-butler.yaml');
    writeFileSync(file, 'sites: []\n');
    const run = await cli(['import-butler', '--butler-config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Butler: is required/);
  });

  it('an X-Qlik-User value without the user id, naming the Butler key', async () => {
    const file = butlerFile('butler-no-license.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('UserId=sa_api', 'User=sa_api'));
    const run = await cli(['import-butler', '--butler-config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /Butler\.configQRS\.headers\.static\[0\]\.value: .* is not an X-Qlik-User value/,
    );
  });

  it('InfluxDB 2 on without its bucket, naming the Butler key and no secret', async () => {
    const file = butlerFile('butler16-influxdb-v2.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('bucket: butler-lab', ''));
    const run = await cli(['import-butler', '--butler-config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Butler\.influxDb\.v2Config\.bucket: is required for version 2/);
    expectNoSecretOf('butler16-influxdb-v2.yaml');
  });

  it('a Butler value license-steward refuses, naming the key and the Butler file', async () => {
    const zeroDays = butlerFile('butler16-influxdb-v2.yaml');
    writeFileSync(
      zeroDays,
      readFileSync(zeroDays, 'utf8').replace('releaseThresholdDays: 30', 'releaseThresholdDays: 0'),
    );
    const bigPort = butlerFile('butler-no-license.yaml');
    writeFileSync(
      bigPort,
      readFileSync(bigPort, 'utf8').replace(`port: ${sim.port}`, 'port: 70000'),
    );

    const days = await cli(['import-butler', '--butler-config', zeroDays]);
    const port = await cli(['import-butler', '--butler-config', bigPort]);

    expect(days.code).toBe(2);
    expect(days.stderr).toMatch(
      /licenseRelease\.licenseType\.analyzer\.releaseThresholdDays: must be at least 1 day/,
    );
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/\(as converted\):\n {2}- sites\[0\]\.qrs\.port: Too big/);
  });

  it('an --out file that exists is left alone', async () => {
    const out = path.join(folder, 'existing.yaml');
    writeFileSync(out, 'keep me\n');
    const run = await cli([
      'import-butler',
      '--butler-config',
      butlerFile('butler-no-license.yaml'),
      '--out',
      out,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/already exists/);
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
  });

  it('a --site that is not a site name, or no --butler-config', async () => {
    const bad = await cli([
      'import-butler',
      '--butler-config',
      butlerFile('butler-no-license.yaml'),
      '--site',
      'my site',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"my site" is not a site name/);
    const missing = await cli(['import-butler']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/import-butler needs --butler-config FILE/);
  });
});
