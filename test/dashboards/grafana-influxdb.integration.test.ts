/**
 * The Grafana dashboard for InfluxDB users (dashboards/grafana-influxdb.json): it imports with the
 * data source as an input (`${DS_INFLUXDB}`), and every query in it (each panel's and the site
 * variable's), with Grafana's macros filled in as Grafana fills them, runs on a real `influxd`
 * (test/support/influxd.ts) after the product wrote sample data (a Professional/Analyzer site, a token site,
 * a release run and a dry run through the real sinks), and returns data.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTypeUsage } from '#shared/licensing/monitor/snapshot.ts';
import type { ReleaseEvent } from '#shared/licensing/release/audit.ts';
import type { ReleaseItem } from '#shared/licensing/release/types.ts';
import type { CompletedReleaseRun } from '#shared/licensing/sinks.ts';
import { type Influxd, SKIP_INFLUXD, SKIP_NOTE, startInfluxd } from '#test/support/influxd.ts';
import { influxOnlySinks } from '#test/support/influxdb-sinks.ts';
import { sampleSnapshot } from '#test/support/snapshot.ts';
import { DAY_MS } from '#test/support/time.ts';

const DASHBOARD_FILE = new URL('../../dashboards/grafana-influxdb.json', import.meta.url);
const DB = 'butler';

interface Target {
  refId: string;
  query: string;
  rawQuery?: boolean;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  __inputs: Array<{ name: string; type: string; pluginId: string }>;
  panels: Panel[];
  templating: { list: Array<{ name: string; query: string; datasource: { uid: string } }> };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const queries = panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel: panel.title, ...target })),
);

/**
 * What Grafana's InfluxDB data source puts in place of its macros and the dashboard's variable:
 * a time range, a group-by interval, and `$site` as a regex alternation of every site (All).
 */
