/** `license-steward monitor` in-process against the QRS simulator over mTLS. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import type { Simulator } from '#test/simulator/server.ts';
import { createSampleSite, emptySite } from '#test/simulator/site.ts';
import { runCliCaptured } from '#test/support/cli.ts';
import { NOW, startSite } from '#test/support/monitor.ts';

let pki: TestPki;
let sim: Simulator;
let dir: string;

beforeAll(async () => {
  pki = await createTestPki();
  sim = await startSite(createSampleSite(NOW), pki);
  dir = await mkdtemp(path.join(tmpdir(), 'license-steward-monitor-'));
  await writeFile(path.join(dir, 'client.pem'), pki.client.cert);
  await writeFile(path.join(dir, 'client_key.pem'), pki.client.key);
  await writeFile(path.join(dir, 'root.pem'), pki.ca);
});

afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  sim.resetCounters();
  sim.faults.length = 0;
});

/** A site block of the YAML config; certificate paths relative to the config file's folder. */
function siteYaml(name: string, port: number, extra = ''): string {
  return `
  - name: ${name}
    qrs:
      host: localhost
      port: ${port}
      maxRetries: 0
      timeoutSeconds: 5
      certificates:
        cert: { file: ./client.pem }
        key: { file: ./client_key.pem }
        ca: { file: ./root.pem }
${extra}`;
}

async function writeConfig(name: string, sites: string): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, `sites:${sites}`);
  return file;
}

const run = (argv: string[]) => runCliCaptured(argv, { now: () => NOW });

describe('license-steward monitor --json', () => {
  it('prints exactly one JSON document in the documented shape and exits 0', async () => {
    // Prepare
    const config = await writeConfig('one', siteYaml('sample', sim.port));

    // Act
    const result = await run(['monitor', '--config', config, '--json']);

    // Assess
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(Object.keys(document)).toEqual(['sites']);
    expect(document.sites).toHaveLength(1);
    const [site] = document.sites;
    expect(Object.keys(site)).toEqual([
      'site',
      'collectedAt',
      'professional',
      'analyzer',
      'analyzerCapacity',
      'tokens',
      'license',
    ]);
    expect(site).toMatchObject({
      site: 'sample',
      collectedAt: NOW.toISOString(),
      professional: {
        enabled: true,
        total: 10,
        allocated: 5,
        used: 5,
        quarantined: 0,
        excess: 0,
        available: 5,
      },
      analyzer: {
        enabled: true,
        total: 20,
        allocated: 7,
        used: 5,
        quarantined: 2,
        excess: 0,
        available: 11,
      },
      analyzerCapacity: {
        enabled: true,
        allocatedMinutes: 700,
        usedMinutes: 212,
        unavailableMinutes: 0,
      },
      tokens: { enabled: false, total: 0, available: 0 },
      license: {
        model: 'lef',
        expiresAt: '2026-04-16T00:00:00.000Z',
        daysUntilExpiry: 45.5,
        problem: null,
      },
    });
    for (const block of ['professional', 'analyzer'])
      expect(Object.keys(site[block])).toEqual([
        'enabled',
        'total',
        'allocated',
        'used',
        'quarantined',
        'excess',
        'available',
      ]);
    expect(Object.keys(site.analyzerCapacity)).toEqual([
      'enabled',
      'allocatedMinutes',
      'usedMinutes',
      'unavailableMinutes',
    ]);
    // Exactly the documented keys: QRS's token detail and the LEF's counts stay in table and sinks.
    expect(site.tokens).toEqual({ enabled: false, total: 0, available: 0 });
    expect(Object.keys(site.license)).toEqual(['model', 'expiresAt', 'daysUntilExpiry', 'problem']);
    expect(sim.requestCount()).toBe(2);
  });

  it('keeps going when one site fails: exit 1, the document holds every site, the failed one with an error', async () => {
    // Prepare: the second site points at a port where nothing listens.
    const config = await writeConfig('two', siteYaml('sample', sim.port) + siteYaml('down', 1));

    // Act
    const result = await run(['monitor', '--config', config, '--json']);

    // Assess
    expect(result.code).toBe(1);
    const { sites } = JSON.parse(result.stdout);
    expect(sites.map((site: { site: string }) => site.site)).toEqual(['sample', 'down']);
    expect(sites[0].professional.total).toBe(10);
    expect(sites[0]).not.toHaveProperty('error');
    expect(sites[1]).toEqual({
      site: 'down',
      collectedAt: null,
      professional: null,
      analyzer: null,
      analyzerCapacity: null,
      tokens: null,
      license: null,
      error: expect.stringMatching(/ECONNREFUSED/),
    });
    // With --json the logs on stderr are JSON lines too, naming the site.
    const logs = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(logs).toContainEqual(expect.objectContaining({ level: 'ERROR', site: 'down' }));
  });

  it('reports a site whose certificate file is missing as a failed site, exit 1', async () => {
    // Prepare
    const config = await writeConfig(
      'nocert',
      siteYaml('sample', sim.port).replace('./root.pem', './missing-root.pem'),
    );

    // Act
    const result = await run(['monitor', '--config', config, '--json']);

    // Assess
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).sites[0].error).toMatch(/missing-root\.pem \(ENOENT\)/);
    expect(sim.requestCount()).toBe(0);
  });

  it('skips a site whose license monitor is disabled, with a notice on stderr', async () => {
    // Prepare
    const config = await writeConfig(
      'disabled',
      siteYaml('sample', sim.port) +
        siteYaml('off', sim.port, '    licenseMonitor: { enable: false }\n'),
    );

    // Act
    const result = await run(['monitor', '--config', config, '--json']);

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).sites.map((site: { site: string }) => site.site)).toEqual([
      'sample',
    ]);
    expect(result.stderr).toMatch(/"site":"off"/);
    expect(result.stderr).toMatch(/disabled/);
    expect(sim.requestCount()).toBe(2);
  });

  it('monitors only the site named by --site', async () => {
    // Prepare
    const config = await writeConfig('pick', siteYaml('sample', sim.port) + siteYaml('down', 1));

    // Act
    const result = await run(['monitor', '--config', config, '--site', 'sample', '--json']);

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).sites).toHaveLength(1);
  });
});

