/**
 * Logging. In Lambda: Powertools Logger (structured JSON, `site` and `runId` appended per run).
 * In the CLI: the same interface, one readable line per entry on stderr (stdout is the CLI's output).
 * Nothing here ever receives certificate or key text.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export type LogExtra = Record<string, unknown> | Error;

/** The subset of Powertools' Logger that shared code uses, so the CLI can supply its own. */
export interface RunLogger {
  debug(message: string, extra?: LogExtra): void;
  info(message: string, extra?: LogExtra): void;
  warn(message: string, extra?: LogExtra): void;
  error(message: string, extra?: LogExtra): void;
}

export const SERVICE_NAME = 'license-steward';

export function createLambdaLogger(): Logger {
  return new Logger({ serviceName: SERVICE_NAME });
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface StderrLoggerOptions {
  level?: Level;
  /** JSON lines instead of readable text (for `--json` runs that are collected by a machine). */
  json?: boolean;
  write?: (line: string) => void;
  context?: Record<string, unknown>;
}

export class StderrLogger implements RunLogger {
  private readonly level: Level;
  private readonly json: boolean;
  private readonly write: (line: string) => void;
  private readonly context: Record<string, unknown>;

  constructor(options: StderrLoggerOptions = {}) {
    this.level = options.level ?? 'info';
    this.json = options.json ?? false;
    this.write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
    this.context = options.context ?? {};
  }

  debug(message: string, extra?: LogExtra): void {
    this.log('debug', message, extra);
  }
  info(message: string, extra?: LogExtra): void {
    this.log('info', message, extra);
  }
  warn(message: string, extra?: LogExtra): void {
    this.log('warn', message, extra);
  }
  error(message: string, extra?: LogExtra): void {
    this.log('error', message, extra);
  }

  private log(level: Level, message: string, extra?: LogExtra): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const fields = {
      ...this.context,
      ...(extra instanceof Error ? { error: `${extra.name}: ${extra.message}` } : extra),
    };
    if (this.json) {
      this.write(
        JSON.stringify({
          level: level.toUpperCase(),
          message,
          timestamp: new Date().toISOString(),
          ...fields,
        }),
      );
      return;
    }
    const details = Object.entries(fields)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    this.write(`${level.padEnd(5)} ${message}${details ? ` ${details}` : ''}`);
  }
}
