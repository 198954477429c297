/**
 * InfluxDB 1.x, for real: a monitor snapshot and a release run written through the product's sinks
 * (`sinksFromConfig` from a YAML configuration with `version: 1`) to a real `influxd`
 * (test/support/influxd.ts), read back with InfluxQL: exact values, tags and field types, the retention
 * policy, and the errors for a database or retention policy that does not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseEvent } from '#shared/licensing/release/audit.ts';
import type { ReleaseItem } from '#shared/licensing/release/types.ts';
import type { CompletedReleaseRun } from '#shared/licensing/sinks.ts';
import type { Sinks } from '#shared/sinks/from-config.ts';
import { type Influxd, SKIP_INFLUXD, SKIP_NOTE, startInfluxd } from '#test/support/influxd.ts';
import { influxOnlySinks } from '#test/support/influxdb-sinks.ts';
import { sampleSnapshot } from '#test/support/snapshot.ts';

const DB = 'butler';
const T = Date.parse('2026-03-01T12:00:00.000Z');

let influxd: Influxd;
beforeAll(async () => {
  if (SKIP_INFLUXD) return;
  influxd = await startInfluxd();
  await influxd.query(`CREATE DATABASE "${DB}"`);
  await influxd.query(`CREATE RETENTION POLICY "one_year" ON "${DB}" DURATION 52w REPLICATION 1`);
});
afterAll(async () => {
  await influxd?.close();
});

/** The sinks of a configuration with only InfluxDB 1 on, as the Lambda and CLI build them. */
function sinksFor(influxdb: Record<string, unknown>): Promise<Sinks> {
  return influxOnlySinks({
    influxdb: {
      enable: true,
      version: 1,
      url: influxd.url,
      database: DB,
      tags: [{ name: 'butler_instance', value: 'prod' }],
      ...influxdb,
    },
    tags: [{ name: 'env', value: 'prod' }],
  });
}

/** A row without the columns that are null (fields other points of the measurement have). */
function present(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null));
}

async function rowsOf(q: string): Promise<Array<Record<string, unknown>>> {
  return (await influxd.rows(q, { db: DB })).map(present);
}

function item(overrides: Partial<ReleaseItem> = {}): ReleaseItem {
  return {
    accessTypeId: '6f2b1c6e-0a4e-4a57-9a3c-1f1e6f0f0001',
    licenseType: 'professional',
    userDirectory: 'CORP',
    userId: 'anna.berg',
    lastActivity: '2025-12-01T08:30:00.000Z',
    inactiveDays: 89,
    ...overrides,
  };
}

function releaseRun(events: ReleaseEvent[], site = 'prod'): CompletedReleaseRun {
  return {
    runId: 'run-7',
    licenseTypes: ['professional', 'analyzer'],
    events,
    result: {
      site,
      dryRun: false,
      evaluatedAt: new Date(T).toISOString(),
      candidates: [],
      kept: [],
      released: [],
      failed: [],
      deferred: [],
      sinkErrors: [],
    },
  };
}

