/**
 * Butler's license jobs (`Butler.qlikSenseLicense`) as the site's `licenseMonitor`,
 * `licenseRelease` and `alarms`. Every release rule is carried as it is; `frequency` becomes
 * `schedule`; `dryRun` stays what it was. Butler's two monitors (access license usage and the
 * server license) are one job here, so it runs when either ran.
 */
import type { ButlerLicense, ButlerRelease } from './butler-schema.ts';
import { type Draft, type KeyPath, keyName } from './draft.ts';
import { translateFrequency } from './map-schedule.ts';

const LICENSE = 'Butler.qlikSenseLicense';
const DEFAULT_MONITOR_SCHEDULE = 'rate(15 minutes)';
const DEFAULT_RELEASE_SCHEDULE = 'cron(0 2 * * ? *)';
const DEFAULT_THRESHOLD_DAYS = 30;

function schedule(
  frequency: string | undefined,
  butlerKey: string,
  fallback: string,
  path: KeyPath,
  draft: Draft,
): string {
  if (frequency === undefined) {
    draft.remark(path, { after: `${butlerKey} not set: the default` });
    return fallback;
  }
  const translation = translateFrequency(frequency);
  if (translation.schedule !== undefined) {
    draft.remark(path, { after: `Butler: "${frequency}"` });
    return translation.schedule;
  }
  draft.remark(path, {
    after: `Butler: "${frequency}", not translated: the default`,
  });
  draft.findings.check.push(
    `${butlerKey}: ${translation.reason}; the default ${fallback} is used: set ${keyName(path)} to the schedule you want`,
  );
  return fallback;
}

export function mapMonitor(license: ButlerLicense | undefined, base: KeyPath, draft: Draft) {
  const usage = license?.licenseMonitor ?? undefined;
  const server = license?.serverLicenseMonitor ?? undefined;
  const path = [...base, 'licenseMonitor'];
  const enable = Boolean(usage?.enable || server?.enable);
  const source = usage?.enable || !server?.enable ? 'licenseMonitor' : 'serverLicenseMonitor';
  const frequency = (source === 'licenseMonitor' ? usage : server)?.frequency;
  if (usage?.enable && server?.enable && usage.frequency !== server.frequency)
    draft.findings.check.push(
      `Butler ran licenseMonitor ("${usage.frequency}") and serverLicenseMonitor ("${server.frequency}") apart: here one job reads both, on licenseMonitor's schedule`,
    );
  draft.remark(path, {
    before: [
      "Butler's licenseMonitor (access license usage) and serverLicenseMonitor (the license's",
      'expiry) are one job here.',
      ...(enable ? [] : ['Both were off or absent in Butler: set enable: true to collect usage.']),
    ].join('\n'),
  });
  draft.carried(
    `${LICENSE}.licenseMonitor + serverLicenseMonitor (enable, frequency)`,
    'licenseMonitor (enable, schedule)',
  );
  return {
    enable,
    schedule: schedule(
      frequency,
      `${LICENSE}.${source}.frequency`,
      DEFAULT_MONITOR_SCHEDULE,
      [...path, 'schedule'],
      draft,
    ),
  };
}

/** `alarms.expiryWithinDays` from the server license alert threshold; undefined: keep the default. */
export function mapAlarms(license: ButlerLicense | undefined, base: KeyPath, draft: Draft) {
  const days = license?.serverLicenseMonitor?.alert?.thresholdDays;
  if (days === undefined) return undefined;
  draft.carried(`${LICENSE}.serverLicenseMonitor.alert.thresholdDays`, 'alarms.expiryWithinDays');
  draft.remark([...base, 'alarms', 'expiryWithinDays'], {
    before:
      "Butler's serverLicenseMonitor.alert.thresholdDays: `monitor` warns, and the deployed stack's\n" +
      'CloudWatch alarm fires, when the license expires within this many days.',
  });
  return { expiryWithinDays: days };
}

/** Butler's flags can only protect; leavers (docs/release.md) are off until written. */
const LEAVERS_COMMENT = [
  'new (Butler cannot do it): release leavers early, counted in days since last use',
  '(0 = on the next run); the QMC flags are removedExternally, blocked and inactive; a',
  'neverRelease rule still wins. Off until written, e.g.:',
  'leavers:',
  '  removedExternally: { releaseAfterDays: 0 }',
  '  blocked: { releaseAfterDays: 7 }',
  '  inactive: { releaseAfterDays: 14 }',
].join('\n');

export function mapRelease(license: ButlerLicense | undefined, base: KeyPath, draft: Draft) {
  const release = license?.licenseRelease ?? undefined;
  if (release === undefined) {
    draft.findings.check.push(
      `${LICENSE}.licenseRelease is absent: license release stays off (docs/release.md shows the block to add)`,
    );
    return undefined;
  }
  const path = [...base, 'licenseRelease'];
  const butler = `${LICENSE}.licenseRelease`;
  draft.carried(
    `${butler} (enable, dryRun, frequency, neverRelease, licenseType)`,
    'licenseRelease (frequency as schedule)',
  );
  if (release.dryRun === undefined)
    draft.remark([...path, 'dryRun'], { after: `${butler}.dryRun not set: a dry run` });
  draft.remark([...path, 'maxReleasesPerRun'], {
    after: 'new: at most this many releases per run (Butler had no cap)',
  });
  draft.remark([...path, 'licenseType'], { before: LEAVERS_COMMENT });
  return {
    enable: release.enable,
    schedule: schedule(
      release.frequency,
      `${butler}.frequency`,
      DEFAULT_RELEASE_SCHEDULE,
      [...path, 'schedule'],
      draft,
    ),
    dryRun: release.dryRun ?? true,
    maxReleasesPerRun: 50,
    neverRelease: neverRelease(release),
    licenseType: {
      analyzer: licenseType(release, 'analyzer', path, draft),
      professional: licenseType(release, 'professional', path, draft),
    },
  };
}

function neverRelease(release: ButlerRelease) {
  const rules = release.neverRelease ?? undefined;
  return {
    user: (rules?.user ?? []).map((user) => ({ userDir: user.userDir, userId: user.userId })),
    tag: rules?.tag ?? [],
    customProperty: (rules?.customProperty ?? []).map((property) => ({
      name: property.name,
      value: property.value,
    })),
    userDirectory: rules?.userDirectory ?? [],
    inactive: rules?.inactive ?? 'Ignore',
    blocked: rules?.blocked ?? 'Ignore',
    removedExternally: rules?.removedExternally ?? 'Ignore',
  };
}

function licenseType(
  release: ButlerRelease,
  type: 'analyzer' | 'professional',
  path: KeyPath,
  draft: Draft,
) {
  const rule = release.licenseType?.[type] ?? undefined;
  const where = [...path, 'licenseType', type];
  if (rule === undefined) {
    draft.remark(where, { after: 'not in the Butler file: off' });
    return { enable: false, releaseThresholdDays: DEFAULT_THRESHOLD_DAYS };
  }
  if (rule.releaseThresholdDays === undefined) {
    if (rule.enable)
      draft.problems.push(
        `${LICENSE}.licenseRelease.licenseType.${type}.releaseThresholdDays: is required when enable is true`,
      );
    return { enable: rule.enable, releaseThresholdDays: DEFAULT_THRESHOLD_DAYS };
  }
  return { enable: rule.enable, releaseThresholdDays: rule.releaseThresholdDays };
}
