/**
 * `license-steward release` in-process against the QRS simulator: a YAML config and PEM files in
 * a temporary folder, as an administrator would have them.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEEP_REASONS } from '#shared/licensing/release/types.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite, type SimSite } from '#test/simulator/site.ts';
import { runCliCaptured } from '#test/support/cli.ts';
import { qmcCertificateFolder } from '#test/support/harness.ts';

const DELETES = [
  'DELETE /qrs/license/professionalaccesstype/{id}',
  'DELETE /qrs/license/analyzeraccesstype/{id}',
];
const A_KEYS = [
  'accessTypeId',
  'inactiveDays',
  'lastActivity',
  'licenseType',
  'userDirectory',
  'userId',
];

let pki: TestPki;
let folder: string;
let sim: Simulator;
let site: SimSite;

beforeAll(async () => {
  pki = await createTestPki();
  folder = qmcCertificateFolder(pki, 'license-steward-release-');
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));
beforeEach(async () => {
  site = createSampleSite(new Date());
  sim = await startSimulator({ site, pki });
});
afterEach(() => sim.close());

/** A config file like the README's, certificates relative to it. */
function writeConfig(release: string, extraSites = ''): string {
  const file = path.join(folder, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `sites:
  - name: sample
    qrs:
      host: localhost
      port: ${sim.port}
      certificates:
        cert: { file: client.pem }
        key: { file: client_key.pem }
        ca: { file: root.pem }
${release}
${extraSites}`,
  );
  return file;
}

const SAMPLE_RELEASE = `    licenseRelease:
      enable: true
      maxReleasesPerRun: 50
      dryRun: false
      neverRelease:
        user: [ { userDir: INTERNAL, userId: sa_repository } ]
        tag: [ License do not release ]
        customProperty: [ { name: LicenseManage, value: do-not-release } ]
        userDirectory: [ ADMIN ]
        inactive: Ignore
        blocked: Yes
        removedExternally: Ignore
      licenseType:
        analyzer: { enable: true, releaseThresholdDays: 30 }
        professional: { enable: true, releaseThresholdDays: 60 }`;

const cli = (args: string[]) => runCliCaptured(args);

const deletes = () => DELETES.reduce((sum, key) => sum + sim.requestCount(key), 0);

