/**
 * `license-steward`: the CLI entry. Parses arguments, loads and validates the configuration once,
 * runs one command and maps the outcome to the exit status (0 ok, 1 run failed, 2 usage/config).
 */
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '#shared/config/load.ts';
import { scheduleDstWarnings } from '#shared/config/schedule-dst.ts';
import { exitKindOf } from '#shared/errors.ts';
import { StderrLogger } from '#shared/observability/logger.ts';
import { type ParsedArgs, parseCliArgs, USAGE } from './args.ts';
import { runCertsPut } from './commands/certs-put.ts';
import { runDoctor } from './commands/doctor.ts';
import { runImportButler } from './commands/import-butler.ts';
import { runMonitor } from './commands/monitor.ts';
import { runRelease } from './commands/release.ts';
import { type CliIo, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './io.ts';

export async function runCli(argv: readonly string[], io?: Partial<CliIo>): Promise<number> {
  const stdout = io?.stdout ?? ((text: string) => process.stdout.write(text));
  const stderr = io?.stderr ?? ((text: string) => process.stderr.write(text));
  let args: ParsedArgs;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    stderr(`license-steward: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (args.command === 'help') {
    stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
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
  };
  try {
    if (args.command === 'import-butler') return runImportButler(args, cliIo);
    const config = loadConfig(args.config as string, {
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
    stderr(`license-steward: ${(error as Error).message}\n`);
    return exitKindOf(error) === 'usage' ? EXIT_USAGE : EXIT_FAILED;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runCli(process.argv.slice(2));
}
