/**
 * The rules a release run was judged under, as data: written into each site of the `release
 * --json` document (`rules`), so a plan says what it was made with, and compared when the plan is
 * applied (docs/release.md, "Review, then apply").
 */
import type { LicenseReleaseConfig } from '#shared/config/schema.ts';

export interface RulesRecord {
  maxReleasesPerRun: number;
  licenseType: LicenseReleaseConfig['licenseType'];
  neverRelease: LicenseReleaseConfig['neverRelease'];
  leavers: LicenseReleaseConfig['leavers'];
}

export function rulesRecord(config: LicenseReleaseConfig): RulesRecord {
  return {
    maxReleasesPerRun: config.maxReleasesPerRun,
    licenseType: config.licenseType,
    neverRelease: config.neverRelease,
    leavers: config.leavers,
  };
}

/**
 * `neverRelease.tag: [A] in the plan, [A, B] now`, one line per setting that differs. Lists are
 * compared as sets and names ignoring case, as the rules match them.
 */
export function ruleDifferences(planned: unknown, current: RulesRecord): string[] {
  const before = flatten(planned);
  const now = flatten(current);
  const keys = [...new Set([...before.keys(), ...now.keys()])].sort();
  return keys.flatMap((key) => {
    const was = before.get(key);
    const is = now.get(key);
    if (was === is) return [];
    return [`${key}: ${was ?? '(not set)'} in the plan, ${is ?? '(not set)'} now`];
  });
}

/** `path → canonical text` for every leaf; a list is one leaf (sorted, lower-cased members). */
function flatten(value: unknown, path = '', into = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    const members = value.map((member) => canonical(member).toLowerCase()).sort();
    into.set(path, `[${members.join(', ')}]`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, member] of Object.entries(value))
      flatten(member, path ? `${path}.${key}` : key, into);
  } else if (path) {
    into.set(path, canonical(value));
  }
  return into;
}

function canonical(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return String(value);
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([key, member]) => `${key}: ${canonical(member)}`).join(', ')}}`;
}
