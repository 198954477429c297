/**
 * `doctor` for one site (docs/doctor.md): the configuration, the certificate sources, the
 * certificates themselves, then QRS step by step. Read-only (GET requests only); each check runs
 * only when those it builds on passed, so the list ends at the first failure that blocks the rest.
 *
 * Layer: shared/doctor composes shared/config, shared/qrs and shared/licensing; nothing in shared/
 * imports it (the CLI command in functions/cli does).
 */
import type { SiteConfig } from '#shared/config/schema.ts';
import { checkRulesInQrs, describeFindings } from '#shared/licensing/release/rule-check.ts';
import { RuleCounter } from '#shared/licensing/release/rule-counts.ts';
import type { QrsTlsMaterial } from '#shared/qrs/client.ts';
import { caCertificateCheck, clientCertificateCheck } from './certificate-checks.ts';
import { type DoctorCheck, fail, pass, type SiteDoctorReport } from './check.ts';
import {
  clockCheck,
  connectionChecks,
  type DoctorQrs,
  type QrsTarget,
  reachable,
  readChecks,
} from './qrs-checks.ts';

export interface DoctorDependencies {
  readCertificates: (site: SiteConfig) => Promise<QrsTlsMaterial>;
  /** A QRS client without retries: the doctor reports the first answer as it is. */
  createClient: (site: SiteConfig, tls: QrsTlsMaterial) => DoctorQrs & { close(): void };
  now: () => Date;
}

export async function doctorSite(
  site: SiteConfig,
  deps: DoctorDependencies,
): Promise<SiteDoctorReport> {
  const checks: DoctorCheck[] = [];
  const report = { site: site.name, checks };
  const { qrs } = site;
  checks.push(
    pass(
      'config',
      `${qrs.host}:${qrs.port}${qrs.servername ? `, servername ${qrs.servername}` : ''}, user ${qrs.user.directory}\\${qrs.user.id}`,
    ),
  );

  let tls: QrsTlsMaterial;
  try {
    tls = await deps.readCertificates(site);
  } catch (error) {
    checks.push(
      fail(
        'certificate-sources',
        `${(error as Error).message}: fix the path or parameter in sites[].qrs.certificates`,
      ),
    );
    return report;
  }
  checks.push(
    pass('certificate-sources', `client certificate, key and CA read from ${sourcesOf(site)}`),
  );
  const now = deps.now();
  for (const check of [clientCertificateCheck(tls, now), caCertificateCheck(tls, now)]) {
    checks.push(check);
    if (!check.ok) return report;
  }

  const target: QrsTarget = {
    host: qrs.host,
    port: qrs.port,
    tlsName: qrs.servername ?? qrs.host,
    user: qrs.user,
    timeoutMs: qrs.timeoutSeconds * 1000,
  };
  const tcp = await reachable(target);
  checks.push(tcp);
  if (!tcp.ok) return report;

  const client = deps.createClient(site, tls);
  try {
    const connection = await connectionChecks(client, target, deps.now());
    checks.push(...connection);
    if (connection.some((check) => !check.ok)) return report;
    const reads = await readChecks(client);
    checks.push(...reads);
    if (reads.some((check) => !check.ok)) return report;
    const sentAt = deps.now().getTime();
    await client.countUsers();
    checks.push(clockCheck(client.lastResponseDate, sentAt, deps.now().getTime()));
  } catch (error) {
    checks.push(fail('clock', `reading QRS's clock failed: ${(error as Error).message}`));
    client.close();
    return report;
  }
  try {
    checks.push(await protectionRulesCheck(site, client));
  } catch (error) {
    checks.push(
      fail('protection-rules', `the rules could not be checked: ${(error as Error).message}`),
    );
  } finally {
    client.close();
  }
  return report;
}

/** Every `neverRelease` rule names something QRS has (docs/release.md, "Rules that match nothing"). */
async function protectionRulesCheck(site: SiteConfig, qrs: DoctorQrs): Promise<DoctorCheck> {
  const release = site.licenseRelease;
  if (!release?.enable) return pass('protection-rules', 'license release is off for this site');
  const findings = await checkRulesInQrs(release.neverRelease, new RuleCounter(qrs));
  const unmatched = findings.filter((finding) => finding.decisive);
  const unconfirmed = findings.filter((finding) => !finding.decisive);
  const notes = unconfirmed.length > 0 ? ` (WARNING ${describeFindings(unconfirmed)})` : '';
  if (unmatched.length === 0)
    return pass(
      'protection-rules',
      `every neverRelease rule names a user, directory, tag or custom property QRS has${notes}`,
    );
  // The site said so on purpose: shown, but not a failure.
  if (release.allowUnmatchedRules)
    return pass(
      'protection-rules',
      `WARNING ${describeFindings(findings)} (allowUnmatchedRules: true, so a real release runs)`,
    );
  return fail(
    'protection-rules',
    `${describeFindings(unmatched)}: a real release refuses to run. Fix the spelling to match the QMC, or set licenseRelease.allowUnmatchedRules: true for rules meant to match nobody yet${notes}`,
  );
}

function sourcesOf(site: SiteConfig): string {
  const sources = Object.values(site.qrs.certificates);
  const files = sources.filter((source) => 'file' in source).length;
  if (files === sources.length) return 'files';
  return files === 0 ? 'SSM parameters' : 'files and SSM parameters';
}
