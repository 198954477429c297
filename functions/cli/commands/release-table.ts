/**
 * The human-readable release report of the CLI: per site, a table of what would be / was
 * released (longest-inactive first), failures with their error, and the kept allocations counted
 * per reason. `--json` prints the results themselves instead.
 */
import {
  countByReason,
  KEEP_REASONS,
  type ReleaseItem,
  type SiteReleaseResult,
} from '#shared/licensing/release/types.ts';

export function formatReleaseReport(results: readonly SiteReleaseResult[]): string {
  if (results.length === 0) return 'No site has license release enabled: nothing to do.\n';
  return `${results.map(formatSite).join('\n')}`;
}

function formatSite(result: SiteReleaseResult): string {
  const lines: string[] = [];
  const mode = result.dryRun ? 'dry run, nothing is released' : 'releasing';
  lines.push(`Site ${result.site} (${mode}), evaluated ${result.evaluatedAt}`);
  if (result.plan) {
    lines.push(
      `  Applying the plan made ${result.plan.evaluatedAt} (${result.plan.candidates} candidates), each re-checked now`,
    );
    for (const difference of result.plan.ruleDifferences)
      lines.push(`  Rules changed since the plan: ${difference}`);
  }
  for (const warning of result.warnings ?? []) lines.push(`  WARNING: ${warning}`);
  if (result.userRead) lines.push(`  User records read: ${result.userRead}`);
  if (result.error !== undefined) {
    lines.push(`  FAILED: ${result.error}`);
    return `${lines.join('\n')}\n`;
  }
  if (result.dryRun) {
    lines.push(section('Would release', result.candidates.length));
    lines.push(...table(result.candidates));
  } else {
    lines.push(section('Released', result.released.length));
    lines.push(
      ...table(result.released, (item) =>
        'alreadyGone' in item && item.alreadyGone ? 'already gone' : '',
      ),
    );
    if (result.failed.length > 0) {
      lines.push(section('FAILED', result.failed.length));
      lines.push(...table(result.failed, (item) => ('error' in item ? String(item.error) : '')));
    }
    if (result.deferred.length > 0) {
      lines.push(`${section('Deferred to the next run (time limit)', result.deferred.length)}`);
      lines.push(...table(result.deferred));
    }
  }
  if (result.skipped && result.skipped.length > 0) {
    lines.push(section('Planned but not applied', result.skipped.length));
    lines.push(...table(result.skipped, (item) => ('detail' in item ? String(item.detail) : '')));
  }
  lines.push(`  Kept ${result.kept.length}${keptSummary(result)}`);
  for (const error of result.sinkErrors) lines.push(`  Sink error: ${error}`);
  return `${lines.join('\n')}\n`;
}

function section(title: string, count: number): string {
  return `  ${title}: ${count} allocation${count === 1 ? '' : 's'}`;
}

function keptSummary(result: SiteReleaseResult): string {
  const counts = countByReason(result.kept);
  const parts = KEEP_REASONS.flatMap((reason) =>
    counts[reason] ? [`${reason} ${counts[reason]}`] : [],
  );
  return parts.length > 0 ? `: ${parts.join(', ')}` : '';
}

const HEADERS = ['TYPE', 'USER', 'LAST ACTIVITY', 'DAYS', 'ACCESS TYPE ID'];

function table(items: readonly ReleaseItem[], note?: (item: ReleaseItem) => string): string[] {
  if (items.length === 0) return [];
  const rows = items.map((item) => {
    const extra = note?.(item) ?? '';
    return [
      item.licenseType,
      item.userDirectory === null ? '(no user)' : `${item.userDirectory}\\${item.userId}`,
      item.lastActivity ?? '-',
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
