/**
 * Argument parsing for `license-steward <command> [options]` with node's own parseArgs: the
 * options every command shares (./options.ts), then the command's own parser (`parseXArgs` in
 * its module under ./commands/). A mistake is one line naming it (with "did you mean" for a
 * misspelt command or option) and the help to read: `usageLine` in ./help.ts.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { suggestion } from '#shared/config/did-you-mean.ts';
import { type CertsPutArgs, parseCertsPutArgs } from './commands/certs-put.ts';
import { type DoctorArgs, parseDoctorArgs } from './commands/doctor.ts';
import { type ImportButlerArgs, parseImportButlerArgs } from './commands/import-butler.ts';
import { type MonitorArgs, parseMonitorArgs } from './commands/monitor.ts';
import { parseReleaseArgs, type ReleaseArgs } from './commands/release.ts';
import { COMMANDS, type CommandName } from './help.ts';
import { UsageError } from './io.ts';
import type { CliOptions } from './options.ts';

export { USAGE } from './help.ts';

/** `--help` (of one command, or the whole usage) and `--version`: no command runs. */
export type InfoArgs = { command: 'version' } | { command: 'help'; helpFor?: CommandName };

/** One command's typed arguments, from its own parser (./commands/). */
export type CommandArgs = DoctorArgs | MonitorArgs | ReleaseArgs | CertsPutArgs | ImportButlerArgs;

export type CliArgs = InfoArgs | CommandArgs;

const PARSERS: { [C in CommandName]: (options: CliOptions) => CommandArgs } = {
  doctor: parseDoctorArgs,
  monitor: parseMonitorArgs,
  release: parseReleaseArgs,
  'certs-put': parseCertsPutArgs,
  'import-butler': parseImportButlerArgs,
};

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

/**
 * The command and its typed arguments (its own parser checks its options), or a usage error
 * before any file is read. `cwd`: the folder relative paths are typed against (none: as typed).
 */
export function parseCliArgs(argv: readonly string[], cwd?: string): CliArgs {
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
  const options: CliOptions = {
    userPath: (file) => (cwd === undefined ? file : path.resolve(cwd, file)),
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
  if (values.version) return { command: 'version' };
  if (values.help || positionals[0] === 'help') {
    const topic = positionals[0] === 'help' ? commandOf(positionals.slice(1)) : command;
    return { command: 'help', ...(topic ? { helpFor: topic } : {}) };
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
  return PARSERS[command](options);
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
    const [name = arg] = arg.split('=');
    if (!OPTION_NAMES.includes(name))
      throw new UsageError(`unknown option ${name}${suggestion(name, OPTION_NAMES, '')}`, command);
  }
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
