/**
 * Powertools' Logger as the `RunLogger` that shared code logs through. Its signature does not
 * accept an explicit `undefined` extra, so the adapter only passes one when there is one.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { LogExtra, RunLogger } from './logger.ts';

export function asRunLogger(logger: Logger): RunLogger {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, extra?: LogExtra): void => {
      if (extra === undefined) logger[level](message);
      else if (extra instanceof Error) logger[level](message, extra);
      else logger[level](message, extra);
    };
  return {
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
  };
}
