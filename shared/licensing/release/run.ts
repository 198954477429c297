/**
 * One site's release run, the same in Lambda and in the CLI: plan (read-only), then, unless dry
 * run, DELETE; every outcome logged as it happens; then the sinks (Timestream, CloudWatch,
 * InfluxDB), whose failures are reported in the result instead of undoing or hiding what was done.
 */
import type { LicenseReleaseConfig } from '#shared/config/schema.ts';
import type { RunLogger } from '#shared/observability/logger.ts';
import type { LicenseType } from '#shared/qrs/allocation.ts';
import type { ClockReading } from '#shared/qrs/client.ts';
import { requireClocksAgree } from '../clock-guard.ts';
import { type ReleaseSink, writeToSinks } from '../sinks.ts';
import { fetchPlannedRelease } from './apply-plan.ts';
import {
  type AuditContext,
  describeRuleSet,
  eventForOutcome,
  logReleaseEvent,
  logRunStart,
  logRunSummary,
  type ReleaseEvent,
} from './audit.ts';
import { confirmCandidates } from './confirm.ts';
import { type ExcessQrs, planExcess, readExcess } from './excess.ts';
import { type DeleteQrs, executeReleases } from './executor.ts';
import { type FetchedPlan, fetchReleasePlan, type ReleaseQrs } from './fetch.ts';
import {
  functionMemoryBytes,
  type MemoryReading,
  readMemory,
  requireMemoryForReleases,
} from './memory-guard.ts';
import type { PlannedSite } from './plan-file.ts';
import { releasePolicy } from './planner.ts';
import { checkRulesInQrs, findingWarning, UnmatchedRulesError } from './rule-check.ts';
import { RuleCounter, type RuleCountQrs } from './rule-counts.ts';
import { type RulesRecord, ruleDifferences, rulesRecord } from './rules-record.ts';
import type { AppliedPlan, SiteReleaseResult, SkippedItem } from './types.ts';

export interface SiteReleaseInput {
  site: string;
  release: LicenseReleaseConfig;
  dryRun: boolean;
  runId: string;
  /** `readClock` (the QRS client has it): without it the clock counts as not checked. */
  qrs: ReleaseQrs &
    DeleteQrs &
    ExcessQrs &
    Required<RuleCountQrs> & {
      readClock?(): ClockReading;
      pinNode?: () => void;
      readonly nodeCount?: number;
    };
  logger: RunLogger;
  now?: () => Date;
  /** Stop starting DELETEs (e.g. the Lambda's remaining time is short). */
  shouldStop?: () => boolean;
  /** In Lambda (ms since epoch, asked when needed): DELETE attempts end by one, the sinks by the other. */
  deadlines?: { deletesBy: () => number; sinksBy: () => number };
  /** `sites[].qrs.maxClockSkewSeconds`: refuse to plan when QRS's clock is further off. */
  maxClockSkewSeconds?: number;
  sinks?: readonly ReleaseSink[];
  /** Apply this reviewed plan: only its candidates, re-checked (docs/release.md). */
  plan?: PlannedSite;
  /** The memory guard's readings (memory-guard.ts); tests pass their own. */
  memory?: { read?: () => MemoryReading; functionBytes?: number };
}

/**
 * Throws only while planning (nothing has been changed yet: QRS reads, the clock guard, the
 * memory guard); never after a DELETE was sent.
 */
