/**
 * The human-readable release report of the CLI (docs/release.md, "Output"): per site
 * a summary first (totals per license type and per keep reason), then what would be / was
 * released, what failed and why, and who was kept and why, longest-inactive first. A large run
 * shows the first rows of each table; `--all` prints every row, `--json` holds everything.
 * Allocations past `maxReleasesPerRun` are counted, not listed: the run never judged them fully.
 */
import {
  countByReason,
  KEEP_REASONS,
  type KeptItem,
  type ReleaseItem,
  type SiteReleaseResult,
} from '#shared/licensing/release/types.ts';

export interface ReportOptions {
  /** Every row of every table (`--all`). */
  all?: boolean;
  /** Rows per table otherwise. */
  rows?: number;
  /** Paint failures red and warnings yellow (a colour terminal). */
  paint?: (text: string, colour: 'red' | 'yellow') => string;
}

export const DEFAULT_ROWS = 20;

export function formatReleaseReport(
  results: readonly SiteReleaseResult[],
  options: ReportOptions = {},
): string {
  if (results.length === 0) return 'No site has license release enabled: nothing to do.\n';
  return `${results.map((result) => formatSite(result, options)).join('\n')}`;
}

function formatSite(result: SiteReleaseResult, options: ReportOptions): string {
  const paint = options.paint ?? ((text: string) => text);
  const limit = options.all ? Number.POSITIVE_INFINITY : (options.rows ?? DEFAULT_ROWS);
  const lines: string[] = [];
  const mode = result.dryRun ? 'dry run, nothing is released' : 'releasing';
  lines.push(`Site ${result.site} (${mode}), evaluated ${result.evaluatedAt}`);
  if (result.plan) {
    const by =
      result.plan.madeBy === 'review'
        ? ' by a review-mode run'
        : result.plan.madeBy === 'dry-run'
          ? ' by a dry run'
          : '';
    lines.push(
      `  Applying the plan made ${result.plan.evaluatedAt}${by} (${result.plan.candidates} candidates), each re-checked now`,
    );
    for (const difference of result.plan.ruleDifferences)
      lines.push(paint(`  Rules changed since the plan: ${difference}`, 'yellow'));
  }
  for (const warning of result.warnings ?? []) lines.push(paint(`  WARNING: ${warning}`, 'yellow'));
  if (result.userRead) lines.push(`  User records read: ${result.userRead}`);
  if (result.error !== undefined) {
    lines.push(paint(`  FAILED: ${result.error}`, 'red'));
    return `${lines.join('\n')}\n`;
  }
  const judged = result.kept.filter((item) => item.reason !== 'cap');
  const beyondCap = result.kept.length - judged.length;
  lines.push(...summary(result, judged, beyondCap));
  let cut = false;
  const show = (title: string, items: readonly ReleaseItem[], note?: Note) => {
    if (items.length === 0) return;
    lines.push(section(title, items.length));
    lines.push(...table(items.slice(0, limit), note));
    if (items.length > limit) {
      lines.push(`    … ${items.length - limit} more`);
      cut = true;
    }
  };
  if (result.dryRun) {
    if (result.candidates.length === 0) lines.push('  Would release: nothing');
    show('Would release', result.candidates);
  } else {
    if (result.released.length === 0 && result.failed.length === 0)
      lines.push('  Released: nothing');
    show('Released', result.released, (item) =>
      'alreadyGone' in item && item.alreadyGone ? 'already gone' : '',
    );
    const before = lines.length;
    show('FAILED', result.failed, (item) => ('error' in item ? String(item.error) : ''));
    lines.push(...lines.splice(before).map((line) => paint(line, 'red')));
    show('Deferred to the next run (time limit)', result.deferred);
  }
  show('Planned but not applied', result.skipped ?? [], (item) =>
    'detail' in item ? String(item.detail) : '',
  );
  for (const excess of result.excess ?? []) {
    lines.push(
      `  Excess ${excess.licenseType}: ${excess.excess} over the license; release first (${excess.releaseFirst.length}):`,
    );
    lines.push(...table(excess.releaseFirst));
    if (excess.short > 0)
      lines.push(`    ${excess.short} more must go: the rules or the cap keep them`);
  }
  show('Kept, and why', judged, keptNote);
  if (beyondCap > 0) lines.push(`  ${capLine(result, beyondCap)}`);
  for (const error of result.sinkErrors) lines.push(paint(`  Sink error: ${error}`, 'red'));
  if (cut) lines.push('  (--all prints every row; --json lists everything)');
  return `${lines.join('\n')}\n`;
}

