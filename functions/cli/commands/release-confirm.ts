/**
 * `release --plan` releases for real, so it asks first (docs/release.md, "Review, then apply"): in
 * a terminal it shows what the plan would release and waits for "y"; `--yes` answers for the
 * user; without a terminal and without `--yes` it refuses (exit 2) before any request to QRS.
 */
import type { PlannedSite } from '#shared/licensing/release/plan-file.ts';
import type { ReleaseItem } from '#shared/licensing/release/types.ts';
import { commandName } from '../help.ts';
import { type CliIo, UsageError } from '../io.ts';
import type { ReleaseArgs } from './release.ts';

/** Rows of the plan shown before the question; the rest are counted. */
export const ROWS_SHOWN = 10;

/** True to go on; false when the person at the terminal said no. */
export async function confirmPlan(
  planned: readonly PlannedSite[],
  args: Pick<ReleaseArgs, 'dryRun' | 'yes'>,
  io: CliIo,
): Promise<boolean> {
  if (args.dryRun || args.yes) return true;
  if (!io.confirm)
    throw new UsageError(
      `--plan releases for real and no terminal is here to confirm it: review the plan, then run again with --yes (${commandName()} release --config FILE --plan FILE --yes). Nothing was sent to QRS`,
      'release',
    );
  io.stderr(describePlans(planned));
  const total = planned.reduce((sum, entry) => sum + entry.candidates.length, 0);
  return io.confirm(
    `Release up to ${total} allocation${total === 1 ? '' : 's'} (each re-checked against QRS first)?`,
  );
}

export function describePlans(planned: readonly PlannedSite[]): string {
  return planned.map(describePlan).join('');
}

function describePlan(entry: PlannedSite): string {
  const madeBy =
    entry.madeBy === 'review'
      ? 'a review-mode run'
      : entry.madeBy === 'dry-run'
        ? 'a dry run'
        : 'a run that did not record how';
  const lines = [
    `Plan for site ${entry.site}, made ${entry.evaluatedAt.toISOString()} by ${madeBy}: ${countsByType(entry.candidates)}`,
    ...entry.candidates
      .slice(0, ROWS_SHOWN)
      .map(
        (item) =>
          `  ${item.licenseType.padEnd(12)} ${item.userDirectory ?? '(no user)'}\\${item.userId ?? ''}  ${item.inactiveDays ?? '-'} days inactive`,
      ),
  ];
  const more = entry.candidates.length - ROWS_SHOWN;
  if (more > 0) lines.push(`  … and ${more} more (the plan file lists them all)`);
  return `${lines.join('\n')}\n`;
}

function countsByType(items: readonly ReleaseItem[]): string {
  if (items.length === 0) return 'no candidates';
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.licenseType, (counts.get(item.licenseType) ?? 0) + 1);
  return [...counts].map(([type, count]) => `${count} ${type}`).join(', ');
}