describe.skipIf(SKIP_INFLUXD)(
  `InfluxDB 1.x (real influxd): writing and reading back${SKIP_NOTE}`,
  () => {
    it("writes a monitor snapshot in Butler's measurements, read back exactly with InfluxQL", async () => {
      // Prepare
      const sinks = await sinksFor({});

      // Act
      try {
        await sinks.usage[0]?.write(sampleSnapshot());
      } finally {
        sinks.close();
      }

      // Assess
      const tags = { butler_instance: 'prod', env: 'prod', site: 'prod' };
      expect(
        await rowsOf(`SELECT * FROM "qlik_sense_license" WHERE "site" = 'prod' GROUP BY *`),
      ).toEqual([
        {
          ...tags,
          license_type: 'analyzer',
          time: T,
          allocated: 7,
          available: 12,
          excess: 0,
          quarantined: 1,
          total: 20,
          used: 6,
        },
        {
          ...tags,
          license_type: 'analyzer_capacity',
          time: T,
          allocated_minutes: 700,
          unavailable_minutes: 0,
          used_minutes: 212,
        },
        {
          ...tags,
          license_type: 'professional',
          time: T,
          allocated: 5,
          available: 5,
          excess: 0,
          quarantined: 0,
          total: 10,
          used: 4,
        },
      ]);
      expect(
        await rowsOf(`SELECT * FROM "qlik_sense_server_license" WHERE "site" = 'prod' GROUP BY *`),
      ).toEqual([
        {
          ...tags,
          time: T,
          license_expired: false,
          expiry_date: '2026-04-14',
          days_until_expiry: 44.5,
          model: 'lef',
          licensed_professional: 10,
          licensed_analyzer: 20,
        },
      ]);
      // Butler's dashboards expect floats: InfluxDB 1 fixes a field's type at its first write.
      const types = await rowsOf('SHOW FIELD KEYS FROM "qlik_sense_license"');
      expect(new Set(types.map((row) => row.fieldType))).toEqual(new Set(['float']));
    });

    it('writes a release run: Butler’s release point for what was freed, every event in license_steward_release', async () => {
      // Prepare
      const sinks = await sinksFor({});
      const run = releaseRun(
        [
          { action: 'released', item: item(), at: new Date(T) },
          {
            action: 'failed',
            item: item({ accessTypeId: 'a-3', userId: 'bo lind', licenseType: 'analyzer' }),
            at: new Date(T + 9),
            error: 'QRS DELETE answered HTTP 500',
          },
        ],
        'release-site',
      );

      // Act
      try {
        await sinks.release[0]?.write(run);
      } finally {
        sinks.close();
      }

      // Assess
      const tags = { butler_instance: 'prod', env: 'prod', site: 'release-site' };
      expect(
        await rowsOf(
          `SELECT * FROM "qlik_sense_license_release" WHERE "site" = 'release-site' GROUP BY *`,
        ),
      ).toEqual([
        {
          ...tags,
          license_type: 'professional',
          user: 'CORP\\anna.berg',
          time: T,
          days_since_last_use: 89,
          access_type_id: '6f2b1c6e-0a4e-4a57-9a3c-1f1e6f0f0001',
          already_gone: false,
          run_id: 'run-7',
        },
      ]);
      const events = await rowsOf(
        `SELECT * FROM "license_steward_release" WHERE "site" = 'release-site' GROUP BY *`,
      );
      expect(events).toEqual([
        {
          ...tags,
          action: 'failed',
          license_type: 'analyzer',
          user: 'CORP\\bo lind',
          time: T + 9,
          access_type_id: 'a-3',
          user_directory: 'CORP',
          user_id: 'bo lind',
          inactive_days: 89,
          last_activity: '2025-12-01T08:30:00.000Z',
          dry_run: false,
          run_id: 'run-7',
          error: 'QRS DELETE answered HTTP 500',
        },
        {
          ...tags,
          action: 'released',
          license_type: 'professional',
          user: 'CORP\\anna.berg',
          time: T,
          access_type_id: '6f2b1c6e-0a4e-4a57-9a3c-1f1e6f0f0001',
          user_directory: 'CORP',
          user_id: 'anna.berg',
          inactive_days: 89,
          last_activity: '2025-12-01T08:30:00.000Z',
          dry_run: false,
          run_id: 'run-7',
        },
      ]);
      const types = await rowsOf('SHOW FIELD KEYS FROM "license_steward_release"');
      expect(types).toContainEqual({ fieldKey: 'inactive_days', fieldType: 'integer' });
    });

    it('writes into the configured retention policy', async () => {
      // Prepare: a recent time, inside the policy's 52 weeks.
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const sinks = await sinksFor({ retentionPolicy: 'one_year' });

      // Act
      try {
        await sinks.usage[0]?.write(
          sampleSnapshot({ site: 'rp-site', collectedAt: now.toISOString() }),
        );
      } finally {
        sinks.close();
      }

      // Assess
      const inPolicy = await rowsOf(
        `SELECT "total" FROM "${DB}"."one_year"."qlik_sense_license" WHERE "site" = 'rp-site' GROUP BY "license_type"`,
      );
      expect(inPolicy).toEqual([
        { license_type: 'analyzer', time: now.getTime(), total: 20 },
        { license_type: 'professional', time: now.getTime(), total: 10 },
      ]);
      expect(
        await rowsOf(`SELECT "total" FROM "qlik_sense_license" WHERE "site" = 'rp-site'`),
      ).toEqual([]);
    });

    it('names a database or retention policy that does not exist, without retrying', async () => {
      // Prepare
      const noDatabase = await sinksFor({ database: 'nope' });
      const noPolicy = await sinksFor({ retentionPolicy: 'forever' });

      // Act
      const errors = await Promise.all(
        [noDatabase, noPolicy].map((sinks) =>
          (sinks.usage[0]?.write(sampleSnapshot()) ?? Promise.resolve())
            .then(
              () => undefined,
              (error: unknown) => (error as Error).message,
            )
            .finally(() => sinks.close()),
        ),
      );

      // Assess
      const url = influxd.url;
      expect(errors).toEqual([
        `InfluxDB write to ${url} (database nope) failed, lines 1-4: HTTP 404, database "nope" or the write API was not found: check destinations.influxdb (url, version, database, retentionPolicy): database not found: "nope"`,
        `InfluxDB write to ${url} (database butler, retention policy forever) failed, lines 1-4: HTTP 500, the retention policy "forever" does not exist in database "butler": check destinations.influxdb.retentionPolicy: retention policy not found: forever`,
      ]);
    });
  },
);
