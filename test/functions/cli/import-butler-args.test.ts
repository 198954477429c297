/** The options of `import-butler`, and that they belong to it alone. */
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '#functions/cli/args.ts';

describe('import-butler arguments', () => {
  it('takes --butler-config, --site and --out, and no --config', () => {
    expect(
      parseCliArgs([
        'import-butler',
        '--butler-config',
        'b.yaml',
        '--site',
        'prod',
        '--out',
        'c.yaml',
      ]),
    ).toMatchObject({
      command: 'import-butler',
      butlerConfig: 'b.yaml',
      site: 'prod',
      out: 'c.yaml',
    });
  });

  it.each([
    [['import-butler'], /needs --butler-config FILE/],
    [
      ['import-butler', '--butler-config', 'b.yaml', '--config', 'c.yaml'],
      /--config does not apply/,
    ],
    [['import-butler', '--butler-config', 'b.yaml', '--json'], /--json does not apply/],
    [['import-butler', 'now', '--butler-config', 'b.yaml'], /unknown command/],
    [['monitor', '--config', 'c.yaml', '--out', 'x.yaml'], /apply to import-butler only/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
