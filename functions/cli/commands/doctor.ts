/**
 * `license-steward doctor --config FILE [--site NAME] [--json]`: the read-only pre-flight check of
 * each site (docs/doctor.md). Exit 0 when every check passes, 1 when any fails (2 for usage and
 * configuration errors, before this runs).
 */
import type { Config } from '#shared/config/schema.ts';
import type { SiteDoctorReport } from '#shared/doctor/check.ts';
import { doctorSite } from '#shared/doctor/doctor-site.ts';
import { createQrsClient } from '#shared/licensing/site-qrs-client.ts';
import { readSiteCertificates } from '#shared/secrets/read.ts';
import { painter } from '../colour.ts';
import { type CliIo, EXIT_FAILED, EXIT_OK } from '../io.ts';
import {
  type CliOptions,
  type CommonArgs,
  configCommandArgs,
  refuseReleaseOptions,
} from '../options.ts';
import { forEverySite, selectSites } from '../select-sites.ts';

export interface DoctorArgs extends CommonArgs {
  command: 'doctor';
  config: string;
  site?: string;
}

export function parseDoctorArgs(options: CliOptions): DoctorArgs {
  const common = configCommandArgs(options, 'doctor');
  refuseReleaseOptions(options, 'doctor');
  return {
    command: 'doctor',
    ...common,
    ...(options.site !== undefined ? { site: options.site } : {}),
  };
}

export async function runDoctor(config: Config, args: DoctorArgs, io: CliIo): Promise<number> {
  const now = io.now ?? (() => new Date());
  // Every site is checked, its jobs on or off: the doctor answers "could it run".
  const reports = await forEverySite(selectSites(config, args.site), (site) =>
    doctorSite(site, {
      readCertificates: (each) => readSiteCertificates(each),
      // No retries: the doctor reports the first answer as it is.
      createClient: (each, tls) =>
        createQrsClient({ ...each, qrs: { ...each.qrs, maxRetries: 0 } }, tls),
      now,
    }),
  );
  io.stdout(
    args.json
      ? `${JSON.stringify({ sites: reports }, null, 2)}\n`
      : renderChecklist(reports, painter(io.colour)),
  );
  return reports.every((report) => report.checks.every((check) => check.ok))
    ? EXIT_OK
    : EXIT_FAILED;
}

function renderChecklist(
  reports: readonly SiteDoctorReport[],
  paint: ReturnType<typeof painter>,
): string {
  return reports
    .map((report) => {
      const lines = [`Site ${report.site}`];
      for (const check of report.checks)
        lines.push(
          check.ok
            ? `  ${paint('[ok]  ', 'green')} ${check.check}: ${check.detail}`
            : paint(`  [FAIL] ${check.check}: ${check.detail}`, 'red'),
        );
      const failed = report.checks.filter((check) => !check.ok).length;
      lines.push(
        failed === 0
          ? '  All checks passed.'
          : '  Fix the failed check and run doctor again (later checks run once it passes).',
      );
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}
