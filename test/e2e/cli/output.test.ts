/**
 * What the CLI prints, at any size, in-process against the QRS simulator over mutual TLS: who is
 * kept and why, the cap counted as "not judged", a summary first with `--all` for every row,
 * never-used allocations marked, `monitor --json` carrying the table's warnings, `release --plan`
 * asking in a terminal, colours when asked, "Region is missing" explained, and configurations
 * that start off AWS.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '#functions/cli/main.ts';
import { writeToSinks } from '#shared/licensing/sinks.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite, generateSite, type SimSite } from '#test/simulator/site.ts';
import { type ConfigFolder, cliSite, configFolder, deleteCount } from '#test/support/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const OFF_AWS = { timestream: { enable: false }, cloudwatch: { enable: false } };
const SAMPLE_RULES = {
  enable: true,
  dryRun: true,
  neverRelease: {
    user: [{ userDir: 'INTERNAL', userId: 'sa_repository' }],
    tag: ['License do not release'],
    customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }],
    userDirectory: ['ADMIN'],
    blocked: 'Yes',
  },
};

let pki: TestPki;
let folder: ConfigFolder;
let sim: Simulator;

beforeAll(async () => {
  pki = await createTestPki();
  folder = configFolder(pki);
});
afterAll(() => folder.remove());
afterEach(() => sim?.close());

async function serve(site: SimSite = createSampleSite(new Date())): Promise<void> {
  sim = await startSimulator({ site, pki });
}

interface Options {
  confirm?: (question: string) => Promise<boolean>;
  colour?: boolean;
}

async function cli(argv: string[], options: Options = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    ...options,
  });
  return { code, stdout, stderr };
}

const configWith = (licenseRelease: Record<string, unknown>, site: Record<string, unknown> = {}) =>
  folder.write({
    sites: [{ ...cliSite({ port: sim.port, licenseRelease }), ...site }],
    destinations: OFF_AWS,
  });

describe('the human release report', () => {
  beforeEach(() => serve());

  it('lists who is kept and why, and marks a never-used allocation in the table and the JSON', async () => {
    const config = configWith(SAMPLE_RULES);

    const human = await cli(['release', '--config', config, '--dry-run']);
    const json = await cli(['release', '--config', config, '--dry-run', '--json']);

    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Summary: would release 4 \(.*\); kept \d+: /);
    expect(human.stdout).toMatch(/Kept, and why: \d+ allocations/);
    for (const [user, reason] of [
      ['INTERNAL\\sa_repository', 'protected:user'],
      ['LAB\\david', 'protected:tag'],
      ['LAB\\ivar', 'protected:customProperty'],
      ['LAB\\karl', 'protected:blocked'],
      ['ADMIN\\admin1', 'protected:userDirectory'],
      ['LAB\\hanna', 'active: inactive 1 of 30 days (never used; allocated)'],
    ])
      expect(human.stdout).toMatch(
        new RegExp(`${literal(user ?? '')} .* ${literal(reason ?? '')}`),
      );
    // gustav never opened an app: the date shown is the allocation's, and it says so.
    expect(human.stdout).toMatch(/analyzer\s+LAB\\gustav\s+never used \(allocated \d{4}-/);
    const candidates = JSON.parse(json.stdout).sites[0].candidates;
    const gustav = candidates.find((item: { userId: string }) => item.userId === 'gustav');
    const cecilia = candidates.find((item: { userId: string }) => item.userId === 'cecilia');
    expect(gustav).toMatchObject({ neverUsed: true, inactiveDays: 90 });
    expect(cecilia).not.toHaveProperty('neverUsed');
  });

  it('past the cap: "N not judged (beyond the cap of 1 …)", not an unexplained count', async () => {
    const config = configWith({ ...SAMPLE_RULES, maxReleasesPerRun: 1 });

    const { code, stdout } = await cli(['release', '--config', config, '--dry-run']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/Would release: 1 allocation\n/);
    expect(stdout).toMatch(/3 not judged \(beyond the cap of 1, maxReleasesPerRun\)/);
    expect(stdout).not.toMatch(/\bcap 3\b/);
  });
});

describe('a large run', () => {
  it('shows the summary and the first rows; --all every row; --json everything', async () => {
    await serve(generateSite({ allocations: 400, seed: 7 }));
    const config = configWith({ enable: true, dryRun: true, maxReleasesPerRun: 60 });

    const short = await cli(['release', '--config', config, '--dry-run']);
    const all = await cli(['release', '--config', config, '--dry-run', '--all']);
    const json = await cli(['release', '--config', config, '--dry-run', '--json']);

    const site = JSON.parse(json.stdout).sites[0];
    expect(site.candidates).toHaveLength(60);
    const rows = (text: string) =>
      text.split('\n').filter((line) => /^ {4}(professional|analyzer) /.test(line)).length;
    // The summary comes first, before any table.
    expect(short.stdout.indexOf('Summary:')).toBeLessThan(short.stdout.indexOf('Would release:'));
    expect(short.stdout).toMatch(/Would release: 60 allocations\n(.*\n){21} {4}… 40 more/);
    expect(short.stdout).toMatch(/--all prints every row; --json lists everything/);
    const judged = site.kept.filter((item: { reason: string }) => item.reason !== 'cap').length;
    expect(rows(short.stdout)).toBe(20 + Math.min(20, judged));
    expect(rows(all.stdout)).toBe(60 + judged);
    expect(all.stdout).not.toMatch(/more\n/);
  });
});

describe('monitor --json carries the warnings the table shows', () => {
  beforeEach(() => serve());

  it('the same warnings, from the same source, in both', async () => {
    // Thresholds that make the sample site warn: few available, expiry within 60 days.
    const config = folder.write({
      sites: [
        {
          ...cliSite({ port: sim.port, licenseRelease: null }),
          alarms: { availableBelow: { professional: 9, analyzer: 15 }, expiryWithinDays: 60 },
        },
      ],
      destinations: OFF_AWS,
    });

    const table = await cli(['monitor', '--config', config]);
    const json = await cli(['monitor', '--config', config, '--json']);

    const warnings: Array<{ subject: string; message: string }> = JSON.parse(json.stdout).sites[0]
      .warnings;
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(warnings.map((w) => w.subject)).toEqual(
      expect.arrayContaining(['professional', 'license']),
    );
    const tableLines = table.stdout
      .split('\n')
      .filter((line) => line.startsWith('  WARNING '))
      .map((line) => line.slice('  WARNING '.length));
    expect(tableLines).toEqual(warnings.map((w) => `${w.subject}: ${w.message}`));
  });

  it('colours WARNING in a colour terminal, and not otherwise', async () => {
    const config = folder.write({
      sites: [
        { ...cliSite({ port: sim.port, licenseRelease: null }), alarms: { expiryWithinDays: 60 } },
      ],
      destinations: OFF_AWS,
    });

    const coloured = await cli(['monitor', '--config', config], { colour: true });
    const plain = await cli(['monitor', '--config', config]);

    expect(coloured.stdout).toContain('\u001b[33m  WARNING license: expires in');
    expect(plain.stdout).toContain('  WARNING license: expires in');
    expect(plain.stdout).not.toContain('\u001b[');
  });
});

describe('release --plan in a terminal', () => {
  beforeEach(() => serve());

  async function planFrom(config: string): Promise<string> {
    const { stdout } = await cli(['release', '--config', config, '--json']);
    return folder.write(stdout);
  }

  it('shows what it will release, asks, and releases on yes', async () => {
    const config = configWith({ ...SAMPLE_RULES, mode: 'review' });
    const plan = await planFrom(config);
    sim.resetCounters();
    const questions: string[] = [];

    const run = await cli(['release', '--config', config, '--plan', plan], {
      confirm: async (question) => {
        questions.push(question);
        return true;
      },
    });

    expect(JSON.parse(readFileSync(plan, 'utf8')).sites[0].madeBy).toBe('review');
    expect(run.stderr).toMatch(
      /Plan for site sample, made .* by a review-mode run: \d+ professional, \d+ analyzer/,
    );
    expect(run.stderr).toMatch(/ {2}professional +LAB\\cecilia +\d+ days inactive/);
    expect(questions).toEqual(['Release up to 4 allocations (each re-checked against QRS first)?']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/by a review-mode run \(4 candidates\)/);
    expect(deleteCount(sim)).toBe(4);
  });

  it('sends nothing when the answer is no', async () => {
    const config = configWith(SAMPLE_RULES);
    const plan = await planFrom(config);
    sim.resetCounters();

    const run = await cli(['release', '--config', config, '--plan', plan], {
      confirm: async () => false,
    });

    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/not confirmed: nothing was sent to QRS/);
    expect(sim.requestCount()).toBe(0);
  });

  it('--yes applies without asking', async () => {
    const config = configWith(SAMPLE_RULES);
    const plan = await planFrom(config);
    const confirm = vi.fn(async () => false);

    const run = await cli(['release', '--config', config, '--plan', plan, '--yes'], { confirm });

    expect(run.code).toBe(0);
    expect(confirm).not.toHaveBeenCalled();
    expect(deleteCount(sim)).toBe(4);
  });
});

describe('"Region is missing", explained', () => {
  it('a destination that needs a region says which variable, and that it can be off', async () => {
    const [outcome] = await writeToSinks(
      [{ name: 'cloudwatch', write: async () => Promise.reject(new Error('Region is missing')) }],
      {},
    );

    expect(outcome).toMatchObject({ sink: 'cloudwatch', ok: false });
    const message = outcome && !outcome.ok ? outcome.error.message : '';
    expect(message).toMatch(/AWS_REGION/);
    expect(message).toMatch(/destinations\.cloudwatch\.enable: false/);
  });

  function noRegion() {
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);
    vi.stubEnv('AWS_PROFILE', undefined);
    vi.stubEnv('AWS_CONFIG_FILE', path.join(folder.dir, 'no-aws-config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', path.join(folder.dir, 'no-aws-credentials'));
  }

  it('monitor --write with CloudWatch on and no region: one message, exit 2, QRS not asked', async () => {
    noRegion();
    await serve();
    const config = folder.write({
      sites: [cliSite({ port: sim.port, licenseRelease: null })],
      destinations: { timestream: { enable: false }, cloudwatch: { enable: true } },
    });

    const run = await cli(['monitor', '--config', config, '--write']);

    expect(run.code).toBe(2);
    expect(run.stderr.match(/AWS region is not set/g)).toHaveLength(1);
    expect(run.stderr).toMatch(
      /--write: cloudwatch: .*AWS_REGION.*destinations\.cloudwatch\.enable: false/,
    );
    expect(sim.requestCount()).toBe(0);
  });

  it('certs put without a region: one message, exit 2', async () => {
    noRegion();
    const config = folder.write({
      sites: [
        {
          name: 'prod',
          qrs: {
            host: 'qs.example.com',
            certificates: {
              cert: { ssmParameter: '/ls/prod/cert' },
              key: { ssmParameter: '/ls/prod/key' },
              ca: { ssmParameter: '/ls/prod/ca' },
            },
          },
        },
      ],
    });

    const run = await cli([
      'certs',
      'put',
      '--config',
      config,
      '--site',
      'prod',
      '--dir',
      folder.dir,
    ]);

    expect(run.code).toBe(2);
    expect(run.stderr.match(/AWS region is not set/g)).toHaveLength(1);
    expect(run.stderr).toMatch(/AWS_REGION/);
  });
});

describe('off AWS by default where the admin is off AWS', () => {
  it('the CLI example and import-butler turn CloudWatch and Timestream off; the AWS example keeps CloudWatch', async () => {
    const example = parse(readFileSync(path.join(ROOT, 'examples/license-steward.yaml'), 'utf8'));
    const aws = parse(readFileSync(path.join(ROOT, 'examples/license-steward.aws.yaml'), 'utf8'));
    const butler = folder.write(
      readFileSync(
        path.join(ROOT, 'test/e2e/cli/butler-fixtures/butler-legacy-influxdb.yaml'),
        'utf8',
      ).replaceAll('__QRS_PORT__', '4242'),
    );
    const imported = await cli(['import-butler', '--butler-config', butler]);

    expect(example.destinations).toMatchObject({
      cloudwatch: { enable: false },
      timestream: { enable: false },
    });
    expect(aws.destinations.cloudwatch.enable).toBe(true);
    expect(imported.code, imported.stderr).toBe(0);
    expect(parse(imported.stdout).destinations).toMatchObject({
      cloudwatch: { enable: false },
      timestream: { enable: false },
    });
  });
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
