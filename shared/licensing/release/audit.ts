/**
 * The audit trail of a release run. One structured log line per release, failed release and (in a
 * dry run) would-be release, written the moment the outcome is known and before any other sink:
 * if Timestream or CloudWatch fail afterwards, the record still exists in the logs. Log lines are
 * at `info` (not `debug`), so a dry run shows what it would do at the default level.
 */
import type { RunLogger } from '#shared/observability/logger.ts';
import type { ReleaseOutcome } from './executor.ts';
import type { ReleasePolicy } from './planner.ts';
import { type ReleaseItem, resultCounts, type SiteReleaseResult } from './types.ts';

export type ReleaseAction = 'released' | 'alreadyGone' | 'failed' | 'wouldRelease';

/** One audited event: what the sinks (log, Timestream) record. */
export interface ReleaseEvent {
  action: ReleaseAction;
  item: ReleaseItem;
  at: Date;
  error?: string;
}

export interface AuditContext {
  site: string;
  runId: string;
  dryRun: boolean;
  /** `describeRuleSet(policy)`: which rules the decision was made under. */
  rules: string;
  logger: RunLogger;
}

const MESSAGE: Record<ReleaseAction, string> = {
  released: 'License allocation released',
  alreadyGone: 'License allocation already released',
  failed: 'License allocation release failed',
  wouldRelease: 'License allocation would be released (dry run)',
};

export function eventForOutcome(outcome: ReleaseOutcome): ReleaseEvent {
  if (outcome.kind === 'failed')
    return { action: 'failed', item: outcome.item, at: outcome.at, error: outcome.item.error };
  return {
    action: outcome.item.alreadyGone ? 'alreadyGone' : 'released',
    item: outcome.item,
    at: outcome.at,
  };
}

export function logReleaseEvent(context: AuditContext, event: ReleaseEvent): void {
  const { item } = event;
  const fields = {
    site: context.site,
    runId: context.runId,
    outcome: event.action,
    accessTypeId: item.accessTypeId,
    licenseType: item.licenseType,
    userDirectory: item.userDirectory,
    userId: item.userId,
    lastActivity: item.lastActivity,
    inactiveDays: item.inactiveDays,
    dryRun: context.dryRun,
    rules: context.rules,
    ...(event.error ? { error: event.error } : {}),
  };
  if (event.action === 'failed') context.logger.error(MESSAGE[event.action], fields);
  else context.logger.info(MESSAGE[event.action], fields);
}

/** `thresholdDays professional=30 analyzer=30; maxReleasesPerRun 50; neverRelease tag[…] …`. */
export function describeRuleSet(policy: ReleasePolicy): string {
  const thresholds = Object.entries(policy.thresholdDays)
    .map(([type, days]) => `${type}=${days}`)
    .join(' ');
  return `thresholdDays ${thresholds || 'none'}; maxReleasesPerRun ${policy.maxReleasesPerRun}; neverRelease ${policy.rules.summary}`;
}

export function logRunSummary(context: AuditContext, result: SiteReleaseResult): void {
  const fields = {
    site: context.site,
    runId: context.runId,
    dryRun: context.dryRun,
    ...resultCounts(result),
    userRead: result.userRead ?? null,
    ...(result.warnings ? { warnings: result.warnings } : {}),
    rules: context.rules,
  };
  if (result.deferred.length > 0)
    context.logger.warn(
      'Release run stopped before the time limit; the rest is deferred to the next run',
      { site: context.site, runId: context.runId, deferred: result.deferred.length },
    );
  context.logger.info('Release run finished', fields);
}