export async function runSiteRelease(input: SiteReleaseInput): Promise<SiteReleaseResult> {
  const now = input.now ?? (() => new Date());
  const evaluatedAt = now();
  // This run's own reading: a warm client's earlier answers say nothing about this run's clock.
  const clock = input.qrs.readClock?.();
  const policy = releasePolicy(input.release);
  const audit: AuditContext = {
    site: input.site,
    runId: input.runId,
    dryRun: input.dryRun,
    rules: describeRuleSet(policy),
    logger: input.logger,
  };
  logRunStart(audit);
  const rules = rulesRecord(input.release);
  const applied = input.plan ? describePlan(input.plan, rules, audit) : undefined;
  const counter = new RuleCounter(input.qrs);
  // A reviewed plan is checked once its allocations are read: one with nothing left to judge
  // (every candidate skipped) releases nothing, so its rules decide nothing.
  const warnings = input.plan ? [] : await ruleWarnings(input, counter);
  const options = { logger: input.logger, counter };
  const judged: FetchedPlan & { skipped?: SkippedItem[] } = input.plan
    ? await fetchPlannedRelease(input.qrs, policy, evaluatedAt, input.plan.candidates, options)
    : await fetchReleasePlan(input.qrs, policy, evaluatedAt, options);
  if (input.plan && judged.candidates.length + judged.kept.length > 0)
    warnings.push(...(await ruleWarnings(input, counter)));
  warnings.push(...judged.warnings);
  // Applying a reviewed plan releases what was reviewed: the plan's dry run named the excess.
  const excessCounts = input.plan
    ? {}
    : await readExcess(input.qrs, Object.keys(policy.thresholdDays) as LicenseType[], input.logger);
  if (input.maxClockSkewSeconds !== undefined)
    requireClocksAgree(
      clock?.current(),
      input.maxClockSkewSeconds,
      (message) => input.logger.warn(message, { site: input.site, runId: input.runId }),
      // Nothing to release (every planned candidate skipped, say): an unread clock decides nothing.
      { releases: !input.dryRun && judged.candidates.length > 0 },
    );
  const leavers = judged.candidates.some((item) => item.releaseReason !== undefined);
  if (!input.dryRun && (policy.rules.needsUserRecord || leavers) && judged.candidates.length > 0) {
    // No DELETE rests on the plan's read alone: the users to be released are read once more.
    const confirmed = await confirmCandidates(
      input.qrs,
      judged.candidates,
      judged.candidateUsers,
      policy.rules,
    );
    for (const item of confirmed.kept)
      input.logger.warn('Kept after re-reading the user before the DELETE', {
        ...auditKeys(audit),
        ...item,
      });
    judged.candidates = confirmed.candidates;
    judged.kept = [...judged.kept, ...confirmed.kept];
  }
  // Stop now rather than be killed half-way through the DELETEs (docs/release.md, "Memory").
  if (!input.dryRun && judged.candidates.length > 0)
    requireMemoryForReleases(
      judged.candidates.length,
      (input.memory?.read ?? readMemory)(),
      input.memory && 'functionBytes' in input.memory
        ? input.memory.functionBytes
        : functionMemoryBytes(process.env),
    );
  // After the last look: only what will really be released ends the excess.
  const excess = planExcess(excessCounts, judged.candidates);
  const result: SiteReleaseResult = {
    site: input.site,
    dryRun: input.dryRun,
    evaluatedAt: evaluatedAt.toISOString(),
    candidates: judged.candidates,
    kept: judged.kept,
    released: [],
    failed: [],
    deferred: [],
    sinkErrors: [],
    rules,
    ...(excess.length > 0 ? { excess } : {}),
    ...(applied ? { plan: applied, skipped: judged.skipped ?? [] } : {}),
    userRead: judged.userRead,
    ...(judged.userTableNotTrusted ? { userTableNotTrusted: judged.userTableNotTrusted } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
  for (const item of result.skipped ?? [])
    input.logger.warn('Planned release not applied', { ...auditKeys(audit), ...item });
  const licenseTypes = Object.keys(policy.thresholdDays) as LicenseType[];
  const events: ReleaseEvent[] = [];
  const record = (event: ReleaseEvent) => {
    events.push(event);
    logReleaseEvent(audit, event);
  };

  if (input.dryRun) {
    for (const item of judged.candidates) record({ action: 'wouldRelease', item, at: evaluatedAt });
  } else {
    // Every DELETE goes to the node the plan was read from, or to none (docs/release.md).
    input.qrs.pinNode?.();
    const execution = await executeReleases(input.qrs, judged.candidates, {
      concurrency: input.release.deleteConcurrency,
      stopWhenNodeDown: (input.qrs.nodeCount ?? 1) > 1,
      ...(input.shouldStop ? { shouldStop: input.shouldStop } : {}),
      ...(input.deadlines ? { deadlineAt: input.deadlines.deletesBy } : {}),
      onOutcome: (outcome) => record(eventForOutcome(outcome)),
      now,
    });
    Object.assign(result, execution);
  }

  const outcomes = await writeToSinks(
    input.sinks ?? [],
    { runId: input.runId, licenseTypes, result, events },
    input.deadlines ? { deadlineAt: input.deadlines.sinksBy() } : {},
  );
  for (const outcome of outcomes) {
    if (outcome.ok) continue;
    const message = `${outcome.sink}: ${outcome.error.message}`;
    result.sinkErrors.push(message);
    input.logger.error(
      'Release records could not be written to a sink; the log lines above hold them',
      { site: input.site, runId: input.runId, sink: outcome.sink, error: message },
    );
  }
  logRunSummary(audit, result);
  return result;
}

/**
 * The `neverRelease` rules held against QRS (rule-check.ts): a rule that matches nothing refuses
 * a real release (before anything is read for the plan) unless the site allows it; otherwise it
 * is a warning of the run.
 */
async function ruleWarnings(input: SiteReleaseInput, counter: RuleCounter): Promise<string[]> {
  const findings = await checkRulesInQrs(input.release.neverRelease, counter);
  const unmatched = findings.filter((finding) => finding.decisive);
  if (unmatched.length > 0 && !input.dryRun && !input.release.allowUnmatchedRules)
    throw new UnmatchedRulesError(unmatched);
  const warnings = findings.map(findingWarning);
  for (const warning of warnings)
    input.logger.warn(warning, { site: input.site, runId: input.runId });
  return warnings;
}

function auditKeys(audit: AuditContext) {
  return { site: audit.site, runId: audit.runId };
}

/** Logs which plan is applied and, on stderr in the CLI, how today's rules differ from its own. */
function describePlan(plan: PlannedSite, rules: RulesRecord, audit: AuditContext): AppliedPlan {
  const differences = plan.rules === undefined ? [] : ruleDifferences(plan.rules, rules);
  audit.logger.info('Applying a reviewed release plan', {
    ...auditKeys(audit),
    planMadeBy: plan.madeBy ?? 'not recorded',
    planEvaluatedAt: plan.evaluatedAt.toISOString(),
    planCandidates: plan.candidates.length,
  });
  if (plan.rules === undefined)
    audit.logger.warn(
      'The plan does not record the rules it was made with; its candidates are re-checked under the current rules',
      auditKeys(audit),
    );
  else if (differences.length > 0)
    audit.logger.warn(
      `The plan was made under different rules; its candidates are re-checked under the current rules. Differences: ${differences.join('; ')}`,
      { ...auditKeys(audit), ruleDifferences: differences },
    );
  return {
    evaluatedAt: plan.evaluatedAt.toISOString(),
    ...(plan.madeBy ? { madeBy: plan.madeBy } : {}),
    candidates: plan.candidates.length,
    ruleDifferences: differences,
  };
}
