/**
 * `license-steward doctor` in-process against the QRS simulator over real mTLS, with Qlik-like
 * certificates (the purpose variant OpenSSL refuses on its own): every check passes on the sample
 * site, and each kind of broken site fails at the check that names it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createQlikPki, type TestPki } from '#test/simulator/certs.ts';
import { type SimulatorOptions, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import { runCliCaptured } from '#test/support/cli.ts';

const NODE = 'qliknode1';
const ALL_CHECKS = [
  'config',
  'certificate-sources',
  'client-certificate',
  'ca-certificate',
  'qrs-reachable',
  'tls-server-verified',
  'tls-client-accepted',
  'identity-accepted',
  'license-read',
  'allocations-read',
  'users-read',
  'clock',
  'protection-rules',
];

let pki: TestPki;
let otherSite: TestPki;
let dir: string;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  pki = await createQlikPki({ name: NODE, variant: 'serverClientPurposeOnly' });
  otherSite = await createQlikPki({ name: 'qliknode9' });
  dir = await mkdtemp(path.join(tmpdir(), 'license-steward-doctor-'));
  await writeFile(path.join(dir, 'client.pem'), pki.client.cert);
  await writeFile(path.join(dir, 'client_key.pem'), pki.client.key);
  await writeFile(path.join(dir, 'root.pem'), pki.ca);
  await writeFile(path.join(dir, 'expired.pem'), pki.expiredClient.cert);
  await writeFile(path.join(dir, 'expired_key.pem'), pki.expiredClient.key);
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function simulator(options: Partial<SimulatorOptions> = {}) {
  const sim = await startSimulator({ site: createSampleSite(), pki, ...options });
  closers.push(() => sim.close());
  return sim;
}

async function config(
  port: number,
  options: { servername?: string; cert?: string; key?: string; release?: string } = {},
): Promise<string> {
  const file = path.join(dir, `config-${port}-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(
    file,
    `sites:
  - name: sample
    qrs:
      host: 127.0.0.1
      port: ${port}
      servername: ${options.servername ?? NODE}
      timeoutSeconds: 5
      certificates:
        cert: { file: ./${options.cert ?? 'client.pem'} }
        key: { file: ./${options.key ?? 'client_key.pem'} }
        ca: { file: ./root.pem }
${options.release ?? ''}`,
  );
  return file;
}

interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

async function doctorJson(file: string): Promise<{ code: number; checks: Check[] }> {
  const run = await runCliCaptured(['doctor', '--config', file, '--json']);
  const document = JSON.parse(run.stdout) as { sites: Array<{ site: string; checks: Check[] }> };
  expect(document.sites.map((site) => site.site)).toEqual(['sample']);
  return { code: run.code, checks: document.sites[0]?.checks ?? [] };
}

function failed(checks: Check[]): Check[] {
  return checks.filter((check) => !check.ok);
}

describe('license-steward doctor', () => {
  it('passes every check on the sample site, read-only, exit 0', async () => {
    const sim = await simulator();

    const { code, checks } = await doctorJson(await config(sim.port));

    expect(code).toBe(0);
    expect(checks.map((check) => check.check)).toEqual(ALL_CHECKS);
    expect(failed(checks)).toEqual([]);
    for (const check of checks) expect(Object.keys(check)).toEqual(['check', 'ok', 'detail']);
    expect(sim.methodCounters.get('DELETE')).toBeUndefined();
    expect(checks.find((check) => check.check === 'users-read')?.detail).toBe('13 users');
  });

  it('prints a checklist by default', async () => {
    const sim = await simulator();

    const run = await runCliCaptured(['doctor', '--config', await config(sim.port)]);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Site sample\n/);
    expect(run.stdout).toMatch(/\[ok\] {3}tls-server-verified: /);
    expect(run.stdout).toMatch(/All checks passed\./);
  });

  it('fails at tls-server-verified for a server certificate from a foreign CA', async () => {
    const sim = await simulator({ serverCert: otherSite.server });

    const { code, checks } = await doctorJson(await config(sim.port, { servername: 'qliknode9' }));

    expect(code).toBe(1);
    expect(failed(checks).map((check) => check.check)).toEqual(['tls-server-verified']);
    expect(failed(checks)[0]?.detail).toMatch(
      /not signed by the configured CA: it is issued by CN=qliknode9-CA.*Use root\.pem/,
    );
    expect(sim.requestCount()).toBe(0);
  });

  it('fails at tls-client-accepted when QRS rejects the client certificate', async () => {
    // QRS trusts another CA for clients now (say, its certificates were recreated).
    const sim = await simulator({ pki: { ...pki, ca: pki.otherCa }, serverCert: pki.server });

    const { code, checks } = await doctorJson(await config(sim.port));

    expect(code).toBe(1);
    expect(failed(checks).map((check) => check.check)).toEqual(['tls-client-accepted']);
    expect(failed(checks)[0]?.detail).toMatch(/QRS refused client\.pem.*export client\.pem/);
  });

  it('fails at tls-server-verified for a wrong name, saying which servername to set', async () => {
    const sim = await simulator();

    const { code, checks } = await doctorJson(
      await config(sim.port, { servername: 'qlik.corp.example' }),
    );

    expect(code).toBe(1);
    expect(failed(checks).map((check) => check.check)).toEqual(['tls-server-verified']);
    expect(failed(checks)[0]?.detail).toMatch(`Set \`servername: ${NODE}\``);
  });

  it('fails at clock when QRS is 10 minutes behind', async () => {
    const sim = await simulator({ clockOffsetMs: -10 * 60_000 });

    const { code, checks } = await doctorJson(await config(sim.port));

    expect(code).toBe(1);
    expect(failed(checks).map((check) => check.check)).toEqual(['clock']);
    expect(failed(checks)[0]?.detail).toMatch(/QRS's clock is 10\.0 minutes behind .*sync both/);
  });

  it('fails at client-certificate for an expired client certificate, before contacting QRS', async () => {
    const sim = await simulator();

    const { code, checks } = await doctorJson(
      await config(sim.port, { cert: 'expired.pem', key: 'expired_key.pem' }),
    );

    expect(code).toBe(1);
    expect(checks.at(-1)).toMatchObject({ check: 'client-certificate', ok: false });
    expect(checks.at(-1)?.detail).toMatch(/expired on .*export client\.pem/);
    expect(sim.requestCount()).toBe(0);
  });

  it('fails at client-certificate when the key belongs to another certificate', async () => {
    const sim = await simulator();

    const { checks } = await doctorJson(await config(sim.port, { key: 'expired_key.pem' }));

    expect(checks.at(-1)).toMatchObject({ check: 'client-certificate', ok: false });
    expect(checks.at(-1)?.detail).toMatch(/client_key\.pem is not the key of client\.pem/);
  });

  it('fails at certificate-sources for a missing file', async () => {
    const { code, checks } = await doctorJson(await config(1, { cert: 'missing.pem' }));

    expect(code).toBe(1);
    expect(checks.at(-1)).toMatchObject({ check: 'certificate-sources', ok: false });
    expect(checks.at(-1)?.detail).toMatch(/missing\.pem \(ENOENT\)/);
  });

  it('fails at qrs-reachable when nothing listens', async () => {
    const sim = await simulator();
    const port = sim.port;
    await sim.close();
    closers.length = 0;

    const { checks } = await doctorJson(await config(port));

    expect(checks.at(-1)).toMatchObject({ check: 'qrs-reachable', ok: false });
    expect(checks.at(-1)?.detail).toMatch(/ECONNREFUSED/);
  });

  it('fails at identity-accepted when QRS answers 403', async () => {
    const sim = await simulator();
    sim.faults.push({ route: '/qrs/license', status: 403, body: 'Forbidden' });

    const { checks } = await doctorJson(await config(sim.port));

    expect(failed(checks).map((check) => check.check)).toEqual(['identity-accepted']);
    expect(failed(checks)[0]?.detail).toMatch(/Check qrs\.user \(now INTERNAL\\sa_api\)/);
  });

  it('is a usage error (exit 2) for an unknown site', async () => {
    const run = await runCliCaptured(['doctor', '--config', await config(1), '--site', 'nope']);
    expect(run.code).toBe(2);
  });

  describe('protection-rules: each neverRelease rule names something QRS has', () => {
    const typos = (allow = '') => `    licenseRelease:
${allow}      neverRelease:
        user: [ { userDir: INTERNAL, userId: sa_repositry } ]
        userDirectory: [ INTERNL, ADMIN ]
        tag: [ License do not release ]
        customProperty: [ { name: LicenseManage, value: do-not-relase } ]
`;

    it('fails naming every rule that matches nothing, and leaves the correct ones alone', async () => {
      const sim = await simulator();

      const { code, checks } = await doctorJson(await config(sim.port, { release: typos() }));

      expect(code).toBe(1);
      expect(failed(checks).map((check) => check.check)).toEqual(['protection-rules']);
      const detail = failed(checks)[0]?.detail ?? '';
      expect(detail).toMatch(/neverRelease\.user INTERNAL\\sa_repositry: QRS has no such user/);
      expect(detail).toMatch(/neverRelease\.userDirectory "INTERNL": no user in QRS/);
      expect(detail).toMatch(
        /customProperty LicenseManage=do-not-relase: "do-not-relase" is not one of its choices \(do-not-release\)/,
      );
      expect(detail).not.toMatch(/ADMIN|License do not release/);
      expect(detail).toMatch(/allowUnmatchedRules: true/);
    });

    it('passes with a WARNING when the site allows unmatched rules', async () => {
      const sim = await simulator();
      const release = typos('      allowUnmatchedRules: true\n');

      const { code, checks } = await doctorJson(await config(sim.port, { release }));

      expect(code).toBe(0);
      expect(checks.at(-1)).toMatchObject({ check: 'protection-rules', ok: true });
      expect(checks.at(-1)?.detail).toMatch(/^WARNING .*sa_repositry/);
    });
  });
});
