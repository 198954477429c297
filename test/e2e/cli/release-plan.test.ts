/**
 * `license-steward release --plan FILE` in-process against the QRS simulator: a plan made by
 * `release --dry-run --json`, reviewed (and perhaps edited), then applied. Only the plan's
 * candidates are ever released, each re-checked against fresh QRS data and today's rules.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PLAN_BYTES } from '#shared/licensing/release/plan-file.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { addAllocation, addUser, createSampleSite, type SimSite } from '#test/simulator/site.ts';
import { runCliCaptured } from '#test/support/cli.ts';
import { qmcCertificateFolder } from '#test/support/harness.ts';
import { DAY_MS } from '#test/support/time.ts';

const HOUR_MS = 3_600_000;
const DELETES = [
  'DELETE /qrs/license/professionalaccesstype/{id}',
  'DELETE /qrs/license/analyzeraccesstype/{id}',
];

let pki: TestPki;
let folder: string;
let sim: Simulator;
let site: SimSite;

beforeAll(async () => {
  pki = await createTestPki();
  folder = qmcCertificateFolder(pki, 'license-steward-plan-');
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));
beforeEach(async () => {
  site = createSampleSite(new Date());
  sim = await startSimulator({ site, pki });
});
afterEach(() => sim.close());

function rules(options: { dryRun?: boolean; professionalDays?: number; tag?: string } = {}) {
  return `    licenseRelease:
      dryRun: ${options.dryRun ?? true}
      neverRelease:
        user: [ { userDir: INTERNAL, userId: sa_repository } ]
        tag: [ ${options.tag ?? 'License do not release'} ]
        customProperty: [ { name: LicenseManage, value: do-not-release } ]
        userDirectory: [ ADMIN ]
        blocked: Yes
      licenseType:
        analyzer: { releaseThresholdDays: 30 }
        professional: { releaseThresholdDays: ${options.professionalDays ?? 60} }`;
}

function writeConfig(release: string, name = 'sample'): string {
  const file = path.join(folder, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `sites:
  - name: ${name}
    qrs:
      host: localhost
      port: ${sim.port}
      certificates:
        cert: { file: client.pem }
        key: { file: client_key.pem }
        ca: { file: root.pem }
${release}
`,
  );
  return file;
}

const deletes = () => DELETES.reduce((sum, key) => sum + sim.requestCount(key), 0);
const userIds = (items: ReadonlyArray<{ userId: string | null }>) =>
  items.map((item) => item.userId);

/** Makes a plan the documented way and saves it, as an admin would for review. */
async function makePlan(config: string, now?: () => Date): Promise<string> {
  const { code, stdout } = await runCliCaptured(
    ['release', '--config', config, '--dry-run', '--json'],
    now ? { now } : {},
  );
  expect(code).toBe(0);
  const file = path.join(folder, `plan-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, stdout);
  return file;
}

function editPlan(file: string, edit: (plan: { sites: Array<Record<string, unknown>> }) => void) {
  const plan = JSON.parse(readFileSync(file, 'utf8'));
  edit(plan);
  writeFileSync(file, JSON.stringify(plan));
}

function allocationOf(userId: string) {
  return [...site.allocations.values()].find(
    (allocation) => site.users.get(allocation.userRef ?? '')?.userId === userId,
  );
}

describe('release --plan', () => {
  it('the plan records the rules it was made with', async () => {
    const plan = JSON.parse(readFileSync(await makePlan(writeConfig(rules())), 'utf8'));

    expect(plan.sites[0].rules).toMatchObject({
      maxReleasesPerRun: 50,
      licenseType: { professional: { enable: true, releaseThresholdDays: 60 } },
      neverRelease: { tag: ['License do not release'], blocked: 'Yes' },
    });
  });

  it('releases exactly the reviewed candidates, keeps one that became active, and never touches a new one', async () => {
    // Prepare: a plan of cecilia, gustav, bertil and erik; the reviewer strikes gustav out.
    const config = writeConfig(rules());
    const file = await makePlan(config);
    editPlan(file, (plan) => {
      const entry = plan.sites[0] as { candidates: Array<{ userId: string }> };
      entry.candidates = entry.candidates.filter((item) => item.userId !== 'gustav');
    });
    // Between plan and apply: bertil opens an app, and nils's idle allocation appears.
    const bertil = allocationOf('bertil');
    if (bertil) bertil.lastUsed = new Date(Date.now() - HOUR_MS).toISOString();
    const nils = addUser(site, { userId: 'nils', userDirectory: 'LAB' });
    const idle = addAllocation(site, {
      licenseType: 'professional',
      userRef: nils.id,
      lastUsed: new Date(Date.now() - 300 * DAY_MS).toISOString(),
    });
    sim.resetCounters();

    // Act: config dryRun is true, --plan releases anyway.
    const { code, stdout, stderr } = await runCliCaptured([
      'release',
      '--config',
      config,
      '--yes',
      '--plan',
      file,
      '--json',
    ]);

    // Assess
    expect(code).toBe(0);
    const [result] = JSON.parse(stdout).sites;
    expect(result.dryRun).toBe(false);
    expect(userIds(result.released)).toEqual(['cecilia', 'erik']);
    expect(result.kept).toEqual([expect.objectContaining({ userId: 'bertil', reason: 'active' })]);
    expect(result.plan).toMatchObject({ candidates: 3, ruleDifferences: [] });
    expect(result.skipped).toEqual([]);
    expect(deletes()).toBe(2);
    expect(site.allocations.has(idle.id)).toBe(true);
    expect(allocationOf('gustav')).toBeDefined();
    // Only the plan's ids were read: no lastUsed sweep that could pick up nils.
    const listFilters = [...sim.filters.entries()]
      .filter(([route]) => route.includes('accesstype/full'))
      .flatMap(([, filters]) => filters);
    expect(
      listFilters.every((filter) => /^id eq [0-9a-f-]+( or id eq [0-9a-f-]+)*$/.test(filter)),
    ).toBe(true);
    expect(stderr).not.toMatch(/different rules/);
  });

  it('--dry-run with --plan re-checks the plan and sends no DELETE', async () => {
    const config = writeConfig(rules({ dryRun: false }));
    const file = await makePlan(config);

    const { code, stdout } = await runCliCaptured([
      'release',
      '--config',
      config,
      '--plan',
      file,
      '--dry-run',
      '--json',
    ]);

    expect(code).toBe(0);
    const [result] = JSON.parse(stdout).sites;
    expect(result.dryRun).toBe(true);
    expect(userIds(result.candidates)).toEqual(['cecilia', 'gustav', 'bertil', 'erik']);
    expect(deletes()).toBe(0);
  });

  it('warns on stderr and lists the differences when the rules changed since the plan', async () => {
    // Prepare
    const file = await makePlan(writeConfig(rules()));
    const stricter = writeConfig(rules({ professionalDays: 90, tag: 'Keep' }));
    // A tag made in the QMC and given to nobody yet: the rule names something QRS has.
    sim.site.extraTags = ['Keep'];

    // Act
    const { code, stdout, stderr } = await runCliCaptured([
      'release',
      '--config',
      stricter,
      '--yes',
      '--plan',
      file,
      '--json',
    ]);

    // Assess: bertil (64 days idle) is no longer inactive under the 90-day rule.
    expect(code).toBe(0);
    expect(stderr).toMatch(/different rules/);
    expect(stderr).toMatch(
      /licenseType\.professional\.releaseThresholdDays: 60 in the plan, 90 now/,
    );
    expect(stderr).toMatch(
      /neverRelease\.tag: \[license do not release\] in the plan, \[keep\] now/,
    );
    const [result] = JSON.parse(stdout).sites;
    expect(result.plan.ruleDifferences).toHaveLength(2);
    expect(userIds(result.released)).toEqual(['cecilia', 'gustav', 'erik']);
    expect(result.kept).toEqual([expect.objectContaining({ userId: 'bertil', reason: 'active' })]);
  });

  it('reports a planned allocation QRS no longer returns as skipped, without a DELETE', async () => {
    const config = writeConfig(rules());
    const file = await makePlan(config);
    const erik = allocationOf('erik');
    if (erik) site.allocations.delete(erik.id);

    const { code, stdout } = await runCliCaptured([
      'release',
      '--config',
      config,
      '--yes',
      '--plan',
      file,
    ]);

    expect(code).toBe(0);
    expect(stdout).toMatch(/Applying the plan made .* \(4 candidates\)/);
    expect(stdout).toMatch(/Released: 3 allocations/);
    expect(stdout).toMatch(
      /Planned but not applied: 1 allocation\n.*\n.*LAB\\erik.*QRS no longer returns/,
    );
    expect(deletes()).toBe(3);
  });

  it('mode: review makes a plain release a plan (a dry run), with a notice; --plan still releases', async () => {
    const config = writeConfig(`${rules({ dryRun: false })}\n      mode: review`);

    const planned = await runCliCaptured(['release', '--config', config, '--json']);
    const file = path.join(folder, 'review-plan.json');
    writeFileSync(file, planned.stdout);
    const applied = await runCliCaptured([
      'release',
      '--config',
      config,
      '--yes',
      '--plan',
      file,
      '--json',
    ]);

    expect(planned.code).toBe(0);
    expect(planned.stderr).toMatch(/licenseRelease\.mode is review/);
    expect(JSON.parse(planned.stdout).sites[0]).toMatchObject({ dryRun: true, released: [] });
    expect(applied.code).toBe(0);
    expect(userIds(JSON.parse(applied.stdout).sites[0].released)).toEqual([
      'cecilia',
      'gustav',
      'bertil',
      'erik',
    ]);
    expect(deletes()).toBe(4);
  });

  it('refuses with exit 2 a plan older than 24 hours, and takes it with --max-plan-age', async () => {
    // Prepare: the plan was made 25 hours ago.
    const config = writeConfig(rules());
    const file = await makePlan(config, () => new Date(Date.now() - 25 * HOUR_MS));
    sim.resetCounters();

    // Act
    const old = await runCliCaptured([
      'release',
      '--config',
      config,
      '--yes',
      '--plan',
      file,
      '--json',
    ]);
    const allowed = await runCliCaptured([
      'release',
      '--config',
      config,
      '--plan',
      file,
      '--max-plan-age',
      '30',
      '--dry-run',
      '--json',
    ]);

    // Assess
    expect(old.code).toBe(2);
    // Under --json the refusal is a JSON document too (docs/faults.md): no site ran.
    expect(JSON.parse(old.stdout)).toMatchObject({ sites: [], error: { kind: 'usage' } });
    expect(old.stderr).toMatch(/plan refused: .*made 25\.0 hours ago.*more than 24/);
    expect(allowed.code).toBe(0);
    // 25 hours ago erik (31 days idle now) was not yet past 30 days: the plan holds three.
    const planned = JSON.parse(readFileSync(file, 'utf8')).sites[0].candidates;
    expect(userIds(planned)).toEqual(['cecilia', 'gustav', 'bertil']);
    expect(userIds(JSON.parse(allowed.stdout).sites[0].candidates)).toEqual(userIds(planned));
    expect(deletes()).toBe(0);
  });

  it('refuses with exit 2 a plan of a site that is not in the configuration', async () => {
    const file = await makePlan(writeConfig(rules()));
    const other = writeConfig(rules(), 'other');
    sim.resetCounters();

    const { code, stdout, stderr } = await runCliCaptured([
      'release',
      '--config',
      other,
      '--yes',
      '--plan',
      file,
    ]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/plan is for site "sample", which is not in the configuration/);
    expect(sim.requestCount()).toBe(0);
  });

  it('refuses with exit 2 a --site the plan does not hold, a real run, and a file that is not a plan', async () => {
    // Prepare
    const config = writeConfig(rules());
    const file = await makePlan(config);
    const twoSites = writeConfig(
      `${rules()}
  - name: lab
    qrs:
      host: localhost
      port: ${sim.port}
      certificates: { cert: { file: client.pem }, key: { file: client_key.pem }, ca: { file: root.pem } }`,
    );
    const real = path.join(folder, 'real.json');
    writeFileSync(real, readFileSync(file, 'utf8').replaceAll('"dryRun": true', '"dryRun": false'));
    const garbage = path.join(folder, 'garbage.json');
    writeFileSync(garbage, '{"sites": [{"site": "sample"}');
    sim.resetCounters();

    // Act
    const wrongSite = await runCliCaptured([
      'release',
      '--config',
      twoSites,
      '--yes',
      '--plan',
      file,
      '--site',
      'lab',
    ]);
    const realRun = await runCliCaptured(['release', '--config', config, '--yes', '--plan', real]);
    const notJson = await runCliCaptured([
      'release',
      '--config',
      config,
      '--yes',
      '--plan',
      garbage,
    ]);
    const missing = await runCliCaptured([
      'release',
      '--config',
      config,
      '--yes',
      '--plan',
      `${garbage}.nope`,
    ]);

    // Assess
    expect(wrongSite).toMatchObject({ code: 2, stdout: '' });
    expect(wrongSite.stderr).toMatch(/the plan has no site "lab"/);
    expect(realRun.code).toBe(2);
    expect(realRun.stderr).toMatch(/dryRun: must be true/);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/is not JSON/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the plan/);
    expect(sim.requestCount()).toBe(0);
  });

  it('plan files: a device, a FIFO, a huge file and deep nesting are refused (exit 2, no request); a BOM is read', async () => {
    const config = writeConfig(rules());
    const file = await makePlan(config);
    const bom = path.join(folder, 'bom.json');
    writeFileSync(bom, `\uFEFF${readFileSync(file, 'utf8')}`);
    const fifo = path.join(folder, 'plan.fifo');
    execFileSync('mkfifo', [fifo]);
    const huge = path.join(folder, 'huge.json');
    writeFileSync(huge, Buffer.alloc(MAX_PLAN_BYTES + 1, 0x20));
    const deep = path.join(folder, 'deep.json');
    const nested = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    writeFileSync(
      deep,
      readFileSync(file, 'utf8').replace(/"rules":\s*/, `"rules": ${nested}, "madeWith": `),
    );
    sim.resetCounters();

    const apply = (planFile: string) =>
      runCliCaptured(['release', '--config', config, '--plan', planFile, '--dry-run']);
    const runs = {
      zero: await apply('/dev/zero'),
      fifo: await apply(fifo),
      huge: await apply(huge),
      deep: await apply(deep),
    };
    const requestsBeforeBom = sim.requestCount();
    const withBom = await apply(bom);

    expect(runs.zero).toMatchObject({ code: 2, stdout: '' });
    expect(runs.zero.stderr).toMatch(/\/dev\/zero is not a regular file/);
    expect(runs.fifo.code).toBe(2);
    expect(runs.fifo.stderr).toMatch(/plan\.fifo is not a regular file/);
    expect(runs.huge.code).toBe(2);
    expect(runs.huge.stderr).toMatch(/larger than a plan may be \(5 MB\)/);
    expect(runs.deep.code).toBe(2);
    expect(runs.deep.stderr).toMatch(/nests deeper than 32 levels/);
    expect(requestsBeforeBom).toBe(0);
    expect(withBom.code).toBe(0);
  });

  it('refuses (exit 2, no request) a plan with more candidates than twice maxReleasesPerRun', async () => {
    const config = writeConfig(rules());
    const file = await makePlan(config);
    editPlan(file, (plan) => {
      const entry = plan.sites[0] as { candidates: Array<Record<string, unknown>> };
      const template = entry.candidates[0] ?? {};
      entry.candidates = Array.from({ length: 20_000 }, () => ({
        ...template,
        accessTypeId: randomUUID(),
      }));
    });
    sim.resetCounters();

    const run = await runCliCaptured(['release', '--config', config, '--plan', file, '--dry-run']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/holds 20000 candidates, more than 2 × maxReleasesPerRun \(50\)/);
    expect(sim.requestCount()).toBe(0);
  });

  it('a plan whose candidates are all skipped before any request is not refused for an unread clock', async () => {
    const config = writeConfig(rules());
    const file = await makePlan(config);
    editPlan(file, (plan) => {
      const entry = plan.sites[0] as { candidates: Array<{ accessTypeId: string }> };
      for (const item of entry.candidates) item.accessTypeId = `x-${item.accessTypeId}`;
    });
    sim.resetCounters();

    const run = await runCliCaptured([
      'release',
      '--config',
      config,
      '--yes',
      '--plan',
      file,
      '--json',
    ]);

    expect(run.code).toBe(0);
    expect(sim.requestCount()).toBe(0);
    const result = JSON.parse(run.stdout).sites[0];
    expect(result.error).toBeUndefined();
    expect(result.skipped.length).toBeGreaterThan(0);
    expect(result.released).toEqual([]);
  });
});
