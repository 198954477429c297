import type { Config } from '#shared/config/schema.ts';
import type { ParsedArgs } from '../args.ts';
import { type CliIo, UsageError } from '../io.ts';

/** Placeholder until the command lands (its issue replaces this file). */
export async function runMonitor(_config: Config, _args: ParsedArgs, _io: CliIo): Promise<number> {
  throw new UsageError('this command is not available yet');
}
