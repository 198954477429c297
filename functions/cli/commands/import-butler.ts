/**
 * `license-steward import-butler --butler-config FILE [--site NAME] [--out FILE]`: converts a
 * Butler config file (shared/butler) and writes the new configuration to FILE or stdout, with a
 * summary on stderr. Exit 0 written; 2 the Butler file is unreadable or cannot be mapped.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { importButler } from '#shared/butler/import.ts';
import { formatSummary } from '#shared/butler/summary.ts';
import type { ParsedArgs } from '../args.ts';
import { commandName } from '../help.ts';
import { type CliIo, EXIT_FAILED, EXIT_OK, UsageError } from '../io.ts';

export function runImportButler(args: ParsedArgs, io: CliIo): number {
  const butlerFile = args.butlerConfig as string;
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
