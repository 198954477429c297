/** What a CLI command may touch: its output streams and a logger (stderr). Injected for tests. */
import { StewardError } from '#shared/errors.ts';
import type { RunLogger } from '#shared/observability/logger.ts';

export interface CliIo {
  stdout: (text: string) => void;
  /** Resolves when stdout has taken what was written (backpressure for a large `--json`). */
  stdoutDrained?: () => Promise<void>;
  stderr: (text: string) => void;
  logger: RunLogger;
  now?: () => Date;
}

/** Bad usage or configuration: exit status 2. */
export class UsageError extends StewardError {
  constructor(message: string) {
    super(message, { exitKind: 'usage' });
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
