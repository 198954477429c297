/**
 * Butler's license keys pasted into a license-steward file (docs/butler.md): `frequency` is read
 * as `schedule` with a notice; a key that only Butler has gets an error saying where that
 * setting lives here, instead of a bare "unknown key". Runs on the parsed YAML, before the schema.
 */
import { formatPath } from './issues.ts';

export interface ButlerKeyReport {
  /** The input with `frequency` renamed and the explained keys taken out. */
  data: unknown;
  notices: string[];
  problems: string[];
}

const IMPORT_HINT =
  '`license-steward import-butler --butler-config FILE` converts a whole Butler config file (docs/butler.md)';

/** Butler-only keys inside `licenseMonitor`/`licenseRelease`, with where the setting lives here. */
const JOB_KEYS: Record<string, string> = {
  destination:
    "is Butler's per-job destination: here the results of every site and job go to the top-level `destinations` key (influxdb, timestream, cloudwatch, tags)",
};

/** Butler-only keys directly under a site. */
const SITE_KEYS: Record<string, string> = {
  serverLicenseMonitor:
    "is Butler's server license check: here `licenseMonitor` reads the license too, and the alert threshold (`alert.thresholdDays`) is the site's `alarms.expiryWithinDays`",
  qlikSenseLicense:
    'is the Butler block that holds `licenseMonitor` and `licenseRelease`: put those two directly under the site',
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function adaptButlerKeys(input: unknown): ButlerKeyReport {
  const notices: string[] = [];
  const problems: string[] = [];
  if (!isObject(input)) return { data: input, notices, problems };
  if ('Butler' in input) {
    problems.push(
      `Butler: this is a Butler config file, not a license-steward one: ${IMPORT_HINT}`,
    );
    const { Butler: _butler, ...rest } = input;
    return { data: rest, notices, problems };
  }
  if (!Array.isArray(input.sites)) return { data: input, notices, problems };
  const sites = input.sites.map((site: unknown, index) => {
    if (!isObject(site)) return site;
    const copy = explain(site, ['sites', index], SITE_KEYS, problems);
    for (const job of ['licenseMonitor', 'licenseRelease'] as const) {
      const block = copy[job];
      if (isObject(block)) copy[job] = adaptJob(block, ['sites', index, job], notices, problems);
    }
    return copy;
  });
  return { data: { ...input, sites }, notices, problems };
}

function adaptJob(
  block: Record<string, unknown>,
  path: (string | number)[],
  notices: string[],
  problems: string[],
): Record<string, unknown> {
  const copy = explain(block, path, JOB_KEYS, problems);
  if (!('frequency' in copy)) return copy;
  const { frequency, ...rest } = copy;
  const where = formatPath([...path, 'frequency']);
  if ('schedule' in rest) {
    problems.push(
      `${where}: is Butler's name for \`schedule\`, and \`schedule\` is set too: keep only \`schedule\``,
    );
    return rest;
  }
  notices.push(
    `${where}: Butler's key, read as \`schedule\` (the license-steward name; rename it to silence this notice)`,
  );
  return { ...rest, schedule: frequency };
}

/** Takes the listed keys out of `block`, with one problem each. */
function explain(
  block: Record<string, unknown>,
  path: (string | number)[],
  keys: Record<string, string>,
  problems: string[],
): Record<string, unknown> {
  const copy = { ...block };
  for (const [key, where] of Object.entries(keys)) {
    if (!(key in copy)) continue;
    problems.push(`${formatPath([...path, key])}: ${where}. ${IMPORT_HINT}`);
    delete copy[key];
  }
  return copy;
}