describe('license-steward monitor configuration errors', () => {
  it('rejects a malformed config file before touching QRS, naming the key, exit 2', async () => {
    // Prepare
    const config = await writeConfig(
      'bad',
      siteYaml('sample', sim.port).replace(`port: ${sim.port}`, 'port: seventy'),
    );

    // Act
    const result = await run(['monitor', '--config', config, '--json']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/sites\[0\]\.qrs\.port/);
    expect(sim.requestCount()).toBe(0);
  });
});

describe('license-steward monitor (table)', () => {
  it('prints a row per license type with total, allocated and available', async () => {
    // Prepare
    const config = await writeConfig('table', siteYaml('sample', sim.port));

    // Act
    const result = await run(['monitor', '--config', config]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Site sample/);
    expect(result.stdout).toMatch(/Type\s+Total\s+Allocated\s+Available/);
    expect(result.stdout).toMatch(/professional\s+10\s+5\s+5\s/);
    expect(result.stdout).toMatch(/analyzer\s+20\s+7\s+11\s/);
    expect(result.stdout).toMatch(/valid through 2026-04-15 \(45 day\(s\) left\)/);
    expect(result.stdout).toMatch(/Analyzer capacity: 700 minutes allocated, 212 used/);
    expect(result.stdout).not.toMatch(/WARNING/);
  });

  it('warns when available is below the site threshold or the license expires within the warning days', async () => {
    // Prepare
    const alarms = '    alarms: { availableBelow: { analyzer: 12 }, expiryWithinDays: 60 }\n';
    const config = await writeConfig('warn', siteYaml('sample', sim.port, alarms));

    // Act
    const result = await run(['monitor', '--config', config]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/WARNING analyzer: only 11 available \(warning below 12\)/);
    expect(result.stdout).toMatch(/WARNING license: expires in 45 day\(s\)/);
    expect(result.stdout).not.toMatch(/WARNING professional/);
  });

  it('says when a signed key expiry cannot be read: license.problem, a warning, never "no limit"', async () => {
    // Prepare
    const site = emptySite('signed', NOW);
    site.license = {
      model: 'signedKey',
      serial: '',
      text: 'Product: Qlik Sense Enterprise\nValid From: 2025-04-01',
    };
    const signedSim = await startSite(site, pki);
    try {
      const config = await writeConfig('signed', siteYaml('signed', signedSim.port));

      // Act
      const json = await run(['monitor', '--config', config, '--json']);
      const table = await run(['monitor', '--config', config]);

      // Assess
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout).sites[0].license).toEqual({
        model: 'signedKey',
        expiresAt: null,
        daysUntilExpiry: null,
        problem: expect.stringMatching(/^License expiry unknown: .*no "Valid To" date/),
      });
      expect(table.stdout).toMatch(/License: signed key, expiry unknown/);
      expect(table.stdout).toMatch(/WARNING license: License expiry unknown: /);
      expect(table.stdout).not.toMatch(/no time limit/);
    } finally {
      await signedSim.close();
    }
  });

  it("shows a token site's user and login access tokens", async () => {
    // Prepare
    const site = emptySite('tokens', NOW);
    site.tokens = {
      total: 100,
      available: 35,
      userAccess: { allocatedTokens: 60, usedTokens: 52, quarantinedTokens: 3 },
      loginAccess: { allocatedTokens: 5, usedTokens: 2.3, unavailableTokens: 0.4 },
    };
    const tokenSim = await startSite(site, pki);
    try {
      const config = await writeConfig('tokens', siteYaml('tokens', tokenSim.port));

      // Act
      const result = await run(['monitor', '--config', config]);

      // Assess
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        [
          '  Tokens: 100 total, 35 available',
          '    user access: 60 allocated, 52 used, 3 quarantined, token cost 1',
          '    login access: 5 allocated, 2.3 used, 0.4 unavailable, token cost 0.1',
        ].join('\n'),
      );
      expect(result.stdout).toMatch(/professional\s+disabled/);
    } finally {
      await tokenSim.close();
    }
  });

  it('shows a failed site as FAILED with the reason, exit 1', async () => {
    // Prepare
    sim.faults.push({ route: '/qrs/license/accesstypeoverview', status: 403 });
    const config = await writeConfig('forbidden', siteYaml('sample', sim.port));

    // Act
    const result = await run(['monitor', '--config', config]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /Site sample: FAILED\n\s+QRS GET \/license\/accesstypeoverview answered HTTP 403/,
    );
  });
});
