/**
 * The release report the admins get by e-mail (SNS): one short message per site and run, saying
 * who lost which license type after how many inactive days, what failed and why, and the run id
 * to find the log lines. Long lists are cut with a count of the rest. Plain text, no markup: SNS
 * e-mail shows it as it is.
 */
import { reviewPlan } from './review.ts';
import type { FailedItem, ReleasedItem, ReleaseItem, SiteReleaseResult } from './types.ts';

export interface ReportMessage {
  /** SNS e-mail subject: ASCII, one line, at most 100 characters. */
  subject: string;
  body: string;
}

/** Allocations listed per section; the rest are counted. */
export const DEFAULT_MAX_LISTED = 25;
const MAX_ERROR_LENGTH = 200;
/** A review plan larger than this stays in the log only (SNS takes 256 KB a message). */
const MAX_PLAN_BYTES = 200_000;

/** A real run that released or failed anything; a dry run that found candidates, when asked. */
export function shouldReport(result: SiteReleaseResult, dryRuns: boolean): boolean {
  if (result.dryRun) return dryRuns && result.candidates.length > 0;
  return result.released.length > 0 || result.failed.length > 0;
}

/**
 * @param options.review the site is in review mode (`licenseRelease.mode: review`): the message
 *   carries the plan to apply with `release --plan` (docs/release.md, "Review, then apply").
 */
export function formatReportMessage(
  run: { runId: string; result: SiteReleaseResult },
  maxListed = DEFAULT_MAX_LISTED,
  options: { review?: boolean } = {},
): ReportMessage {
  const { result } = run;
  const review = options.review === true && result.dryRun;
  const lines = [
    `Site:      ${result.site}`,
    `Run:       ${run.runId}`,
    `Evaluated: ${result.evaluatedAt}`,
    `Mode:      ${review ? 'review (a plan: nothing was released)' : result.dryRun ? 'dry run (nothing was released)' : 'releasing'}`,
    '',
  ];
  if (result.dryRun) {
    lines.push(...section('Would release', result.candidates, maxListed));
    if (review) lines.push(...planSection(run.runId, result));
  } else {
    const gone = result.released.filter((item) => item.alreadyGone).length;
    lines.push(
      ...section('Released', result.released, maxListed, (item: ReleasedItem) =>
        item.alreadyGone ? ' (already gone)' : '',
      ),
      ...(gone > 0 ? [`(${gone} of them were already released by someone else)`, ''] : []),
      ...section(
        'FAILED',
        result.failed,
        maxListed,
        (item: FailedItem) => `: ${shorten(item.error)}`,
      ),
      ...section('Deferred to the next run (time ran out)', result.deferred, maxListed),
    );
  }
  // Whole: a warning names the rule or the read, and says what to do.
  for (const warning of result.warnings ?? []) lines.push(`Warning: ${warning}`);
  lines.push(`Kept: ${result.kept.length}`);
  for (const error of result.sinkErrors) lines.push(`Not recorded in ${shorten(error)}`);
  lines.push('', 'Each release is in the license-release log under this run id.');
  return { subject: subjectOf(result), body: `${lines.join('\n')}\n` };
}

function subjectOf(result: SiteReleaseResult): string {
  const counts = result.dryRun
    ? `dry run, would release ${result.candidates.length}`
    : [
        `released ${result.released.length}`,
        ...(result.failed.length > 0 ? [`FAILED ${result.failed.length}`] : []),
        ...(result.deferred.length > 0 ? [`deferred ${result.deferred.length}`] : []),
      ].join(', ');
  // Site names are ASCII already (the schema's pattern); this keeps the subject valid regardless.
  const subject = `license-steward ${result.site}: ${counts}`.replace(/[^\x20-\x7e]/g, '?');
  return subject.length <= 100 ? subject : `${subject.slice(0, 99)}~`;
}

/** The plan itself, whole (never cut: applying needs every id), with how to apply it. */
function planSection(runId: string, result: SiteReleaseResult): string[] {
  const plan = JSON.stringify(reviewPlan(result), null, 2);
  const apply = `  license-steward release --config FILE --site ${result.site} --plan plan.json`;
  if (Buffer.byteLength(plan) > MAX_PLAN_BYTES)
    return [
      `The plan is too large for this message: take it from the log line "Release plan for review" of run ${runId}, save it as plan.json, then within 24 hours:`,
      apply,
      '',
    ];
  return [
    'To release exactly this list, save the plan below as plan.json and, within 24 hours, run:',
    apply,
    '',
    '--- plan.json ---',
    plan,
    '--- end of plan.json ---',
    '',
  ];
}

function section<T extends ReleaseItem>(
  title: string,
  items: readonly T[],
  maxListed: number,
  note: (item: T) => string = () => '',
): string[] {
  if (items.length === 0) return [];
  const listed = items.slice(0, maxListed).map((item) => `  ${describe(item)}${note(item)}`);
  const rest = items.length - listed.length;
  return [
    `${title}: ${items.length}`,
    ...listed,
    ...(rest > 0 ? [`  ... and ${rest} more (see the log)`] : []),
    '',
  ];
}

/** `professional  CORP\jdoe  inactive 94 days` */
function describe(item: ReleaseItem): string {
  const user = item.userDirectory === null ? '(no user)' : `${item.userDirectory}\\${item.userId}`;
  const inactive =
    item.inactiveDays === null ? 'no usable date' : `inactive ${item.inactiveDays} days`;
  return `${item.licenseType.padEnd(12)}  ${user}  ${inactive}`;
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= MAX_ERROR_LENGTH ? line : `${line.slice(0, MAX_ERROR_LENGTH - 3)}...`;
}
