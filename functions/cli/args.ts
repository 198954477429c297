/**
 * Argument parsing for `license-steward <command> [options]` with node's own parseArgs. A mistake
 * is one line naming it (with "did you mean" for a misspelt command or option) and the help to
 * read: `usageLine` in ./help.ts.
 */
import { parseArgs } from 'node:util';
import { suggestion } from '#shared/config/did-you-mean.ts';
import { COMMANDS, type CommandName } from './help.ts';
import { UsageError } from './io.ts';

export { USAGE } from './help.ts';

export interface ParsedArgs {
  command: CommandName | 'help' | 'version';
  /** With `command: 'help'`: the command whose help to print (none = the whole usage). */
  helpFor?: CommandName;
  config?: string;
  site?: string;
  json: boolean;
  dryRun: boolean;
  /** Send the run's data to the enabled destinations (docs/without-aws.md). */
  write: boolean;
  dir?: string;
  plan?: string;
  maxPlanAgeHours?: number;
  /** `release --plan`: apply without asking (required when no terminal can answer). */
  yes?: boolean;
  /** `release`: the whole table in the human output, however many rows. */
  all?: boolean;
  overwrite: boolean;
  verbose: boolean;
  butlerConfig?: string;
  out?: string;
}

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  site: { type: 'string', short: 's' },
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  write: { type: 'boolean' },
  dir: { type: 'string' },
  plan: { type: 'string' },
  'max-plan-age': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  all: { type: 'boolean' },
  overwrite: { type: 'boolean' },
  'butler-config': { type: 'string' },
  out: { type: 'string', short: 'o' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

const OPTION_NAMES = Object.keys(OPTIONS).map((name) => `--${name}`);
const COMMAND_WORDS = ['doctor', 'monitor', 'release', 'certs', 'import-butler', 'help'];

export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  // A best guess before parsing, only to point a usage error at the right help.
  refuseUnknownOptions(argv, guessCommand(argv));
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    // Node's message, without its advice on quoting positionals (not what went wrong here).
    const message = (error as Error).message.split('. ')[0] ?? '';
    throw new UsageError(message.replace(/\.$/, ''), guessCommand(argv));
  }
  const { values, positionals } = parsed;
  const command = commandOf(positionals);
  const base = {
    json: values.json ?? false,
    dryRun: values['dry-run'] ?? false,
    write: values.write ?? false,
    yes: values.yes ?? false,
    all: values.all ?? false,
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
  if (values.version) return { ...base, command: 'version' };
  if (values.help || positionals[0] === 'help') {
    const topic = positionals[0] === 'help' ? commandOf(positionals.slice(1)) : command;
    return { ...base, command: 'help', ...(topic ? { helpFor: topic } : {}) };
  }
  if (positionals.length === 0) {
    throw new UsageError(
      'a command is required: doctor, monitor, release, certs put or import-butler',
    );
  }
  const [first, second, ...rest] = positionals;
  if (command === undefined || (command === 'import-butler' && second !== undefined)) {
    const typed = positionals.join(' ');
    throw new UsageError(`unknown command "${typed}"${suggestion(first ?? '', COMMAND_WORDS)}`);
  }
  if (command === 'certs-put' ? rest.length > 0 : second !== undefined)
    throw new UsageError(
      `unexpected argument "${command === 'certs-put' ? rest[0] : second}"`,
      command,
    );
  if (command === 'import-butler') return importButlerArgs(base);
  const fail = (message: string) => new UsageError(message, command);
  if (base.butlerConfig !== undefined || base.out !== undefined)
    throw fail('--butler-config and --out apply to import-butler only');
  if (!base.config) throw fail('--config FILE is required');
  if (command !== 'release' && base.dryRun) throw fail('--dry-run applies to release only');
  if (command !== 'release' && base.plan !== undefined)
    throw fail('--plan applies to release only');
  if (base.maxPlanAgeHours !== undefined && base.plan === undefined)
    throw fail('--max-plan-age applies to release --plan only');
  if (base.yes && base.plan === undefined) throw fail('--yes applies to release --plan only');
  if (base.all && command !== 'release') throw fail('--all applies to release only');
  if (command === 'certs-put' && base.write)
    throw fail('--write applies to monitor and release only');
  if (command === 'certs-put' && (!base.site || !base.dir))
    throw fail('certs put needs --site NAME and --dir DIR');
  return { ...base, command };
}

function guessCommand(argv: readonly string[]): CommandName | undefined {
  return commandOf(argv.filter((arg) => !arg.startsWith('-')));
}

/** The command named by the first positionals, if any (`certs put` is two words). */
function commandOf(words: readonly string[]): CommandName | undefined {
  const [first, second] = words;
  if (first === 'certs') return second === 'put' ? 'certs-put' : undefined;
  return COMMANDS.find((name) => name === first);
}

/**
 * Options nobody defined, caught before node's parser so the message can suggest the right one
 * (node's own names the option but advises on quoting, which is not the mistake).
 */
function refuseUnknownOptions(argv: readonly string[], command: CommandName | undefined): void {
  for (const arg of argv) {
    if (arg === '--') return;
    if (!arg.startsWith('--')) continue;
    const name = arg.split('=')[0] as string;
    if (!OPTION_NAMES.includes(name))
      throw new UsageError(`unknown option ${name}${suggestion(name, OPTION_NAMES, '')}`, command);
  }
}

function importButlerArgs(base: Omit<ParsedArgs, 'command'>): ParsedArgs {
  const fail = (message: string) => new UsageError(message, 'import-butler');
  if (!base.butlerConfig) throw fail('import-butler needs --butler-config FILE');
  for (const [given, option] of [
    [base.config, '--config'],
    [base.dir, '--dir'],
    [base.dryRun || undefined, '--dry-run'],
    [base.json || undefined, '--json'],
    [base.overwrite || undefined, '--overwrite'],
    [base.yes || undefined, '--yes'],
    [base.all || undefined, '--all'],
  ] as const)
    if (given !== undefined) throw fail(`${option} does not apply to import-butler`);
  return { ...base, command: 'import-butler' };
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
}

/** `--max-plan-age HOURS`: a positive number (fractions allowed). */
function hours(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new UsageError(
      `--max-plan-age must be a positive number of hours, not "${text}"`,
      'release',
    );
  return value;
}
