import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '#functions/cli/args.ts';
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
    [['monitor', '--config', 'x.yaml', '--bogus'], /Unknown option '--bogus'/],
    [['monitor', '--config', 'x.yaml', '--dry-run'], /--dry-run applies to release only/],
    [['certs', 'put', '--config', 'x.yaml'], /certs put needs --site NAME and --dir DIR/],
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
});

describe('--write', () => {
  it('is off unless given, and applies to monitor and release', () => {
    expect(parseCliArgs(['monitor', '--config', 'x.yaml']).write).toBe(false);
    expect(parseCliArgs(['monitor', '--config', 'x.yaml', '--write']).write).toBe(true);
    expect(parseCliArgs(['release', '--config', 'x.yaml', '--dry-run', '--write'])).toMatchObject({
      command: 'release',
      dryRun: true,
      write: true,
    });
  });
});
