/**
 * The run ledger: a release run happens once per site and scheduled time, however often AWS
 * delivers its event (EventBridge Scheduler and Lambda deliver at least once, and retry). Built on
 * the Powertools Idempotency utility over a DynamoDB table (docs/release.md, "How a run behaves
 * when AWS retries"):
 *
 * - the first delivery writes an "in progress" record (a conditional put) and runs;
 * - a repeat of a finished run gets the stored summary back; nothing is sent to QRS;
 * - a repeat while the run is in progress does nothing and says so. A run cut off by the function
 *   timeout stays "in progress" until its record expires: which DELETEs it sent is unknown, so it
 *   is never repeated; the next scheduled time is a new run;
 * - a run that throws (only possible before its first DELETE) deletes its record: a retry runs.
 *
 * The key is the site and the event's `scheduledTime`. With a ledger, a real release without one
 * is refused (a manual run names its own time) and a dry run without one runs unrecorded.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyUnknownError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { awsClientDeadlines } from '#shared/aws-clients.ts';
import type { SiteConfig } from '#shared/config/schema.ts';
import { RUNS_TABLE_ENV } from '#shared/env-names.ts';
import { StewardError } from '#shared/errors.ts';
import type { RunLogger } from '#shared/observability/logger.ts';
import type { SiteEvent } from './site-event.ts';

/** Records live a week (TTL attribute `expiration`): far longer than any retry or late delivery. */
export const LEDGER_RECORD_SECONDS = 7 * 24 * 3600;
/** Fixed, so a renamed function or a local `invoke` against the same table finds the same runs. */
const KEY_PREFIX = 'license-release';

export interface LedgerKey {
  site: string;
  /** ISO time, normalised (the same instant written two ways is one run). */
  scheduledTime: string;
}

export type LedgerOutcome<R> =
  | { kind: 'ran'; result: R; recordError?: string }
  | { kind: 'repeat'; result: R }
  | { kind: 'inProgress' };

export class RunLedger {
  readonly tableName: string;
  private readonly once_: (key: LedgerKey, job: () => Promise<unknown>) => Promise<unknown>;

  constructor(options: { tableName: string; client?: DynamoDBClient }) {
    this.tableName = options.tableName;
    const config = new IdempotencyConfig({ expiresAfterSeconds: LEDGER_RECORD_SECONDS });
    // "In progress" for the record's whole life (not only the function's remaining time, the
    // Powertools default): a run killed by the timeout may have sent DELETEs.
    config.registerLambdaContext({
      getRemainingTimeInMillis: () => LEDGER_RECORD_SECONDS * 1000,
    } as Context);
    const persistenceStore = new DynamoDBPersistenceLayer({
      tableName: options.tableName,
      awsSdkV3Client: options.client ?? new DynamoDBClient(awsClientDeadlines()),
    });
    this.once_ = makeIdempotent((_key: LedgerKey, job: () => Promise<unknown>) => job(), {
      persistenceStore,
      config,
      keyPrefix: KEY_PREFIX,
      dataIndexArgument: 0,
    });
  }

  /** Runs `job` unless this key ran or is running; see the file comment. */
  async once<R>(key: LedgerKey, job: () => Promise<R>): Promise<LedgerOutcome<R>> {
    let finished: { result: R } | undefined;
    try {
      const result = (await this.once_(key, async () => {
        const value = await job();
        finished = { result: value };
        return value;
      })) as R;
      return finished ? { kind: 'ran', result } : { kind: 'repeat', result };
    } catch (error) {
      if (error instanceof IdempotencyAlreadyInProgressError) return { kind: 'inProgress' };
      // The run is done (its DELETEs sent); only recording it failed. Its answer still stands.
      if (finished) return { kind: 'ran', result: finished.result, recordError: messageOf(error) };
      // Before the run: the table could not be used. Name it, with the SDK's reason.
      // Every Powertools idempotency error derives from IdempotencyUnknownError.
      if (error instanceof IdempotencyUnknownError)
        throw new Error(`run ledger (DynamoDB table ${this.tableName}): ${messageOf(error)}`);
      throw error;
    }
  }
}

/** The ledger named by LICENSE_STEWARD_RUNS_TABLE, or none (said on stderr: local invoke). */
export function runLedgerFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  stderr: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): RunLedger | undefined {
  const tableName = env[RUNS_TABLE_ENV]?.trim();
  if (tableName) return new RunLedger({ tableName });
  stderr(
    `license-steward: ${RUNS_TABLE_ENV} is not set: release runs are not recorded in a run ledger, so a repeated event would run again (the deployed function always has it)`,
  );
  return undefined;
}

export class LedgerEventError extends StewardError {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerEventError';
  }
}

export interface LedgerOption<Result> {
  /** Undefined: no table (local invoke without LICENSE_STEWARD_RUNS_TABLE). */
  ledger: RunLedger | undefined;
  /** Whether the site's run changes anything (a real release): such a run needs scheduledTime. */
  changesLicenses: (site: SiteConfig) => boolean;
  /** The answer to a repeat while the run is in progress (or was cut off). */
  inProgress: (site: SiteConfig, runId: string, key: LedgerKey) => Result;
}

/** Runs the site's job through the ledger (see the file comment). */
export async function runOnce<Result>(
  option: LedgerOption<Result>,
  run: { event: SiteEvent; site: SiteConfig; runId: string; logger: RunLogger },
  job: () => Promise<Result>,
): Promise<Result> {
  const { site, runId, logger } = run;
  const { scheduledTime, scheduledTimeProblem } = run.event;
  if (scheduledTimeProblem) throw new LedgerEventError(scheduledTimeProblem);
  if (!option.ledger) return job();
  if (!scheduledTime) {
    if (option.changesLicenses(site))
      throw new LedgerEventError(
        `a release that changes licenses needs "scheduledTime" in the event, so AWS retries and repeated deliveries release once (the schedules send it). For a manual run, send {"site": "${site.name}", "scheduledTime": "<now, ISO>"}; the same time again is the same run`,
      );
    logger.info('Dry run without scheduledTime: not recorded in the run ledger');
    return job();
  }
  const key: LedgerKey = { site: site.name, scheduledTime };
  const outcome = await option.ledger.once(key, job);
  if (outcome.kind === 'inProgress') {
    logger.warn(
      'This scheduled run is already in progress, or was cut off (e.g. by the timeout) after it may have sent DELETEs: not run again. The next scheduled time is a new run',
      { scheduledTime },
    );
    return option.inProgress(site, runId, key);
  }
  if (outcome.kind === 'repeat') {
    logger.info(
      'This scheduled run already finished: its recorded result is returned, nothing is sent to QRS',
      { scheduledTime },
    );
    return outcome.result;
  }
  if (outcome.recordError)
    logger.error(
      'The run finished but the run ledger could not record it: a repeat of this event will be reported as in progress until the record expires',
      { scheduledTime, error: outcome.recordError },
    );
  return outcome.result;
}

function messageOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const own = error instanceof Error ? error.message : String(error);
  return cause instanceof Error ? `${own}: ${cause.message}` : own;
}
