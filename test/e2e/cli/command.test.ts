/**
 * `license-steward` as an admin gets it: `npm pack`, the tarball installed in an empty folder
 * without the registry, and the installed command run as its own process (Node 22, and Node 20
 * where this machine has it) against the QRS simulator over mutual TLS. Also the conventions of a
 * command-line tool, each as a process: --version, <command> --help, one-line usage errors, a
 * reader that closes the pipe early, colours only on a terminal, paths relative to the user's
 * folder under npm, and `release --plan` needing --yes without a terminal.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import { type ConfigFolder, cliSite, configFolder, deleteCount } from '#test/support/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
/** Nothing listens here: a registry request would fail at once. */
const NO_REGISTRY = 'http://127.0.0.1:9/';
/** An ANSI colour sequence starts so; red is 31. */
const ESC = '\u001b[';
const RED_FAIL = `${ESC}31m  [FAIL]`;

let work: string;
let installed: string;
let bin: string;
let pki: TestPki;
let folder: ConfigFolder;
let sim: Simulator;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a process to its end; `onStart` may act on it (close its stdout, for one). */
function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; onStart?: (child: ChildProcess) => void } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? work,
      // As from the admin's shell: not inside this test run's npm (npx vitest).
      env: {
        ...process.env,
        NO_COLOR: undefined,
        FORCE_COLOR: undefined,
        npm_command: undefined,
        INIT_CWD: undefined,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    options.onStart?.(child);
  });
}

/** Every Node on this machine to run the command with: this one (22), and others on PATH (20). */
function nodeBinaries(): Array<{ node: string; major: number }> {
  const found = new Map<number, string>();
  const candidates = [process.execPath, '/usr/bin/node', '/usr/local/bin/node'];
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
    const major = Number(version.slice(1).split('.')[0]);
    if (!found.has(major)) found.set(major, candidate);
  }
  return [...found].map(([major, node]) => ({ node, major }));
}

