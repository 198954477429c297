/**
 * Excess (docs/release.md, "Excess"): after a license is reduced, QRS counts allocations beyond
 * the new number as `excess` per type. A release run reads that count and names the allocations
 * that end it: this run's candidates of the type, longest-inactive first, so within every rule
 * and the cap. It never selects anything the rules did not.
 */
import type { RunLogger } from '#shared/observability/logger.ts';
import type { LicenseType } from '#shared/qrs/allocation.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import type { ReleaseItem } from './types.ts';

export type ExcessQrs = Partial<Pick<QrsClient, 'getAccessTypeOverview'>>;

/** One license type in excess, in the `release --json` document as `excess: [...]`. */
export interface ExcessPlan {
  licenseType: LicenseType;
  /** QRS's count of allocations beyond the license. */
  excess: number;
  /** The candidates whose release ends the excess, in release order. */
  releaseFirst: ReleaseItem[];
  /** How many more than this run may release (the rules or the cap keep them): 0 = ended. */
  short: number;
}

/** Only Professional and Analyzer have an `excess` count (tokens have no such block). */
const OVERVIEW_BLOCK = { professional: 'professionalAccess', analyzer: 'analyzerAccess' } as const;

/** Excess per type from the overview; a failed read is logged and leaves the run as it was. */
export async function readExcess(
  qrs: ExcessQrs,
  types: readonly LicenseType[],
  logger: RunLogger,
): Promise<Partial<Record<LicenseType, number>>> {
  if (!qrs.getAccessTypeOverview) return {};
  try {
    const overview = await qrs.getAccessTypeOverview();
    const counts: Partial<Record<LicenseType, number>> = {};
    for (const type of types) {
      if (type !== 'professional' && type !== 'analyzer') continue;
      const excess = overview[OVERVIEW_BLOCK[type]]?.excess;
      if (typeof excess === 'number' && excess > 0) counts[type] = excess;
    }
    return counts;
  } catch (error) {
    logger.warn('The license overview could not be read: no excess is reported for this run', {
      error: error instanceof Error ? error.message : String(error),
    });
    return {};
  }
}

export function planExcess(
  counts: Partial<Record<LicenseType, number>>,
  candidates: readonly ReleaseItem[],
): ExcessPlan[] {
  return (Object.entries(counts) as Array<[LicenseType, number]>).map(([licenseType, excess]) => {
    const releaseFirst = candidates
      .filter((item) => item.licenseType === licenseType)
      .slice(0, excess);
    return { licenseType, excess, releaseFirst, short: excess - releaseFirst.length };
  });
}
