/**
 * `import-butler`: a Butler config file in, a commented license-steward configuration out that
 * does the same license job (docs/butler.md). The result is validated with the normal loader
 * before anyone sees it; a Butler setting that cannot be mapped is a ConfigError naming it.
 */
import path from 'node:path';
import { ConfigError } from '#shared/config/errors.ts';
import { parseConfig } from '#shared/config/load.ts';
import { configSchema } from '#shared/config/schema.ts';
import { Draft, type Findings } from './draft.ts';
import { type DestinationsValue, mapInfluxDb, type Tag } from './map-influxdb.ts';
import { mapAlarms, mapMonitor, mapRelease } from './map-rules.ts';
import { mapQrs, siteNameFor } from './map-site.ts';
import { noteNoCounterpart } from './no-counterpart.ts';
import { readButlerConfig } from './read.ts';
import { renderYaml } from './render-yaml.ts';

export interface ImportOptions {
  butlerFile: string;
  /** The site's name (default: from the QRS host name). */
  siteName?: string;
  /** Where the YAML will be written: relative paths in it are checked against its folder. */
  outFile?: string;
}

export interface ImportResult {
  yaml: string;
  findings: Findings;
}

export function importButler(options: ImportOptions): ImportResult {
  const butler = readButlerConfig(options.butlerFile);
  const draft = new Draft();
  const base = ['sites', 0] as const;
  const name = siteNameFor(butler.configQRS.host, options.siteName);
  const license = butler.qlikSenseLicense ?? undefined;
  const site: Record<string, unknown> = {
    name,
    timezone: 'UTC',
    qrs: mapQrs(butler, base, draft),
    licenseMonitor: mapMonitor(license, base, draft),
  };
  draft.remark([...base, 'timezone'], {
    after: "Butler's schedules ran in UTC: the cron schedules below are UTC too",
  });
  const release = mapRelease(license, base, draft);
  if (release) site.licenseRelease = release;
  const alarms = mapAlarms(license, base, draft);
  if (alarms) site.alarms = alarms;
  const destinations = mapInfluxDb(butler, draft);
  noteNoCounterpart(butler, draft);
  if (draft.problems.length > 0) throw new ConfigError(options.butlerFile, draft.problems);

  const config: { sites: unknown[]; destinations?: unknown } = { sites: [site] };
  // Butler ran off AWS: only what it did (InfluxDB), so `monitor --write` works without AWS.
  config.destinations = {
    timestream: { enable: false },
    cloudwatch: { enable: false },
    ...(destinations ? settleTags(config.sites, destinations, draft) : {}),
  };
  draft.remark(['destinations', 'timestream'], {
    before:
      'Off AWS by default, as Butler was: turn Timestream and CloudWatch on when you deploy to AWS (docs/deploy.md)',
  });
  const header = [
    `license-steward configuration made by \`license-steward import-butler\` from ${path.basename(options.butlerFile)}:`,
    'the license jobs of that Butler (usage and expiry monitoring, license release, InfluxDB).',
    'Reference: README "Configure"; what differs from Butler: docs/butler.md.',
  ].join('\n');
  const yaml = renderYaml(config, draft.remarks, header);
  try {
    parseConfig(yaml, options.outFile ?? path.resolve('license-steward.yaml'));
  } catch (error) {
    // A Butler value this configuration refuses: say it comes from the Butler file.
    if (error instanceof ConfigError)
      throw new ConfigError(`${options.butlerFile} (as converted)`, error.problems);
    throw error;
  }
  return { yaml, findings: draft.findings };
}

type TagList = 'tags' | 'influxdb';

/**
 * Butler accepts any tag name; the schema here does not (a Timestream dimension name, names the
 * InfluxDB destination writes itself). A static tag the schema refuses moves to the InfluxDB-only
 * list if it fits there, otherwise it is dropped; the summary says which.
 */
function settleTags(sites: unknown[], destinations: DestinationsValue, draft: Draft) {
  const out = {
    ...(destinations.influxdb ? { influxdb: { ...destinations.influxdb } } : {}),
    tags: [...destinations.tags],
  };
  const influxTags = (): Tag[] => (out.influxdb?.tags as Tag[] | undefined) ?? [];
  const notes = new Map<Tag, string>();
  for (let round = 0; round < 100; round++) {
    const result = configSchema.safeParse({ sites, destinations: out });
    const issue = result.success ? undefined : result.error.issues.find((i) => tagIssue(i.path));
    if (!issue) break;
    const list = tagIssue(issue.path) as TagList;
    const index = issue.path[list === 'tags' ? 2 : 3] as number;
    const tags = list === 'tags' ? out.tags : influxTags();
    const [tag] = tags.splice(index, 1);
    if (!tag) break;
    const problem = issue.message.replace(/: rename it$/, '');
    if (list === 'tags' && out.influxdb && !influxTags().some((t) => t.name === tag.name)) {
      out.influxdb.tags = [...influxTags(), tag];
      notes.set(
        tag,
        `tag ${tag.name}: ${problem} (destinations.tags), so it is in destinations.influxdb.tags (InfluxDB only)`,
      );
    } else {
      if (out.influxdb && influxTags().length === 0) delete out.influxdb.tags;
      notes.set(tag, `tag ${tag.name}: ${problem}; not carried over`);
    }
  }
  draft.findings.check.push(...notes.values());
  if (out.tags.length > 0) return out;
  const { tags: _none, ...rest } = out;
  return rest;
}

/** `destinations.tags[i]…` → 'tags', `destinations.influxdb.tags[i]…` → 'influxdb'. */
function tagIssue(issuePath: readonly PropertyKey[]): TagList | undefined {
  if (issuePath[0] !== 'destinations') return undefined;
  if (issuePath[1] === 'tags' && typeof issuePath[2] === 'number') return 'tags';
  if (issuePath[1] === 'influxdb' && issuePath[2] === 'tags' && typeof issuePath[3] === 'number')
    return 'influxdb';
  return undefined;
}
