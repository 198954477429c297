/** The human-readable `monitor` output: one block per site, a row per license type, warnings. */
import type { SiteConfig } from '#shared/config/schema.ts';
import type { AccessTypeUsage, LicenseSnapshot } from '#shared/licensing/monitor/snapshot.ts';
import { usageWarnings, validThrough } from '#shared/licensing/monitor/usage-warnings.ts';

export type SiteReport =
  | { site: SiteConfig; snapshot: LicenseSnapshot; error?: undefined }
  | { site: SiteConfig; snapshot: LicenseSnapshot | null; error: string };

const COLUMNS = ['Total', 'Allocated', 'Available', 'Used', 'Quarantined', 'Excess'] as const;
const TYPE_WIDTH = 14;
const COLUMN_WIDTH = 13;

export function renderMonitorTable(reports: readonly SiteReport[]): string {
  return reports.map(renderSite).join('\n');
}

function renderSite(report: SiteReport): string {
  const { site, snapshot } = report;
  if (!snapshot) return `Site ${site.name}: FAILED\n  ${report.error}\n`;
  const lines = [`Site ${site.name}  (collected ${snapshot.collectedAt})`];
  lines.push(`  License: ${describeLicense(snapshot)}`);
  lines.push(
    `  ${'Type'.padEnd(TYPE_WIDTH)}${COLUMNS.map((c) => c.padStart(COLUMN_WIDTH)).join('')}`,
  );
  lines.push(accessRow('professional', snapshot.professional));
  lines.push(accessRow('analyzer', snapshot.analyzer));
  lines.push(`  Analyzer capacity: ${describeCapacity(snapshot)}`);
  lines.push(...describeTokens(snapshot));
  for (const warning of usageWarnings(snapshot, site.alarms))
    lines.push(`  WARNING ${warning.subject}: ${warning.message}`);
  if (report.error) lines.push(`  ERROR ${report.error}`);
  return `${lines.join('\n')}\n`;
}

function accessRow(name: string, usage: AccessTypeUsage | null): string {
  const label = `  ${name.padEnd(TYPE_WIDTH)}`;
  if (!usage) return `${label}not reported by this server`;
  if (usage.enabled === false) return `${label}disabled`;
  const values = [
    usage.total,
    usage.allocated,
    usage.available,
    usage.used,
    usage.quarantined,
    usage.excess,
  ];
  return `${label}${values.map((value) => show(value).padStart(COLUMN_WIDTH)).join('')}`;
}

function describeLicense(snapshot: LicenseSnapshot): string {
  const license = snapshot.license;
  if (!license) return 'not reported by this server';
  const model = license.model === 'lef' ? 'serial + control number (LEF)' : 'signed key';
  if (license.problem && license.expiresAt === null)
    return `${model}, expiry unknown or license not valid (see the warning below)`;
  const flagged = license.problem ? ' (see the warning below)' : '';
  if (license.expiresAt === null || license.daysUntilExpiry === null)
    return `${model}, no time limit${flagged}`;
  const days = Math.floor(license.daysUntilExpiry);
  const left = days < 0 ? 'expired' : `${days} day(s) left`;
  return `${model}, valid through ${validThrough(license.expiresAt)} (${left})${flagged}`;
}

function describeCapacity(snapshot: LicenseSnapshot): string {
  const capacity = snapshot.analyzerCapacity;
  if (!capacity) return 'not reported by this server';
  if (capacity.enabled === false) return 'not in use';
  return `${show(capacity.allocatedMinutes)} minutes allocated, ${show(capacity.usedMinutes)} used, ${show(capacity.unavailableMinutes)} unavailable`;
}

/** The `Tokens:` line and, on a token site, a line each for user and login access. */
function describeTokens(snapshot: LicenseSnapshot): string[] {
  const tokens = snapshot.tokens;
  if (!tokens) return ['  Tokens: not reported by this server'];
  if (tokens.enabled === false) return ['  Tokens: not in use'];
  const { userAccess, loginAccess } = tokens;
  return [
    `  Tokens: ${show(tokens.total)} total, ${show(tokens.available)} available`,
    userAccess
      ? `    user access: ${show(userAccess.allocatedTokens)} allocated, ${show(userAccess.usedTokens)} used, ${show(userAccess.quarantinedTokens)} quarantined, token cost ${show(userAccess.tokenCost)}`
      : '    user access: not reported by this server',
    loginAccess
      ? `    login access: ${show(loginAccess.allocatedTokens)} allocated, ${show(loginAccess.usedTokens)} used, ${show(loginAccess.unavailableTokens)} unavailable, token cost ${show(loginAccess.tokenCost)}`
      : '    login access: not reported by this server',
  ];
}

function show(value: number | null): string {
  return value === null ? '-' : String(value);
}
