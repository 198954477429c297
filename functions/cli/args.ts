/** Argument parsing for `license-steward <command> [options]` with node's own parseArgs. */
import { parseArgs } from 'node:util';
import { UsageError } from './io.ts';

export const USAGE = `Usage:
  license-steward doctor --config FILE [--site NAME] [--json]
  license-steward monitor --config FILE [--site NAME] [--json] [--write]
  license-steward release --config FILE [--site NAME] [--dry-run] [--json] [--write]
  license-steward release --config FILE --plan FILE [--site NAME] [--max-plan-age HOURS] [--dry-run] [--json] [--write]
  license-steward certs put --config FILE --site NAME --dir DIR [--overwrite]
  license-steward import-butler --butler-config FILE [--site NAME] [--out FILE]

Options:
  --config FILE   the YAML configuration (see README "Configure")
  --site NAME     only this site (default: every site in the file)
  --json          print one JSON document on stdout; logs go to stderr
  --dry-run       release: only list what would be released, whatever the config says
  --plan FILE     release: apply a plan made by \`release --dry-run --json\`: only its candidates,
                  each re-checked now; releases for real unless --dry-run is also given
  --max-plan-age HOURS
                  release --plan: refuse a plan older than this (default 24)
  --write         monitor, release: also send the run's data to every enabled destination
                  (InfluxDB, Timestream, CloudWatch), as the Lambda functions do
  --dir DIR       certs put: folder with client.pem, client_key.pem and root.pem from the QMC
  --overwrite     certs put: replace parameters that already exist
  --butler-config FILE  import-butler: the Butler config file to convert (docs/butler.md)
  --out FILE      import-butler: write the new configuration here (default: stdout)
  --verbose       debug logging on stderr
  --help          this text

Exit status: 0 success, 1 the run failed or a release failed, 2 bad configuration or usage.`;

export interface ParsedArgs {
  command: 'doctor' | 'monitor' | 'release' | 'certs-put' | 'import-butler' | 'help';
  config?: string;
  site?: string;
  json: boolean;
  dryRun: boolean;
  /** Send the run's data to the enabled destinations (docs/without-aws.md). */
  write: boolean;
  dir?: string;
  plan?: string;
  maxPlanAgeHours?: number;
  overwrite: boolean;
  verbose: boolean;
  butlerConfig?: string;
  out?: string;
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
    ...(values['butler-config'] !== undefined ? { butlerConfig: values['butler-config'] } : {}),
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...(values.plan !== undefined ? { plan: values.plan } : {}),
    ...(values['max-plan-age'] !== undefined
      ? { maxPlanAgeHours: hours(values['max-plan-age']) }
      : {}),
  };
  if (values.help || positionals[0] === 'help') return { ...base, command: 'help' };
  if (positionals.length === 0) {
    throw new UsageError(
      'a command is required: doctor, monitor, release, certs put or import-butler',
    );
  }
  const [first, second, ...rest] = positionals;
  let command: ParsedArgs['command'];
  if (first === 'doctor' || first === 'monitor' || first === 'release') {
    if (second !== undefined) throw new UsageError(`unexpected argument "${second}"`);
    command = first;
  } else if (first === 'certs' && second === 'put' && rest.length === 0) {
    command = 'certs-put';
  } else if (first === 'import-butler' && second === undefined) {
    return importButlerArgs(base);
  } else {
    throw new UsageError(`unknown command "${positionals.join(' ')}"`);
  }
  if (base.butlerConfig !== undefined || base.out !== undefined)
    throw new UsageError('--butler-config and --out apply to import-butler only');
  if (!base.config) throw new UsageError('--config FILE is required');
  if (command !== 'release' && base.dryRun)
    throw new UsageError('--dry-run applies to release only');
  if (command !== 'release' && base.plan !== undefined)
    throw new UsageError('--plan applies to release only');
  if (base.maxPlanAgeHours !== undefined && base.plan === undefined)
    throw new UsageError('--max-plan-age applies to release --plan only');
  if (command === 'certs-put' && base.write)
    throw new UsageError('--write applies to monitor and release only');
  if (command === 'certs-put' && (!base.site || !base.dir))
    throw new UsageError('certs put needs --site NAME and --dir DIR');
  return { ...base, command };
}

function importButlerArgs(base: Omit<ParsedArgs, 'command'>): ParsedArgs {
  if (!base.butlerConfig) throw new UsageError('import-butler needs --butler-config FILE');
  for (const [given, option] of [
    [base.config, '--config'],
    [base.dir, '--dir'],
    [base.dryRun || undefined, '--dry-run'],
    [base.json || undefined, '--json'],
    [base.overwrite || undefined, '--overwrite'],
  ] as const)
    if (given !== undefined) throw new UsageError(`${option} does not apply to import-butler`);
  return { ...base, command: 'import-butler' };
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
      plan: { type: 'string' },
      'max-plan-age': { type: 'string' },
      overwrite: { type: 'boolean' },
      'butler-config': { type: 'string' },
      out: { type: 'string', short: 'o' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** `--max-plan-age HOURS`: a positive number (fractions allowed). */
function hours(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new UsageError(`--max-plan-age must be a positive number of hours, not "${text}"`);
  return value;
}
