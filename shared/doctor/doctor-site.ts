/**
 * `doctor` for one site (docs/doctor.md): the configuration, the certificate sources, the
 * certificates themselves, then QRS step by step. Read-only (GET requests only); each check runs
 * only when those it builds on passed, so the list ends at the first failure that blocks the rest.
 *
 * Layer: shared/doctor composes shared/config, shared/qrs and shared/licensing; nothing in shared/
 * imports it (the CLI command in functions/cli does).
 */
import { certificateNames } from '#shared/certificates/sources.ts';
import { type QrsNode, qrsNodes, type SiteConfig } from '#shared/config/schema.ts';
import {
  describeServiceHolders,
  readServiceHolders,
} from '#shared/licensing/monitor/service-holders.ts';
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
  const nodes = qrsNodes(qrs);
  checks.push(
    pass(
      'config',
      `${nodes.map(describeNode).join('; ')}, user ${qrs.user.directory}\\${qrs.user.id}`,
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
  const names = certificateNames(site.qrs.certificates);
  for (const check of [
    clientCertificateCheck(tls, now, names),
    caCertificateCheck(tls, now, names),
  ]) {
    checks.push(check);
    if (!check.ok) return report;
  }

  // Every node is checked on its own (a node that fails does not hide the next one).
  for (const node of nodes) {
    const nodeChecks = await checkNode(site, node, tls, deps);
    checks.push(
      ...(nodes.length === 1
        ? nodeChecks
        : nodeChecks.map((check) => ({
            ...check,
            detail: `[node ${describeNode(node)}] ${check.detail}`,
          }))),
    );
  }
  return report;
}

/**
 * Allocations of service accounts and protected users: a warning, so the check passes and its
 * detail names them (docs/doctor.md).
 */
async function serviceAccountsCheck(client: DoctorQrs, site: SiteConfig): Promise<DoctorCheck> {
  try {
    const lines = describeServiceHolders(await readServiceHolders(client, site));
    return pass(
      'service-accounts',
      lines.length === 0
        ? `no allocation held by the ${site.qrs.user.directory} directory or by a neverRelease.user with Professional`
        : `warning: ${lines.map((line) => `${line.subject}: ${line.message}`).join('; ')}`,
    );
  } catch (error) {
    return fail(
      'service-accounts',
      `${(error as Error).message}: the QRS user needs read access to license access types`,
    );
  }
}

function describeNode(node: QrsNode): string {
  return `${node.host}:${node.port}${node.servername ? `, servername ${node.servername}` : ''}`;
}

/** TCP, TLS, identity, reads and clock against one node, with a client that knows only it. */
async function checkNode(
  site: SiteConfig,
  node: QrsNode,
  tls: QrsTlsMaterial,
  deps: DoctorDependencies,
): Promise<DoctorCheck[]> {
  const { qrs } = site;
  const checks: DoctorCheck[] = [];
  const target: QrsTarget = {
    host: node.host,
    port: node.port,
    tlsName: node.servername ?? node.host,
    user: qrs.user,
    timeoutMs: qrs.timeoutSeconds * 1000,
    certificates: certificateNames(qrs.certificates),
  };
  const tcp = await reachable(target);
  checks.push(tcp);
  if (!tcp.ok) return checks;

  const { hosts: _hosts, ...single } = qrs;
  const { servername: _servername, ...withoutName } = single;
  const nodeSite: SiteConfig = {
    ...site,
    qrs: {
      ...withoutName,
      host: node.host,
      port: node.port,
      ...(node.servername ? { servername: node.servername } : {}),
    },
  };
  const client = deps.createClient(nodeSite, tls);
  try {
    checks.push(...(await nodeChecks(client, site, target, deps)));
  } finally {
    client.close();
  }
  return checks;
}

/** From the handshake on; the list ends at the first failure that blocks the rest. */
async function nodeChecks(
  client: DoctorQrs,
  site: SiteConfig,
  target: QrsTarget,
  deps: DoctorDependencies,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  try {
    const connection = await connectionChecks(client, target, deps.now());
    checks.push(...connection);
    if (connection.some((check) => !check.ok)) return checks;
    const reads = await readChecks(client);
    checks.push(...reads);
    if (reads.some((check) => !check.ok)) return checks;
    checks.push(await serviceAccountsCheck(client, site));
    const sentAt = deps.now().getTime();
    await client.countUsers();
    checks.push(clockCheck(client.lastResponseDate, sentAt, deps.now().getTime()));
  } catch (error) {
    checks.push(fail('clock', `reading QRS's clock failed: ${(error as Error).message}`));
    return checks;
  }
  try {
    checks.push(await protectionRulesCheck(site, client));
  } catch (error) {
    checks.push(
      fail('protection-rules', `the rules could not be checked: ${(error as Error).message}`),
    );
  }
  return checks;
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