describe('license-steward release', () => {
  it('--dry-run --json prints the documented shape and sends no DELETE', async () => {
    const config = writeConfig(SAMPLE_RELEASE);

    const { code, stdout } = await cli(['release', '--config', config, '--dry-run', '--json']);

    expect(code).toBe(0);
    expect(deletes()).toBe(0);
    const document = JSON.parse(stdout);
    expect(Object.keys(document)).toEqual(['sites']);
    expect(document.sites).toHaveLength(1);
    const [result] = document.sites;
    expect(result).toMatchObject({ site: 'sample', dryRun: true, released: [], failed: [] });
    for (const key of ['site', 'dryRun', 'evaluatedAt', 'candidates', 'kept', 'released', 'failed'])
      expect(result).toHaveProperty(key);
    expect(new Date(result.evaluatedAt).toISOString()).toBe(result.evaluatedAt);
    expect(result.candidates.map((item: { userId: string }) => item.userId)).toEqual([
      'cecilia',
      'gustav',
      'bertil',
      'erik',
    ]);
    for (const item of result.candidates) {
      // `neverUsed: true` is added to a never-used allocation only.
      if ('neverUsed' in item) expect(item.neverUsed).toBe(true);
      expect(
        Object.keys(item)
          .filter((key) => key !== 'neverUsed')
          .sort(),
      ).toEqual(A_KEYS);
      expect(['professional', 'analyzer']).toContain(item.licenseType);
      expect(Number.isInteger(item.inactiveDays)).toBe(true);
    }
    for (const item of result.kept) {
      expect(
        Object.keys(item)
          .filter((key) => !['reason', 'detail', 'neverUsed'].includes(key))
          .sort(),
      ).toEqual(A_KEYS);
      expect(KEEP_REASONS).toContain(item.reason);
    }
    expect(result.kept.map((item: { reason: string }) => item.reason).sort()).toEqual([
      'active',
      'protected:blocked',
      'protected:customProperty',
      'protected:user',
      'protected:userDirectory',
    ]);
  });

  it('prints a table and the kept count per reason by default', async () => {
    const config = writeConfig(SAMPLE_RELEASE);

    const { code, stdout } = await cli(['release', '--config', config, '--dry-run']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/Site sample \(dry run, nothing is released\)/);
    expect(stdout).toMatch(/Would release: 4 allocations/);
    expect(stdout).toMatch(/TYPE\s+USER\s+LAST ACTIVITY\s+DAYS\s+ACCESS TYPE ID/);
    expect(stdout).toMatch(/professional\s+LAB\\cecilia/);
    // The summary first, then who is kept and why, row by row.
    expect(stdout).toMatch(
      /Summary: would release 4 \(\d professional, \d analyzer\); kept 5: active 1, protected:user 1/,
    );
    expect(stdout).toMatch(/Kept, and why: 5 allocations/);
    expect(stdout).toMatch(/INTERNAL\\sa_repository .* protected:user/);
  });

  it('releases when the config says dryRun: false, and lists what was released', async () => {
    const config = writeConfig(SAMPLE_RELEASE);

    const { code, stdout } = await cli(['release', '--config', config, '--json']);

    expect(code).toBe(0);
    const [result] = JSON.parse(stdout).sites;
    expect(result.dryRun).toBe(false);
    expect(result.released).toHaveLength(4);
    expect(deletes()).toBe(4);
  });

  it('exits 1 when a DELETE fails, with the failure and the other releases in the document', async () => {
    const config = writeConfig(SAMPLE_RELEASE);
    const cecilia = [...site.allocations.values()].find(
      (allocation) => site.users.get(allocation.userRef ?? '')?.userId === 'cecilia',
    );
    sim.faults.push({
      method: 'DELETE',
      route: `/qrs/license/professionalaccesstype/${cecilia?.id}`,
      status: 500,
    });

    const { code, stdout } = await cli(['release', '--config', config, '--json']);

    expect(code).toBe(1);
    const [result] = JSON.parse(stdout).sites;
    expect(result.released).toHaveLength(3);
    expect(result.failed).toEqual([
      expect.objectContaining({ userId: 'cecilia', error: expect.stringMatching(/HTTP 500/) }),
    ]);
  });

  it('refuses a real release whose protection rule matches nothing in QRS: exit 1, no DELETE', async () => {
    const config = writeConfig(
      SAMPLE_RELEASE.replace('userDirectory: [ ADMIN ]', 'userDirectory: [ ADMN ]'),
    );

    const { code, stdout, stderr } = await cli(['release', '--config', config, '--json']);

    expect(code).toBe(1);
    expect(deletes()).toBe(0);
    const [result] = JSON.parse(stdout).sites;
    expect(result.error).toMatch(
      /^release refused: a protection rule matches nothing in QRS, so it protects nobody: neverRelease\.userDirectory "ADMN": no user in QRS has this user directory/,
    );
    expect(stderr).toMatch(/allowUnmatchedRules: true/);
  });

  it('a dry run names the rule that matches nothing and the read it used', async () => {
    const config = writeConfig(
      SAMPLE_RELEASE.replace('userDirectory: [ ADMIN ]', 'userDirectory: [ ADMN ]'),
    );

    const { code, stdout } = await cli(['release', '--config', config, '--dry-run']);

    expect(code).toBe(0);
    expect(stdout).toMatch(
      /WARNING: neverRelease\.userDirectory "ADMN" matches nothing in QRS \(no user in QRS has this user directory\): it protects nobody/,
    );
    expect(stdout).toMatch(/User records read: id batches/);
  });

  it('exits 2 for an unknown --site', async () => {
    const config = writeConfig(SAMPLE_RELEASE);

    const { code, stderr, stdout } = await cli(['release', '--config', config, '--site', 'nope']);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/unknown site "nope"/);
  });

  it('skips a site whose release is disabled, with a notice', async () => {
    const config = writeConfig('    licenseRelease: { enable: false }');

    const { code, stdout, stderr } = await cli(['release', '--config', config, '--json']);

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ sites: [] });
    expect(stderr).toMatch(/license release is disabled.*skipped/);
    expect(sim.requestCount()).toBe(0);
  });

  it('one failing site does not stop the others: exit 1, both in the document', async () => {
    const config = writeConfig(
      SAMPLE_RELEASE,
      `  - name: down
    qrs:
      host: localhost
      port: 1
      certificates:
        cert: { file: client.pem }
        key: { file: client_key.pem }
        ca: { file: root.pem }
      maxRetries: 0
    licenseRelease: { enable: true }
`,
    );

    const { code, stdout } = await cli(['release', '--config', config, '--dry-run', '--json']);

    expect(code).toBe(1);
    const sites = JSON.parse(stdout).sites;
    expect(sites.map((s: { site: string }) => s.site)).toEqual(['sample', 'down']);
    expect(sites[0].candidates).toHaveLength(4);
    expect(sites[1].error).toMatch(/Could not reach QRS/);
  });
});
