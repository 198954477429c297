import { describe, expect, it } from 'vitest';
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
    [['monitor', '--config', 'x.yaml', '--plan', 'p.json'], /--plan applies to release only/],
    [
      ['release', '--config', 'x.yaml', '--max-plan-age', '48'],
      /--max-plan-age applies to release --plan only/,
    ],
    [
      ['release', '--config', 'x.yaml', '--plan', 'p.json', '--max-plan-age', '0'],
      /--max-plan-age must be a positive number of hours, not "0"/,
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
