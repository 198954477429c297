/**
 * CI security check: `npm audit --include=dev --audit-level=high` on every dependency, judged from
 * its JSON report. Every package is a devDependency: the Lambda functions and the CLI ship as
 * bundles built from them (README, "The command"), so the whole tree is what the bundles and
 * their build are made of.
 *
 * - the registry answered and lists a high or critical advisory that is not explained in
 *   ALLOWED_ADVISORIES → fail (exit 1), naming each package, advisory and link;
 * - the registry answered with nothing high or critical → pass (exit 0);
 * - the audit service could not be asked (offline build machine, a mirror without the audit
 *   endpoint: 404/405, a network error) → a loud warning that the audit was SKIPPED, exit 0, so
 *   CI does not go red for a service outage. Set LICENSE_STEWARD_AUDIT_REQUIRED=1 where the audit
 *   must always run (release pipelines): then an unanswered audit fails.
 *
 * Run from the repository root after `npm ci`: `npx tsx .ci/npm-audit.ts`.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * High or critical advisories that were checked and do not apply, by advisory URL (or GHSA id),
 * each with the reason. Empty: nothing needed explaining when this was written.
 */
export const ALLOWED_ADVISORIES: Readonly<Record<string, string>> = {};

const BLOCKING = new Set(['high', 'critical']);

export interface Finding {
  package: string;
  severity: string;
  title: string;
  url: string;
}

export type AuditVerdict =
  | { outcome: 'pass'; message: string }
  | { outcome: 'fail'; message: string; findings: Finding[] }
  | { outcome: 'unavailable'; message: string };

interface Advisory {
  name?: unknown;
  title?: unknown;
  url?: unknown;
  severity?: unknown;
}

/** Judges the `--json` output of `npm audit` (npm 7+ report format, or npm's error document). */
export function judgeAudit(
  stdout: string,
  allowed: Readonly<Record<string, string>> = ALLOWED_ADVISORIES,
): AuditVerdict {
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch {
    return {
      outcome: 'unavailable',
      message: `npm audit printed no JSON report (${stdout.trim().slice(0, 120) || 'no output'})`,
    };
  }
  const counts = (report as { metadata?: { vulnerabilities?: Record<string, unknown> } })?.metadata
    ?.vulnerabilities;
  if (typeof counts !== 'object' || counts === null) return unavailable(report);

  const vulnerabilities = (report as { vulnerabilities?: Record<string, { via?: unknown }> })
    .vulnerabilities;
  const findings = new Map<string, Finding>();
  let explained = 0;
  for (const [name, entry] of Object.entries(vulnerabilities ?? {})) {
    for (const via of Array.isArray(entry?.via) ? entry.via : []) {
      if (typeof via !== 'object' || via === null) continue; // a package name: reported on its own
      const advisory = via as Advisory;
      const severity = String(advisory.severity ?? '');
      const url = String(advisory.url ?? '');
      if (!BLOCKING.has(severity)) continue;
      if (isAllowed(url, allowed)) {
        explained++;
        continue;
      }
      findings.set(url || `${name}:${String(advisory.title)}`, {
        package: typeof advisory.name === 'string' ? advisory.name : name,
        severity,
        title: String(advisory.title ?? 'no title'),
        url,
      });
    }
  }
  const blocking = Number(counts.high ?? 0) + Number(counts.critical ?? 0);
  if (findings.size === 0 && explained === 0 && blocking > 0) {
    // Counts without advisory details (an unexpected report shape): fail rather than guess.
    return {
      outcome: 'fail',
      message: `npm audit reports ${blocking} high or critical vulnerabilities (no advisory details in the report)`,
      findings: [],
    };
  }
  if (findings.size === 0) {
    return {
      outcome: 'pass',
      message: `npm audit: no high or critical advisories in the dependencies (${Number(counts.total ?? 0)} lower or explained)`,
    };
  }
  const list = [...findings.values()];
  return {
    outcome: 'fail',
    message: `npm audit: ${list.length} high or critical advisories in the dependencies:\n${list
      .map((f) => `  - ${f.package} (${f.severity}): ${f.title} ${f.url}`)
      .join(
        '\n',
      )}\nUpgrade the package, or, if it does not apply here, explain it in ALLOWED_ADVISORIES (.ci/npm-audit.ts).`,
    findings: list,
  };
}

function isAllowed(url: string, allowed: Readonly<Record<string, string>>): boolean {
  return Object.keys(allowed).some((key) => key !== '' && (url === key || url.endsWith(`/${key}`)));
}

/** npm's error document: `{"error":{"code","summary"}}` or `{"statusCode","message"}`. */
function unavailable(report: unknown): AuditVerdict {
  const document = report as {
    message?: unknown;
    statusCode?: unknown;
    error?: { code?: unknown; summary?: unknown };
  };
  const reason =
    [document?.error?.code, document?.message ?? document?.statusCode, document?.error?.summary]
      .filter((part) => typeof part === 'string' || typeof part === 'number')
      .map(String)
      .filter((part) => part !== '')
      .join(' ') || 'no report';
  return {
    outcome: 'unavailable',
    message: `npm audit could not get an answer from the registry's audit service (${reason})`,
  };
}

function main(): number {
  const audit = spawnSync(
    'npm',
    ['audit', '--include=dev', '--audit-level=high', '--audit', '--json'],
    { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  const verdict: AuditVerdict = audit.error
    ? { outcome: 'unavailable', message: `npm audit did not run (${audit.error.message})` }
    : judgeAudit(audit.stdout ?? '');
  switch (verdict.outcome) {
    case 'pass':
      process.stdout.write(`${verdict.message}\n`);
      return 0;
    case 'fail':
      process.stderr.write(`${verdict.message}\n`);
      return 1;
    case 'unavailable': {
      const required = process.env.LICENSE_STEWARD_AUDIT_REQUIRED === '1';
      process.stderr.write(
        `WARNING: ${verdict.message}: the dependency audit was SKIPPED, not passed.${
          required ? ' LICENSE_STEWARD_AUDIT_REQUIRED=1: failing.' : ''
        }\n`,
      );
      return required ? 1 : 0;
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main();
