/**
 * `Butler.influxDb` as `destinations.influxdb` and `destinations.tags`. Butler keeps the InfluxDB
 * password or token in its file as plain text: it is never copied. The new file names an
 * environment variable instead (and shows the SSM form for deployment), and the summary says
 * which variable to set. The points keep Butler's measurements (docs/influxdb.md).
 */
import type { Butler, ButlerInfluxDb, ButlerLicense, ButlerTag } from './butler-schema.ts';
import type { Draft, KeyPath } from './draft.ts';

export const TOKEN_VARIABLE = 'LICENSE_STEWARD_INFLUXDB_TOKEN';
export const PASSWORD_VARIABLE = 'LICENSE_STEWARD_INFLUXDB_PASSWORD';
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);
const JOBS = ['serverLicenseMonitor', 'licenseMonitor', 'licenseRelease'] as const;

export interface Tag {
  name: string;
  value: string;
}

export interface DestinationsValue {
  influxdb?: Record<string, unknown>;
  tags: Tag[];
}

export function mapInfluxDb(butler: Butler, draft: Draft): DestinationsValue | undefined {
  const influx = butler.influxDb ?? undefined;
  if (influx === undefined) return undefined;
  const base = ['destinations', 'influxdb'];
  const license = butler.qlikSenseLicense ?? undefined;
  const jobs = JOBS.filter((job) => {
    const block = license?.[job];
    return block?.enable && block.destination?.influxDb.enable;
  });
  const enable = influx.enable && jobs.length > 0;
  const version = influx.version ?? 1;
  if (![1, 2, 3].includes(version)) {
    draft.problems.push(
      `Butler.influxDb.version: ${version} is not an InfluxDB version (1, 2 or 3)`,
    );
    return undefined;
  }
  draft.remark(base, {
    before: [
      `Butler.influxDb (InfluxDB ${version}), in Butler's measurements so its Grafana dashboards keep working.`,
      enable
        ? `Butler wrote license data here from: ${jobs.join(', ')}.`
        : "Off: Butler wrote no license data to InfluxDB (influxDb.enable or the license jobs' destination.influxDb.enable was false).",
    ].join('\n'),
  });
  const value: Record<string, unknown> = { enable, version };
  const url = influxUrl(influx, [...base, 'url'], draft);
  if (url !== undefined) value.url = url;
  else if (enable) draft.problems.push('Butler.influxDb.hostIP: is required (the InfluxDB server)');
  Object.assign(value, target(influx, version, base, draft));
  const tags = jobTags(license, jobs, influx, draft);
  if (tags.length > 0) {
    value.tags = tags;
    draft.remark([...base, 'tags'], {
      before:
        "Butler's per-job static tags (and instance tag): here on every point this destination writes.",
    });
  }
  draft.carried(`Butler.influxDb (version ${version})`, 'destinations.influxdb');
  const global = influx.tag.map(copyTag);
  if (global.length > 0) {
    draft.carried('Butler.influxDb.tag.static', 'destinations.tags');
    draft.remark(['destinations', 'tags'], {
      before: 'Butler.influxDb.tag.static: added to every stored record (InfluxDB and Timestream).',
    });
  }
  return { influxdb: value, tags: global };
}

function influxUrl(influx: ButlerInfluxDb, path: KeyPath, draft: Draft): string | undefined {
  const host = influx.hostIP;
  if (host === undefined) return undefined;
  const local = LOCAL_HOSTS.has(host.toLowerCase());
  const name = host.includes(':') ? `[${host}]` : host;
  if (!local) {
    draft.remark(path, {
      before:
        `Butler wrote to http://${name}:${influx.hostPort}. license-steward uses HTTPS (plain http to\n` +
        'localhost only), so the InfluxDB server needs TLS (docs/influxdb.md).',
    });
    draft.findings.check.push(
      `destinations.influxdb.url: Butler wrote over plain HTTP; license-steward uses https://${name}:${influx.hostPort}, so the InfluxDB server needs TLS`,
    );
  }
  return `${local ? 'http' : 'https'}://${name}:${influx.hostPort}`;
}

