import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '#functions/cli/args.ts';
import { commandName } from '#functions/cli/help.ts';
import { userFolder } from '#functions/cli/user-folder.ts';
import { didYouMean } from '#shared/config/did-you-mean.ts';
import { runCliCaptured } from '#test/support/cli.ts';

const run = (argv: string[]) => runCliCaptured(argv);

describe('license-steward usage', () => {
  it('prints usage with --help and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/license-steward monitor --config FILE/);
  });

  it.each([
    [['frobnicate', '--config', 'x.yaml'], /unknown command "frobnicate"/],
    [[], /a command is required/],
    [['--json'], /a command is required/],
    [['monitor'], /--config FILE is required/],
    [['monitor', '--config', 'x.yaml', '--bogus'], /unknown option --bogus\. Run/],
    [['monitor', '--config', 'x.yaml', '--dry-run'], /--dry-run applies to release only/],
    [['certs', 'put', '--config', 'x.yaml'], /certs put needs --site NAME and --dir DIR/],
    [['monitor', '--config', 'x.yaml', '--plan', 'p.json'], /--plan applies to release only/],
    [
      ['release', '--config', 'x.yaml', '--max-plan-age', '48'],
      /--max-plan-age applies to release --plan only/,
    ],
    [
      ['release', '--config', 'x.yaml', '--plan', 'p.json', '--max-plan-age', '0'],
      /--max-plan-age must be a positive number of hours, not "0"/,
    ],
    [
      ['certs', 'put', '--config', 'x.yaml', '--site', 'a', '--dir', 'd', '--write'],
      /--write applies to monitor and release only/,
    ],
  ])('exits 2 for %j', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('exits 2 when the config file does not exist, naming it', async () => {
    const result = await run(['monitor', '--config', '/nonexistent/license-steward.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\/nonexistent\/license-steward.yaml/);
    expect(result.stderr).toMatch(/ENOENT/);
  });

  it('warns at start about a schedule daylight saving skips or repeats, then runs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'license-steward-dst-'));
    const file = path.join(dir, 'license-steward.yaml');
    // Certificates that are not there: the site fails before any network call.
    writeFileSync(
      file,
      `sites:
  - name: prod
    timezone: Europe/Stockholm
    qrs:
      host: localhost
      certificates: { cert: { file: c.pem }, key: { file: k.pem }, ca: { file: ca.pem } }
    licenseRelease: { schedule: cron(30 2 * * ? *) }
`,
    );
    try {
      const result = await run(['release', '--config', file]);

      expect(result.stderr).toMatch(
        /^license-steward: warning: sites\[0\]\.licenseRelease\.schedule: cron\(30 2 \* \* \? \*\) fires at 02:30, which (does not exist|happens twice) in Europe\/Stockholm/,
      );
      expect(result.stderr).toMatch(/EventBridge Scheduler skips that run/);
      expect(result.stderr).toMatch(/EventBridge Scheduler runs it only once/);
      expect(result.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--write', () => {
  it('is off unless given, and applies to monitor and release', () => {
    expect(parseCliArgs(['monitor', '--config', 'x.yaml'])).toMatchObject({ write: false });
    expect(parseCliArgs(['monitor', '--config', 'x.yaml', '--write'])).toMatchObject({
      write: true,
    });
    expect(parseCliArgs(['release', '--config', 'x.yaml', '--dry-run', '--write'])).toMatchObject({
      command: 'release',
      dryRun: true,
      write: true,
    });
  });
});

describe('help, version and did-you-mean', () => {
  it.each([
    ['monitor', /license-steward monitor --config FILE/, /release --plan/],
    ['doctor', /license-steward doctor --config FILE/, /--write/],
    ['import-butler', /--butler-config FILE/, /--config FILE {2}/],
  ])('%s --help prints that command only', async (command, wanted, unwanted) => {
    const result = await run([command, '--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(wanted);
    expect(result.stdout).not.toMatch(unwanted);
  });

  it('help COMMAND is the same as COMMAND --help; --help alone is the whole usage', async () => {
    expect((await run(['help', 'release'])).stdout).toBe((await run(['release', '--help'])).stdout);
    expect((await run(['--help'])).stdout).toMatch(/certs put[\s\S]*import-butler/);
  });

  it.each([
    ['neverRelase', ['neverRelease', 'licenseRelease'], 'neverRelease'],
    ['licenceRelease', ['licenseRelease', 'licenseMonitor'], 'licenseRelease'],
    ['--dryrun', ['--dry-run', '--json'], '--dry-run'],
    ['relase', ['release', 'doctor'], 'release'],
    ['frobnicate', ['release', 'doctor'], undefined],
  ])('did you mean: %s → %s', (typed, known, expected) => {
    expect(didYouMean(typed, known)).toBe(expected);
  });

  it('names the command as the user runs it: npx license-steward under npx', () => {
    expect(commandName({ npm_command: 'exec' })).toBe('npx license-steward');
    expect(commandName({})).toBe('license-steward');
  });

  it('reads relative paths against the folder npm was started in, only when npm moved to the package', () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    expect(userFolder({ INIT_CWD: '/home/admin' }, root)).toBe('/home/admin');
    expect(userFolder({ INIT_CWD: '/home/admin' }, tmpdir())).toBe(tmpdir());
    expect(userFolder({}, tmpdir())).toBe(tmpdir());
  });
});

describe("each command's typed arguments", () => {
  const cwd = '/home/admin';

  it('release --plan: the paths as the user meant them, the plan options with it', () => {
    expect(
      parseCliArgs(
        ['release', '-c', 'steward.yaml', '--plan', 'plan.json', '--max-plan-age', '1.5', '-y'],
        cwd,
      ),
    ).toEqual({
      command: 'release',
      config: '/home/admin/steward.yaml',
      json: false,
      verbose: false,
      dryRun: false,
      write: false,
      all: false,
      plan: '/home/admin/plan.json',
      maxPlanAgeHours: 1.5,
      yes: true,
    });
  });

  it('certs put: the site and the folder are there, typed; import-butler: no --config, no JSON', () => {
    expect(
      parseCliArgs(['certs', 'put', '-c', '/etc/s.yaml', '-s', 'prod', '--dir', 'export'], cwd),
    ).toEqual({
      command: 'certs-put',
      config: '/etc/s.yaml',
      site: 'prod',
      dir: '/home/admin/export',
      overwrite: false,
      json: false,
      verbose: false,
    });
    expect(
      parseCliArgs(['import-butler', '--butler-config', 'b.yaml', '-o', 'c.yaml', '-v'], cwd),
    ).toEqual({
      command: 'import-butler',
      butlerConfig: '/home/admin/b.yaml',
      out: '/home/admin/c.yaml',
      json: false,
      verbose: true,
    });
  });

  it('an empty path is still a missing one: paths are resolved only after the checks', () => {
    expect(() => parseCliArgs(['doctor', '--config', ''], cwd)).toThrow(
      '--config FILE is required',
    );
    expect(() => parseCliArgs(['import-butler', '--butler-config', ''], cwd)).toThrow(
      'import-butler needs --butler-config FILE',
    );
  });

  it('--help and --version run no command and carry no options', () => {
    expect(parseCliArgs(['monitor', '--config', 'x.yaml', '--version'])).toEqual({
      command: 'version',
    });
    expect(parseCliArgs(['certs', 'put', '--help'])).toEqual({
      command: 'help',
      helpFor: 'certs-put',
    });
  });
});
