/**
 * `license-steward import-butler --butler-config FILE [--site NAME] [--out FILE]`: converts a
 * Butler config file (shared/butler) and writes the new configuration to FILE or stdout, with a
 * summary on stderr. Exit 0 written; 2 the Butler file is unreadable or cannot be mapped.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { importButler } from '#shared/butler/import.ts';
import { formatSummary } from '#shared/butler/summary.ts';
import { commandName } from '../help.ts';
import { type CliIo, EXIT_FAILED, EXIT_OK, UsageError } from '../io.ts';
import { type CliOptions, type CommonArgs, refuseGiven } from '../options.ts';

export interface ImportButlerArgs extends CommonArgs {
  command: 'import-butler';
  butlerConfig: string;
  /** The new site's name. */
  site?: string;
  /** Where to write the configuration (none: stdout). */
  out?: string;
}

/** Its own options only: it reads no license-steward configuration and prints YAML, not JSON. */
export function parseImportButlerArgs(options: CliOptions): ImportButlerArgs {
  if (!options.butlerConfig)
    throw new UsageError('import-butler needs --butler-config FILE', 'import-butler');
  refuseGiven(
    'import-butler',
    (
      [
        [options.config !== undefined, '--config'],
        [options.dir !== undefined, '--dir'],
        [options.dryRun, '--dry-run'],
        [options.json, '--json'],
        [options.overwrite, '--overwrite'],
        [options.yes, '--yes'],
        [options.all, '--all'],
      ] as const
    ).map(([given, option]) => [given, `${option} does not apply to import-butler`] as const),
  );
  return {
    command: 'import-butler',
    butlerConfig: options.userPath(options.butlerConfig),
    ...(options.site !== undefined ? { site: options.site } : {}),
    ...(options.out !== undefined ? { out: options.userPath(options.out) } : {}),
    json: false,
    verbose: options.verbose,
  };
}

export function runImportButler(args: ImportButlerArgs, io: CliIo): number {
  const butlerFile = args.butlerConfig;
  const outFile = args.out === undefined ? undefined : path.resolve(args.out);
  if (outFile !== undefined && outFile === path.resolve(butlerFile))
    throw new UsageError('--out must not be the Butler config file itself');
  const result = importButler({
    butlerFile,
    ...(args.site !== undefined ? { siteName: args.site } : {}),
    ...(outFile !== undefined ? { outFile } : {}),
  });
  if (outFile === undefined) {
    io.stdout(result.yaml);
  } else {
    try {
      // `wx`: an existing file (perhaps a configuration in use) is never overwritten.
      writeFileSync(outFile, result.yaml, { flag: 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST')
        throw new UsageError(`${args.out} already exists: choose another --out or remove it first`);
      io.stderr(`license-steward: cannot write ${args.out}: ${code ?? (error as Error).message}\n`);
      return EXIT_FAILED;
    }
  }
  io.stderr(formatSummary(result.findings, args.out, commandName()));
  return EXIT_OK;
}