/** Where the points go and how to log in, per version; secrets as environment variables. */
function target(
  influx: ButlerInfluxDb,
  version: number,
  base: KeyPath,
  draft: Draft,
): Record<string, unknown> {
  if (version === 1) {
    // Butler 16 moved the v1 keys into v1Config; earlier versions kept them at this level.
    const v1 = influx.v1Config ?? undefined;
    const prefix = v1 ? 'Butler.influxDb.v1Config' : 'Butler.influxDb';
    const auth = (v1 ? v1.auth : influx.auth) ?? undefined;
    const out: Record<string, unknown> = { database: (v1 ? v1.dbName : influx.dbName) ?? 'butler' };
    const policy = (v1 ? v1.retentionPolicy : influx.retentionPolicy)?.name;
    if (policy !== undefined) {
      out.retentionPolicy = policy;
      draft.remark([...base, 'retentionPolicy'], {
        after: 'the policy Butler created (points are written to it)',
      });
    }
    if (auth?.enable) {
      if (!auth.username)
        draft.problems.push(`${prefix}.auth.username: is required when auth.enable is true`);
      out.username = auth.username ?? '';
      out.password = secret(
        PASSWORD_VARIABLE,
        `${prefix}.auth.password`,
        [...base, 'password'],
        draft,
      );
    }
    return out;
  }
  if (version === 2) {
    const v2 = influx.v2Config ?? undefined;
    for (const key of ['org', 'bucket'] as const)
      if (v2?.[key] === undefined)
        draft.problems.push(`Butler.influxDb.v2Config.${key}: is required for version 2`);
    return {
      org: v2?.org ?? '',
      bucket: v2?.bucket ?? '',
      token: secret(TOKEN_VARIABLE, 'Butler.influxDb.v2Config.token', [...base, 'token'], draft),
    };
  }
  const v3 = influx.v3Config ?? undefined;
  if (v3?.database === undefined)
    draft.problems.push('Butler.influxDb.v3Config.database: is required for version 3');
  const timeout = v3?.writeTimeout;
  return {
    database: v3?.database ?? '',
    token: secret(TOKEN_VARIABLE, 'Butler.influxDb.v3Config.token', [...base, 'token'], draft),
    // Butler's write timeout is in milliseconds; at most 60 s here.
    ...(timeout !== undefined && timeout !== 10_000
      ? { timeoutSeconds: Math.min(60, Math.max(1, Math.ceil(timeout / 1000))) }
      : {}),
  };
}

function secret(variable: string, butlerKey: string, path: KeyPath, draft: Draft) {
  draft.findings.secrets.push({ name: variable, butlerKey });
  const parameter = `/license-steward/influxdb-${path.at(-1) === 'password' ? 'password' : 'token'}`;
  draft.remark(path, {
    before:
      `Not copied from ${butlerKey} (plain text in Butler's file): set ${variable}.\n` +
      `To deploy, store it as an SSM SecureString and use { ssmParameter: ${parameter} }.`,
  });
  return { env: variable };
}

/** Butler's per-job tags (only of the jobs that wrote to InfluxDB) and its old instance tag. */
function jobTags(
  license: ButlerLicense | undefined,
  jobs: readonly (typeof JOBS)[number][],
  influx: ButlerInfluxDb,
  draft: Draft,
): Tag[] {
  const tags = new Map<string, Tag>();
  const add = (tag: Tag, from: string) => {
    const existing = tags.get(tag.name);
    if (existing === undefined) tags.set(tag.name, tag);
    else if (existing.value !== tag.value)
      draft.findings.check.push(
        `${from}: tag ${tag.name} is "${existing.value}" for another job; one value is kept ("${existing.value}") for every point`,
      );
  };
  if (influx.instanceTag !== undefined)
    add({ name: 'butler_instance', value: influx.instanceTag }, 'Butler.influxDb.instanceTag');
  for (const job of jobs)
    for (const tag of license?.[job]?.destination?.influxDb.tag ?? [])
      add(copyTag(tag), `Butler.qlikSenseLicense.${job}.destination.influxDb.tag.static`);
  if (tags.size > 0)
    draft.carried('per-job destination.influxDb.tag.static', 'destinations.influxdb.tags');
  return [...tags.values()];
}

const copyTag = (tag: ButlerTag): Tag => ({ name: tag.name.trim(), value: tag.value });