const writeConfig = (licenseRelease: Record<string, unknown> | null = { enable: true }) =>
  folder.write({
    sites: [cliSite({ port: sim.port, licenseRelease })],
    destinations: { timestream: { enable: false }, cloudwatch: { enable: false } },
  });

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'license-steward-pack-'));
  // `npm pack` runs the `prepare` script: the bundle is built from the sources in this checkout.
  const packed = await run('npm', ['pack', '--pack-destination', work, '--silent'], {
    cwd: ROOT,
  });
  expect(packed.code, packed.stderr).toBe(0);
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack made no tarball:\n${packed.stderr}`);
  installed = path.join(work, 'app');
  mkdirSync(installed);
  writeFileSync(
    path.join(installed, 'package.json'),
    '{ "name": "admin-folder", "private": true }',
  );
  // --offline and a registry nobody answers: the install must need no network at all.
  const install = await run(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      `--registry=${NO_REGISTRY}`,
      `../${tarball}`,
    ],
    { cwd: installed },
  );
  expect(install.code, install.stderr).toBe(0);
  bin = path.join(installed, 'node_modules/.bin/license-steward');
  pki = await createTestPki();
  folder = configFolder(pki);
}, 180_000);

afterAll(() => {
  folder?.remove();
  rmSync(work, { recursive: true, force: true });
});

// A fresh site per test: a real release changes it.
beforeEach(async () => {
  sim = await startSimulator({ site: createSampleSite(new Date()), pki });
});
afterEach(() => sim.close());

describe('the packed command, installed in an empty folder without the registry', () => {
  it('holds the bundle only: no TypeScript, no tsx, no dependencies', async () => {
    const files = readdirSync(path.join(installed, 'node_modules/license-steward'), {
      recursive: true,
    }).map(String);

    expect(files).toContain('dist/license-steward.mjs');
    expect(files.filter((file) => file.endsWith('.ts'))).toEqual([]);
    expect(existsSync(path.join(installed, 'node_modules/tsx'))).toBe(false);
    expect(readdirSync(path.join(installed, 'node_modules')).sort()).toEqual(
      ['.bin', '.package-lock.json', 'license-steward'].sort(),
    );
  });

  it.each(nodeBinaries())(
    'runs on Node $major: npx license-steward --version and doctor',
    async ({ node }) => {
      const env = {
        PATH: `${path.dirname(node)}:${process.env.PATH}`,
        npm_config_registry: NO_REGISTRY,
      };

      const version = await run('npx', ['--no-install', 'license-steward', '--version'], {
        cwd: installed,
        env,
      });
      const doctor = await run(
        'npx',
        ['--no-install', 'license-steward', 'doctor', '--config', writeConfig()],
        { cwd: installed, env },
      );

      expect(version.code, version.stderr).toBe(0);
      expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
      expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
      expect(doctor.stdout).toMatch(/All checks passed\./);
      expect(doctor.stderr).not.toMatch(/EBADENGINE|ExperimentalWarning|tsx/);
      expect(sim.requestCount()).toBeGreaterThan(0);
    },
  );

  it('covers Node 22, the Lambda runtime (and Node 20 where installed)', () => {
    expect(nodeBinaries().map((each) => each.major)).toContain(22);
  });
});

describe('conventions of a command-line tool (the installed command as a process)', () => {
  it('--version prints the package version; release --help prints that command only', async () => {
    const version = await run(bin, ['--version']);
    const help = await run(bin, ['release', '--help']);

    expect(version.stdout.trim()).toBe(
      (await import('../../../package.json', { with: { type: 'json' } })).default.version,
    );
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage:\n {2}license-steward release --config FILE/);
    expect(help.stdout).toMatch(/--plan FILE/);
    expect(help.stdout).toMatch(/--yes/);
    expect(help.stdout).not.toMatch(/license-steward monitor|import-butler/);
  });

  it.each([
    [['release', '--dryrun'], 'unknown option --dryrun (did you mean --dry-run?)', 'release'],
    [['relase', '--config', 'x.yaml'], 'unknown command "relase" (did you mean "release"?)', ''],
    [['monitor', '--config'], "Option '-c, --config <value>' argument missing", 'monitor'],
  ])(
    'a usage mistake %j is one line, exit 2, and says where to look',
    async (args, message, command) => {
      const result = await run(bin, args);

      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n')).toEqual([
        `license-steward: ${message}. Run "license-steward ${command ? `${command} ` : ''}--help" for the options.`,
      ]);
      // Node's own parser advice (quoting a positional) is not the admin's mistake.
      expect(result.stderr).not.toMatch(/positional|-- "/);
    },
  );

  it('a reader that stops early (| head): the dry run ends quietly, exit 0, no EPIPE', async () => {
    const result = await run(bin, ['release', '--config', writeConfig(), '--dry-run'], {
      onStart: (child) => child.stdout?.destroy(),
    });

    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/EPIPE|Error|at .*\.mjs/);
  });

  it('a real release with its stdout closed still releases every candidate', async () => {
    const file = writeConfig({ enable: true, dryRun: false });
    const planned = await run(bin, ['release', '--config', file, '--dry-run', '--json']);
    const candidates = JSON.parse(planned.stdout).sites[0].candidates.length;

    const result = await run(bin, ['release', '--config', file], {
      onStart: (child) => child.stdout?.destroy(),
    });

    expect(result.code).toBe(0);
    expect(candidates).toBeGreaterThan(0);
    expect(deleteCount(sim)).toBe(candidates);
    expect(result.stderr).toMatch(/Release run finished/);
    expect(result.stderr).not.toMatch(/EPIPE/);
  });

  it('colours [FAIL] only on a terminal, and never with NO_COLOR', async () => {
    // A site whose port is closed: doctor fails a check.
    const file = folder.write({ sites: [cliSite({ port: 9, host: '127.0.0.1' })] });
    const inTerminal = (env: string) =>
      // Without CI: Node counts a CI machine's terminal as one without colours (tty.getColorDepth).
      run('script', ['-qec', `env -u CI ${env} ${bin} doctor --config ${file}`, '/dev/null']);

    const terminal = await inTerminal('TERM=xterm-256color');
    const noColor = await inTerminal('TERM=xterm-256color NO_COLOR=1');
    const piped = await run(bin, ['doctor', '--config', file], { env: { FORCE_COLOR: '1' } });

    expect(terminal.stdout).toContain(RED_FAIL);
    expect(noColor.stdout).toMatch(/\[FAIL\]/);
    expect(noColor.stdout).not.toContain(ESC);
    expect(piped.stdout).toMatch(/\[FAIL\]/);
    expect(piped.stdout).not.toContain(ESC);
  });

  it('release --plan without a terminal needs --yes: exit 2 and no request; with it, it applies', async () => {
    const file = writeConfig({ enable: true, dryRun: true });
    const plan = await run(bin, ['release', '--config', file, '--dry-run', '--json']);
    const planFile = path.join(work, 'plan.json');
    writeFileSync(planFile, plan.stdout);
    sim.resetCounters();

    const refused = await run(bin, ['release', '--config', file, '--plan', planFile]);
    const requestsWhenRefused = sim.requestCount();
    const applied = await run(bin, ['release', '--config', file, '--plan', planFile, '--yes']);

    expect(JSON.parse(plan.stdout).sites[0].madeBy).toBe('dry-run');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /--plan releases for real and no terminal is here to confirm it/,
    );
    expect(refused.stderr).toMatch(/--yes/);
    expect(requestsWhenRefused).toBe(0);
    expect(applied.code, applied.stderr).toBe(0);
    const candidates = JSON.parse(plan.stdout).sites[0].candidates.length;
    expect(applied.stdout).toContain(`by a dry run (${candidates} candidates)`);
    expect(deleteCount(sim)).toBe(candidates);
  });
});

describe('paths as the admin typed them, under npm', () => {
  it('a relative --config is read from the folder the command was typed in (INIT_CWD)', async () => {
    // Prepare: the admin's folder holds the config; npm runs the script in the checkout.
    const admin = mkdtempSync(path.join(tmpdir(), 'license-steward-admin-'));
    const config = stringify({
      sites: [cliSite({ port: sim.port, licenseRelease: null })],
      destinations: { timestream: { enable: false }, cloudwatch: { enable: false } },
    }).replaceAll('file: ', `file: ${folder.dir}/`);
    writeFileSync(path.join(admin, 'mine.yaml'), config);

    try {
      // Act
      const found = await run(
        'npm',
        ['--prefix', ROOT, 'run', '-s', 'cli', '--', 'monitor', '--config', 'mine.yaml', '--json'],
        {
          cwd: admin,
        },
      );
      const missing = await run(
        'npm',
        ['--prefix', ROOT, 'run', '-s', 'cli', '--', 'monitor', '--config', 'nope.yaml'],
        {
          cwd: admin,
        },
      );

      // Assess
      expect(found.code, found.stderr).toBe(0);
      expect(JSON.parse(found.stdout).sites[0].site).toBe('sample');
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`${admin}/nope.yaml`);
      expect(missing.stderr).toMatch(/cannot read the file/);
    } finally {
      rmSync(admin, { recursive: true, force: true });
    }
  });
});
