/** What a CLI command may touch: its output streams and a logger (stderr). Injected for tests. */
import { StewardError } from '#shared/errors.ts';
import type { RunLogger } from '#shared/observability/logger.ts';
import type { CommandName } from './help.ts';

export interface CliIo {
  stdout: (text: string) => void;
  /** Resolves when stdout has taken what was written (backpressure for a large `--json`). */
  stdoutDrained?: () => Promise<void>;
  stderr: (text: string) => void;
  logger: RunLogger;
  now?: () => Date;
  /** Colour the human output (a terminal, and NO_COLOR not set): ./colour.ts. */
  colour?: boolean;
  /**
   * Asks the person at the terminal a yes/no question; absent when no terminal can answer
   * (stdin is not a TTY), so `release --plan` needs `--yes` there.
   */
  confirm?: (question: string) => Promise<boolean>;
}

/** Bad usage or configuration: exit status 2. `command` points the message at its help. */
export class UsageError extends StewardError {
  readonly command: CommandName | undefined;

  constructor(message: string, command?: CommandName) {
    super(message, { exitKind: 'usage' });
    this.name = 'UsageError';
    this.command = command;
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
