/**
 * Allocations held by accounts that are not people (docs/monitor.md, "Service accounts and
 * admins"): anything allocated in the QRS identity's own user directory (INTERNAL by default:
 * sa_api, sa_repository, ...), and Professional allocations of the users `neverRelease.user`
 * protects (admins and service users that are never released, so they keep a seat for good).
 * A warning for `monitor` and `doctor`, never an action.
 */
import type { SiteConfig } from '#shared/config/schema.ts';
import type { LicenseType } from '#shared/qrs/allocation.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import { qrsString } from '#shared/qrs/filter.ts';

export type HolderQrs = Pick<QrsClient, 'listAllocations'>;

export interface ServiceHolder {
  licenseType: LicenseType;
  userDirectory: string;
  userId: string;
  /** Why it is named: the identity's directory, or a protected user. */
  why: 'identity-directory' | 'protected-user';
}

const userEq = (directory: string, id: string) =>
  `(user.userDirectory eq ${qrsString(directory)} and user.userId eq ${qrsString(id)})`;

/** Two filtered reads (Professional, Analyzer), whatever the site's size. */
export async function readServiceHolders(
  qrs: HolderQrs,
  site: Pick<SiteConfig, 'qrs' | 'licenseRelease'>,
): Promise<ServiceHolder[]> {
  const directory = site.qrs.user.directory;
  const protectedUsers = site.licenseRelease?.neverRelease.user ?? [];
  const inDirectory = `user.userDirectory eq ${qrsString(directory)}`;
  const professionalFilter = [
    inDirectory,
    ...protectedUsers.map((user) => userEq(user.userDir, user.userId)),
  ].join(' or ');
  const [professional, analyzer] = await Promise.all([
    qrs.listAllocations('professional', professionalFilter),
    qrs.listAllocations('analyzer', inDirectory),
  ]);
  const holders: ServiceHolder[] = [];
  const seen = new Set<string>();
  for (const allocation of [...professional.allocations, ...analyzer.allocations]) {
    const user = allocation.user;
    // Judged here, not trusted from the filter: case-insensitive, as QRS compares.
    if (!user || seen.has(allocation.id)) continue;
    const ownDirectory = user.userDirectory.toLowerCase() === directory.toLowerCase();
    const isProtected =
      allocation.licenseType === 'professional' &&
      protectedUsers.some(
        (rule) =>
          rule.userDir.toLowerCase() === user.userDirectory.toLowerCase() &&
          rule.userId.toLowerCase() === user.userId.toLowerCase(),
      );
    if (!ownDirectory && !isProtected) continue;
    seen.add(allocation.id);
    holders.push({
      licenseType: allocation.licenseType,
      userDirectory: user.userDirectory,
      userId: user.userId,
      why: ownDirectory ? 'identity-directory' : 'protected-user',
    });
  }
  return holders;
}

const MAX_NAMED = 5;

/** One line per license type: who holds what, and why that is worth a look. */
export function describeServiceHolders(
  holders: readonly ServiceHolder[],
): Array<{ subject: 'professional' | 'analyzer'; message: string }> {
  const lines: Array<{ subject: 'professional' | 'analyzer'; message: string }> = [];
  for (const type of ['professional', 'analyzer'] as const) {
    const held = holders.filter((holder) => holder.licenseType === type);
    if (held.length === 0) continue;
    const named = held
      .slice(0, MAX_NAMED)
      .map(
        (holder) =>
          `${holder.userDirectory}\\${holder.userId} (${holder.why === 'identity-directory' ? "the QRS identity's directory" : 'neverRelease.user'})`,
      );
    const more = held.length > MAX_NAMED ? ` and ${held.length - MAX_NAMED} more` : '';
    lines.push({
      subject: type,
      message: `${held.length} allocation(s) held by service accounts or protected users: ${named.join(', ')}${more}; such accounts rarely need one, and protected ones are never released`,
    });
  }
  return lines;
}
