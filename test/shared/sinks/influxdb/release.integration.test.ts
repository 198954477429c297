/**
 * Release records in InfluxDB: Butler's `qlik_sense_license_release` for what was freed (with the
 * allocation id Butler left out) and `license_steward_release` for every event, written through
 * the sink to the test InfluxDB (v3 API here), exact lines; and a real release run against the
 * QRS simulator whose records match its result.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReleaseEvent } from '#shared/licensing/release/audit.ts';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import type { ReleaseItem } from '#shared/licensing/release/types.ts';
import type { CompletedReleaseRun } from '#shared/licensing/sinks.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import { influxDbReleaseSink } from '#shared/sinks/influxdb/release.ts';
import { InfluxDbWriter } from '#shared/sinks/influxdb/writer.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import { type InfluxServer, startInfluxServer } from '#test/support/influx-server.ts';
import { memoryLogger, releaseConfig } from '#test/support/release.ts';

const TOKEN = 'release-test-token-abcdefghij';
const AT = new Date('2026-03-01T02:00:05.000Z');
const MS = AT.getTime();

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

function run(events: ReleaseEvent[], dryRun = false): CompletedReleaseRun {
  return {
    runId: 'run-42',
    licenseTypes: ['professional', 'analyzer'],
    events,
    result: {
      site: 'prod',
      dryRun,
      evaluatedAt: AT.toISOString(),
      candidates: [],
      kept: [],
      released: [],
      failed: [],
      deferred: [],
      sinkErrors: [],
    },
  };
}

let server: InfluxServer;
let writer: InfluxDbWriter;
beforeEach(async () => {
  server = await startInfluxServer({ token: TOKEN, database: 'qlik' });
  writer = new InfluxDbWriter({
    target: { url: server.url, version: 3, database: 'qlik' },
    credentials: async () => ({ token: TOKEN }),
  });
});
afterEach(async () => {
  writer.close();
  await server.close();
});

describe('InfluxDB release points', () => {
  it("writes a release as Butler's qlik_sense_license_release plus a license_steward_release event", async () => {
    // Prepare
    const sink = influxDbReleaseSink(writer, { env: 'prod' });
    const analyzer = item({
      accessTypeId: '6f2b1c6e-0a4e-4a57-9a3c-1f1e6f0f0002',
      licenseType: 'analyzer',
      userDirectory: 'CORP',
      userId: 'bo lind',
      inactiveDays: 120,
      lastActivity: '2025-11-01T00:00:00.000Z',
    });

    // Act
    await sink.write(
      run([
        { action: 'released', item: item(), at: AT },
        { action: 'alreadyGone', item: analyzer, at: new Date(MS + 7) },
        {
          action: 'failed',
          item: item({ accessTypeId: 'a-3', userId: 'carl' }),
          at: new Date(MS + 9),
          error: 'QRS DELETE answered HTTP 500 "Internal"',
        },
      ]),
    );

    // Assess
    expect(server.lines).toEqual([
      `qlik_sense_license_release,env=prod,license_type=professional,site=prod,user=CORP\\anna.berg days_since_last_use=89,access_type_id="6f2b1c6e-0a4e-4a57-9a3c-1f1e6f0f0001",already_gone=false,run_id="run-42" ${MS}`,
      `license_steward_release,action=released,env=prod,license_type=professional,site=prod,user=CORP\\anna.berg access_type_id="6f2b1c6e-0a4e-4a57-9a3c-1f1e6f0f0001",user_directory="CORP",user_id="anna.berg",inactive_days=89i,last_activity="2025-12-01T08:30:00.000Z",dry_run=false,run_id="run-42" ${MS}`,
      `qlik_sense_license_release,env=prod,license_type=analyzer,site=prod,user=CORP\\bo\\ lind days_since_last_use=120,access_type_id="6f2b1c6e-0a4e-4a57-9a3c-1f1e6f0f0002",already_gone=true,run_id="run-42" ${MS + 7}`,
      `license_steward_release,action=already_gone,env=prod,license_type=analyzer,site=prod,user=CORP\\bo\\ lind access_type_id="6f2b1c6e-0a4e-4a57-9a3c-1f1e6f0f0002",user_directory="CORP",user_id="bo lind",inactive_days=120i,last_activity="2025-11-01T00:00:00.000Z",dry_run=false,run_id="run-42" ${MS + 7}`,
      `license_steward_release,action=failed,env=prod,license_type=professional,site=prod,user=CORP\\carl access_type_id="a-3",user_directory="CORP",user_id="carl",inactive_days=89i,last_activity="2025-12-01T08:30:00.000Z",dry_run=false,run_id="run-42",error="QRS DELETE answered HTTP 500 \\"Internal\\"" ${MS + 9}`,
    ]);
    expect(server.points[2]?.tags.user).toBe('CORP\\bo lind');
    expect(server.points[0]?.fields.days_since_last_use).toEqual({ type: 'float', value: 89 });
  });

  it("writes nothing to Butler's measurement in a dry run, only would_release events", async () => {
    // Prepare
    const sink = influxDbReleaseSink(writer, {});

    // Act
    await sink.write(
      run(
        [
          { action: 'wouldRelease', item: item(), at: AT },
          { action: 'wouldRelease', item: item({ accessTypeId: 'b-2', userId: 'dan' }), at: AT },
        ],
        true,
      ),
    );

    // Assess
    expect(
      server.points.map((point) => [point.measurement, point.tags.action, point.tags.user]),
    ).toEqual([
      ['license_steward_release', 'would_release', 'CORP\\anna.berg'],
      ['license_steward_release', 'would_release', 'CORP\\dan'],
    ]);
    expect(server.points.every((point) => point.fields.dry_run?.value === true)).toBe(true);
  });

  it("tags a user access pass release with Butler's token_user, as the token usage points are", async () => {
    // Prepare
    const sink = influxDbReleaseSink(writer, {});
    const pass = item({ accessTypeId: 'c-1', licenseType: 'userAccess', userId: 'eva' });

    // Act
    await sink.write(run([{ action: 'released', item: pass, at: AT }]));

    // Assess
    expect(server.points.map((point) => [point.measurement, point.tags.license_type])).toEqual([
      ['qlik_sense_license_release', 'token_user'],
      ['license_steward_release', 'token_user'],
    ]);
  });

  it('writes nothing at all for a run without events', async () => {
    // Act
    await influxDbReleaseSink(writer, {}).write(run([]));

    // Assess
    expect(server.requests).toHaveLength(0);
  });
});

describe('InfluxDB release points from a real run against the QRS simulator', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki();
  });

  it('holds one Butler point per released allocation, with its id, user and inactive days', async () => {
    // Prepare
    const sim = await startSimulator({ site: createSampleSite(new Date()), pki });
    const qrs = new QrsClient({
      host: 'localhost',
      port: sim.port,
      tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca },
    });

    try {
      // Act
      const result = await runSiteRelease({
        site: 'sample',
        release: releaseConfig({ neverRelease: { userDirectory: ['ADMIN', 'INTERNAL'] } }),
        dryRun: false,
        runId: 'run-7',
        qrs,
        logger: memoryLogger(),
        sinks: [influxDbReleaseSink(writer, {})],
      });

      // Assess
      expect(result.sinkErrors).toEqual([]);
      expect(result.released.length).toBeGreaterThan(0);
      const butler = server.points.filter(
        (point) => point.measurement === 'qlik_sense_license_release',
      );
      const byId = (a: { id: unknown }, b: { id: unknown }) =>
        String(a.id).localeCompare(String(b.id));
      expect(
        butler
          .map((point) => ({
            license_type: point.tags.license_type,
            user: point.tags.user,
            site: point.tags.site,
            days: point.fields.days_since_last_use?.value,
            id: point.fields.access_type_id?.value,
          }))
          .sort(byId),
      ).toEqual(
        result.released
          .map((released) => ({
            license_type: released.licenseType,
            user: `${released.userDirectory}\\${released.userId}`,
            site: 'sample',
            days: released.inactiveDays,
            id: released.accessTypeId,
          }))
          .sort(byId),
      );
      const events = server.points.filter(
        (point) => point.measurement === 'license_steward_release',
      );
      expect(events).toHaveLength(result.released.length + result.failed.length);
    } finally {
      qrs.close();
      await sim.close();
    }
  });
});
