/**
 * The one base of license-steward's own errors: a message that says what to do, the error behind
 * it as the standard `cause`, and how a CLI run that ends with it exits (docs/faults.md: 1 the run
 * failed, 2 bad configuration or usage). The CLI maps an error to its exit status by `exitKind`
 * alone, so a new error needs no new case there. A leaf: any layer may use it.
 */

/** `usage`: exit 2 (bad configuration, usage or input file); `failed`: exit 1. */
export type ExitKind = 'usage' | 'failed';

export interface StewardErrorOptions {
  /** Default `failed`. */
  exitKind?: ExitKind;
  cause?: unknown;
}

export class StewardError extends Error {
  readonly exitKind: ExitKind;

  constructor(message: string, options: StewardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StewardError';
    this.exitKind = options.exitKind ?? 'failed';
  }
}

/** How a CLI run that ended with `error` exits: 2 for a usage kind, else 1. */
export function exitKindOf(error: unknown): ExitKind {
  return error instanceof StewardError ? error.exitKind : 'failed';
}
