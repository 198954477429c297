/** Argument parsing for `license-steward <command> [options]` with node's own parseArgs. */
import { parseArgs } from 'node:util';
import { UsageError } from './io.ts';

export const USAGE = `Usage:
  license-steward monitor --config FILE [--site NAME] [--json] [--write]
  license-steward release --config FILE [--site NAME] [--dry-run] [--json] [--write]
  license-steward certs put --config FILE --site NAME --dir DIR [--overwrite]

Options:
  --config FILE   the YAML configuration (see README "Configure")
  --site NAME     only this site (default: every site in the file)
  --json          print one JSON document on stdout; logs go to stderr
  --dry-run       release: only list what would be released, whatever the config says
  --write         monitor, release: also send the run's data to every enabled destination
                  (InfluxDB, Timestream, CloudWatch), as the Lambda functions do
  --dir DIR       certs put: folder with client.pem, client_key.pem and root.pem from the QMC
  --overwrite     certs put: replace parameters that already exist
  --verbose       debug logging on stderr
  --help          this text

Exit status: 0 success, 1 the run failed or a release failed, 2 bad configuration or usage.`;

export interface ParsedArgs {
  command: 'monitor' | 'release' | 'certs-put' | 'help';
  config?: string;
  site?: string;
  json: boolean;
  dryRun: boolean;
  /** Send the run's data to the enabled destinations (docs/without-aws.md). */
  write: boolean;
  dir?: string;
  overwrite: boolean;
  verbose: boolean;
}

export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const base = {
    json: values.json ?? false,
    dryRun: values['dry-run'] ?? false,
    write: values.write ?? false,
    overwrite: values.overwrite ?? false,
    verbose: values.verbose ?? false,
    ...(values.config !== undefined ? { config: values.config } : {}),
    ...(values.site !== undefined ? { site: values.site } : {}),
    ...(values.dir !== undefined ? { dir: values.dir } : {}),
  };
  if (values.help || positionals[0] === 'help') return { ...base, command: 'help' };
  if (positionals.length === 0) {
    throw new UsageError('a command is required: monitor, release or certs put');
  }
  const [first, second, ...rest] = positionals;
  let command: ParsedArgs['command'];
  if (first === 'monitor' || first === 'release') {
    if (second !== undefined) throw new UsageError(`unexpected argument "${second}"`);
    command = first;
  } else if (first === 'certs' && second === 'put' && rest.length === 0) {
    command = 'certs-put';
  } else {
    throw new UsageError(`unknown command "${positionals.join(' ')}"`);
  }
  if (!base.config) throw new UsageError('--config FILE is required');
  if (command !== 'release' && base.dryRun)
    throw new UsageError('--dry-run applies to release only');
  if (command === 'certs-put' && base.write)
    throw new UsageError('--write applies to monitor and release only');
  if (command === 'certs-put' && (!base.site || !base.dir))
    throw new UsageError('certs put needs --site NAME and --dir DIR');
  return { ...base, command };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      site: { type: 'string', short: 's' },
      json: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      write: { type: 'boolean' },
      dir: { type: 'string' },
      overwrite: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