function expand(query: string, sites: readonly string[]): string {
  const expanded = query
    .replaceAll('$timeFilter', 'time > now() - 7d')
    .replaceAll('$__interval', '1h')
    .replaceAll('$site', `(${sites.join('|')})`);
  expect(expanded, `a macro left in ${query}`).not.toMatch(/\$[{\w]/);
  return expanded;
}

const HOUR = 3_600_000;
const at = (hoursAgo: number) => new Date(Math.floor(Date.now() / 1000) * 1000 - hoursAgo * HOUR);

function item(overrides: Partial<ReleaseItem>): ReleaseItem {
  return {
    accessTypeId: 'a-1',
    licenseType: 'professional',
    userDirectory: 'CORP',
    userId: 'anna.berg',
    lastActivity: '2025-12-01T08:30:00.000Z',
    inactiveDays: 89,
    ...overrides,
  };
}

function releaseRun(events: ReleaseEvent[], dryRun: boolean): CompletedReleaseRun {
  return {
    runId: dryRun ? 'dry-run' : 'real-run',
    licenseTypes: ['professional', 'analyzer'],
    events,
    result: {
      site: 'prod',
      dryRun,
      evaluatedAt: at(3).toISOString(),
      candidates: [],
      kept: [],
      released: [],
      failed: [],
      deferred: [],
      sinkErrors: [],
    },
  };
}

/** Sample data, written by the product's sinks (InfluxDB 1, as configured by an administrator). */
async function writeSampleData(influxd: Influxd): Promise<void> {
  const sinks = await influxOnlySinks({
    influxdb: { enable: true, version: 1, url: influxd.url, database: DB },
  });
  const [usage] = sinks.usage;
  const [release] = sinks.release;
  if (!usage || !release) throw new Error('the InfluxDB sinks were not built');
  const soon = new Date(Date.now() + 20 * DAY_MS).toISOString();
  try {
    for (const hoursAgo of [2, 1]) {
      const base = sampleSnapshot();
      await usage.write(
        sampleSnapshot({
          collectedAt: at(hoursAgo).toISOString(),
          analyzer: { ...(base.analyzer as AccessTypeUsage), allocated: 7 + hoursAgo },
          license: {
            model: 'lef',
            expiresAt: soon,
            daysUntilExpiry: 20,
            licensed: null,
            problem: null,
          },
        }),
      );
      await usage.write(
        sampleSnapshot({
          site: 'tokens',
          collectedAt: at(hoursAgo).toISOString(),
          professional: { ...(base.professional as AccessTypeUsage), enabled: false },
          analyzer: { ...(base.analyzer as AccessTypeUsage), enabled: false },
          analyzerCapacity: null,
          tokens: {
            enabled: true,
            total: 100,
            available: 35,
            userAccess: { tokenCost: 1, allocatedTokens: 60, usedTokens: 52, quarantinedTokens: 3 },
            loginAccess: {
              tokenCost: 0.1,
              allocatedTokens: 5,
              usedTokens: 2.3,
              unavailableTokens: 0.4,
            },
          },
          license: {
            model: 'signedKey',
            expiresAt: null,
            daysUntilExpiry: null,
            licensed: null,
            problem: null,
          },
        }),
      );
    }
    await release.write(
      releaseRun(
        [
          { action: 'released', item: item({}), at: at(3) },
          {
            action: 'alreadyGone',
            item: item({ accessTypeId: 'a-2', userId: 'bo', licenseType: 'analyzer' }),
            at: at(3),
          },
          {
            action: 'failed',
            item: item({ accessTypeId: 'a-3', userId: 'carl' }),
            at: at(3),
            error: 'QRS DELETE answered HTTP 500',
          },
        ],
        false,
      ),
    );
    await release.write(
      releaseRun(
        [{ action: 'wouldRelease', item: item({ accessTypeId: 'a-4' }), at: at(4) }],
        true,
      ),
    );
  } finally {
    sinks.close();
  }
}

describe('Grafana dashboard for InfluxDB: import', () => {
  it('takes the data source as an input and uses it in every panel, query and variable', () => {
    for (const { query } of queries) expect(query).not.toMatch(/fill\((0|null|previous|linear)\)/);
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: 'DS_INFLUXDB', type: 'datasource', pluginId: 'influxdb' }),
    ]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's placeholder, filled at import
    const source = { type: 'influxdb', uid: '${DS_INFLUXDB}' };
    for (const panel of panels.filter((candidate) => candidate.type !== 'row'))
      expect(panel.datasource, panel.title).toEqual(source);
    for (const target of queries) {
      expect(target.datasource, target.panel).toEqual(source);
      expect(target.rawQuery, target.panel).toBe(true);
    }
    expect(dashboard.templating.list.map((variable) => variable.datasource)).toEqual([source]);
    expect(queries.length).toBeGreaterThanOrEqual(10);
  });
});

describe.skipIf(SKIP_INFLUXD)(
  `Grafana dashboard for InfluxDB: every query on a real influxd${SKIP_NOTE}`,
  () => {
    let influxd: Influxd;
    beforeAll(async () => {
      influxd = await startInfluxd();
      await influxd.query(`CREATE DATABASE "${DB}"`);
      await writeSampleData(influxd);
    });
    afterAll(async () => {
      await influxd?.close();
    });

    it('lists the sites for the $site variable', async () => {
      const [variable] = dashboard.templating.list;
      const rows = await influxd.rows(variable?.query ?? '', { db: DB });
      expect(rows.map((row) => row.value)).toEqual(['prod', 'tokens']);
    });

    it.each(queries.map((query) => [`${query.panel} (${query.refId})`, query.query]))(
      'returns data: %s',
      async (_name, query) => {
        // Act
        const series = await influxd.query(expand(query, ['prod', 'tokens']), { db: DB });

        // Assess: rows, and every column the query selects holds a value in some row (the
        // queries use fill(none): a value is data, never made up).
        expect(series.length).toBeGreaterThan(0);
        const columns = new Set(series.flatMap((one) => one.columns.filter((c) => c !== 'time')));
        for (const column of columns) {
          const values = series.flatMap((one) => {
            const index = one.columns.indexOf(column);
            return index < 0 ? [] : one.values.map((row) => row[index]);
          });
          expect(
            values.some((value) => value !== null),
            `${column} holds only null`,
          ).toBe(true);
        }
      },
    );
  },
);
