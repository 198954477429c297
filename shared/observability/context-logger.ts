/** A `RunLogger` that adds fixed fields (e.g. `site`, `runId`) to every entry it forwards. */
import type { LogExtra, RunLogger } from './logger.ts';

export function withLogContext(logger: RunLogger, context: Record<string, unknown>): RunLogger {
  const merge = (extra?: LogExtra): Record<string, unknown> =>
    extra instanceof Error
      ? { ...context, error: `${extra.name}: ${extra.message}` }
      : { ...context, ...extra };
  return {
    debug: (message, extra) => logger.debug(message, merge(extra)),
    info: (message, extra) => logger.info(message, merge(extra)),
    warn: (message, extra) => logger.warn(message, merge(extra)),
    error: (message, extra) => logger.error(message, merge(extra)),
  };
}
