/**
 * `license-steward`: the CLI entry. Parses arguments (./args.ts, each command's own parser), loads
 * and validates the configuration once, hands the typed arguments to the command's run and maps
 * the outcome to the exit status (0 ok, 1 run failed, 2 usage/config).
 * ./bin.ts runs it as a process (the package's `bin`, built by ./build.ts).
 */
import { once } from 'node:events';
import { ConfigError } from '#shared/config/errors.ts';
import { loadConfig } from '#shared/config/load.ts';
import { scheduleDstWarnings } from '#shared/config/schedule-dst.ts';
import { exitKindOf } from '#shared/errors.ts';
import { StderrLogger } from '#shared/observability/logger.ts';
import { type CliArgs, type CommandArgs, parseCliArgs } from './args.ts';
import { runCertsPut } from './commands/certs-put.ts';
import { runDoctor } from './commands/doctor.ts';
import { runImportButler } from './commands/import-butler.ts';
import { runMonitor } from './commands/monitor.ts';
import { runRelease } from './commands/release.ts';
import { commandHelp, USAGE, usageLine } from './help.ts';
import { type CliIo, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './io.ts';
import { userFolder } from './user-folder.ts';
import { cliVersion } from './version.ts';

export interface CliOptions extends Partial<CliIo> {
  /** The folder relative paths are typed against (default: ./user-folder.ts). */
  cwd?: string;
}

export async function runCli(argv: readonly string[], io?: CliOptions): Promise<number> {
  const stdout = io?.stdout ?? ((text: string) => process.stdout.write(text));
  const stderr = io?.stderr ?? ((text: string) => process.stderr.write(text));
  let args: CliArgs;
  try {
    args = parseCliArgs(argv, io?.cwd ?? userFolder());
  } catch (error) {
    const command = error instanceof UsageError ? error.command : undefined;
    stderr(`${usageLine((error as Error).message, command)}\n`);
    return EXIT_USAGE;
  }
  if (args.command === 'version') {
    stdout(`${cliVersion()}\n`);
    return EXIT_OK;
  }
  if (args.command === 'help') {
    stdout(`${args.helpFor ? commandHelp(args.helpFor) : USAGE}\n`);
    return EXIT_OK;
  }
  return runCommand(args, io, stdout, stderr);
}

/** One command, its outcome as the exit status: the parsed arguments go to the command's run. */
async function runCommand(
  args: CommandArgs,
  io: CliOptions | undefined,
  stdout: (text: string) => void,
  stderr: (text: string) => void,
): Promise<number> {
  const logger =
    io?.logger ??
    new StderrLogger({
      level: args.verbose ? 'debug' : 'info',
      json: args.json,
      write: (line) => stderr(`${line}\n`),
    });
  const stdoutDrained =
    io?.stdoutDrained ??
    (io?.stdout
      ? undefined
      : async () => {
          if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
        });
  const cliIo: CliIo = {
    stdout,
    stderr,
    logger,
    ...(stdoutDrained ? { stdoutDrained } : {}),
    ...(io?.now ? { now: io.now } : {}),
    ...(io?.colour ? { colour: true } : {}),
    ...(io?.confirm ? { confirm: io.confirm } : {}),
  };
  try {
    if (args.command === 'import-butler') return runImportButler(args, cliIo);
    const config = loadConfig(args.config, {
      onNotice: (text) => logger.warn(`notice: ${text}`),
    });
    for (const warning of scheduleDstWarnings(config.sites))
      stderr(`license-steward: warning: ${warning}\n`);
    switch (args.command) {
      case 'doctor':
        return await runDoctor(config, args, cliIo);
      case 'monitor':
        return await runMonitor(config, args, cliIo);
      case 'release':
        return await runRelease(config, args, cliIo);
      case 'certs-put':
        return await runCertsPut(config, args, cliIo);
    }
  } catch (error) {
    if (exitKindOf(error) === 'usage') {
      stderr(`license-steward: ${(error as Error).message}\n`);
      // `--json` promises one JSON document on stdout: a refusal is one too.
      if (args.json) stdout(`${JSON.stringify(refusalDocument(error as Error), null, 2)}\n`);
      return EXIT_USAGE;
    }
    stderr(`license-steward: ${(error as Error).message}\n`);
    return EXIT_FAILED;
  }
}

/** docs/faults.md, "Refusals under --json": no site ran, `error` says why. */
function refusalDocument(error: Error) {
  return {
    sites: [],
    error:
      error instanceof ConfigError
        ? { kind: 'configuration', file: error.source, problems: error.problems }
        : { kind: 'usage', message: error.message },
  };
}