/** `Summary: would release 4 (3 professional, 1 analyzer); kept 5: active 1, …`. */
function summary(result: SiteReleaseResult, judged: readonly KeptItem[], beyondCap: number) {
  const selected = result.dryRun ? result.candidates : result.released;
  const verb = result.dryRun ? 'would release' : 'released';
  const parts = [`${verb} ${selected.length}${perType(selected)}`];
  if (!result.dryRun && result.failed.length > 0) parts.push(`FAILED ${result.failed.length}`);
  const counts = countByReason(judged);
  const reasons = KEEP_REASONS.flatMap((reason) =>
    counts[reason] ? [`${reason} ${counts[reason]}`] : [],
  );
  parts.push(`kept ${judged.length}${reasons.length > 0 ? `: ${reasons.join(', ')}` : ''}`);
  if (beyondCap > 0) parts.push(`${beyondCap} not judged (beyond the cap)`);
  return [`  Summary: ${parts.join('; ')}`];
}

function perType(items: readonly ReleaseItem[]): string {
  if (items.length === 0) return '';
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.licenseType, (counts.get(item.licenseType) ?? 0) + 1);
  return ` (${[...counts].map(([type, count]) => `${count} ${type}`).join(', ')})`;
}

/** Allocations kept by `maxReleasesPerRun`: counted, with what happens to them. */
function capLine(result: SiteReleaseResult, count: number): string {
  const cap = result.rules?.maxReleasesPerRun;
  const of = cap === undefined ? '' : ` of ${cap}`;
  return `${count} not judged (beyond the cap${of}, maxReleasesPerRun): later runs take them, longest-inactive first`;
}

function section(title: string, count: number): string {
  return `  ${title}: ${count} allocation${count === 1 ? '' : 's'}`;
}

type Note = (item: ReleaseItem) => string;

const keptNote: Note = (item) => {
  const kept = item as KeptItem;
  return kept.detail ? `${kept.reason}: ${kept.detail}` : kept.reason;
};

const HEADERS = ['TYPE', 'USER', 'LAST ACTIVITY', 'DAYS', 'ACCESS TYPE ID'];

function table(items: readonly ReleaseItem[], note?: Note): string[] {
  if (items.length === 0) return [];
  const rows = items.map((item) => {
    // A leaver released before the type's threshold says which flag (docs/release.md, "Leavers").
    const extra = [item.releaseReason ?? '', note?.(item) ?? ''].filter(Boolean).join('  ');
    return [
      item.licenseType,
      item.userDirectory === null ? '(no user)' : `${item.userDirectory}\\${item.userId}`,
      lastActivity(item),
      item.inactiveDays === null ? '-' : String(item.inactiveDays),
      item.accessTypeId + (extra ? `  ${extra}` : ''),
    ];
  });
  const widths = HEADERS.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const render = (cells: readonly string[]) =>
    `    ${cells
      .map((cell, column) =>
        column === 3 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd()}`;
  return [render(HEADERS), ...rows.map(render)];
}

/** A never-used allocation's date is its creation, and says so. */
function lastActivity(item: ReleaseItem): string {
  if (item.lastActivity === null) return '-';
  return item.neverUsed ? `never used (allocated ${item.lastActivity})` : item.lastActivity;
}
