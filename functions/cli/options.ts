/**
 * The options as typed, before a command gives them meaning (./args.ts reads them with node's
 * parseArgs), and the checks several commands share. Each command's own parser, in its module
 * under ./commands/, turns them into its typed arguments or a usage error naming the mistake.
 */
import type { CommandName } from './help.ts';
import { UsageError } from './io.ts';

export interface CliOptions {
  config?: string;
  site?: string;
  json: boolean;
  dryRun: boolean;
  write: boolean;
  dir?: string;
  plan?: string;
  maxPlanAgeHours?: number;
  yes: boolean;
  all: boolean;
  overwrite: boolean;
  verbose: boolean;
  butlerConfig?: string;
  out?: string;
  /**
   * A path as the user meant it: relative to the folder they typed the command in. Applied by
   * the command's parser once the options are checked (an empty path is still "missing").
   */
  userPath: (file: string) => string;
}

/** What every command's arguments carry: how it logs and prints. */
export interface CommonArgs {
  json: boolean;
  verbose: boolean;
}

/** The first option given that this command refuses, as its usage error (checked in order). */
export function refuseGiven(
  command: CommandName,
  checks: ReadonlyArray<readonly [given: boolean, message: string]>,
): void {
  for (const [given, message] of checks) if (given) throw new UsageError(message, command);
}

/**
 * The start of every command that reads the configuration (all but import-butler): the
 * import-butler options refused, `--config FILE` required.
 */
export function configCommandArgs(
  options: CliOptions,
  command: CommandName,
): CommonArgs & { config: string } {
  refuseGiven(command, [
    [
      options.butlerConfig !== undefined || options.out !== undefined,
      '--butler-config and --out apply to import-butler only',
    ],
  ]);
  if (!options.config) throw new UsageError('--config FILE is required', command);
  return {
    config: options.userPath(options.config),
    json: options.json,
    verbose: options.verbose,
  };
}

/** The release options, refused by the commands that do not release. */
export function refuseReleaseOptions(options: CliOptions, command: CommandName): void {
  refuseGiven(command, [
    [options.dryRun, '--dry-run applies to release only'],
    [options.plan !== undefined, '--plan applies to release only'],
    [options.maxPlanAgeHours !== undefined, '--max-plan-age applies to release --plan only'],
    [options.yes, '--yes applies to release --plan only'],
    [options.all, '--all applies to release only'],
  ]);
}
