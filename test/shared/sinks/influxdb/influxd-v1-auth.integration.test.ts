/**
 * InfluxDB 1.x with authentication on (a real `influxd`, test/support/influxd.ts): the product writes with
 * the configured user and a password from a file or an environment variable (HTTP basic
 * authentication); a wrong password, no credentials and a user without WRITE each fail with what
 * to check, and the password appears in no message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Influxd, SKIP_INFLUXD, SKIP_NOTE, startInfluxd } from '#test/support/influxd.ts';
import { influxOnlySinks } from '#test/support/influxdb-sinks.ts';
import { sampleSnapshot } from '#test/support/snapshot.ts';

const DB = 'qlik';
const ADMIN = { username: 'admin', password: 'admin-Secret-1' };
const WRITER_PASSWORD = 'wr1ter pass:with colon';

let influxd: Influxd;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'license-steward-influx-auth-'));
  if (SKIP_INFLUXD) return;
  influxd = await startInfluxd({ auth: true });
  // With authentication on and no user yet, InfluxDB 1 accepts exactly this: the first admin.
  await influxd.query(
    `CREATE USER "${ADMIN.username}" WITH PASSWORD '${ADMIN.password}' WITH ALL PRIVILEGES`,
  );
  for (const q of [
    `CREATE DATABASE "${DB}"`,
    `CREATE USER "steward" WITH PASSWORD '${WRITER_PASSWORD}'`,
    `GRANT WRITE ON "${DB}" TO "steward"`,
    `CREATE USER "viewer" WITH PASSWORD 'viewer-pass'`,
    `GRANT READ ON "${DB}" TO "viewer"`,
  ])
    await influxd.query(q, { user: ADMIN });
});
afterAll(async () => {
  await influxd?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes the sample snapshot through the sinks of `destinations.influxdb` (version 1). */
async function writeWith(influxdb: Record<string, unknown>, site: string): Promise<void> {
  const sinks = await influxOnlySinks({
    influxdb: { enable: true, version: 1, url: influxd.url, database: DB, ...influxdb },
    site,
    configFile: path.join(dir, 'config.yaml'),
  });
  try {
    await sinks.usage[0]?.write(sampleSnapshot({ site }));
  } finally {
    sinks.close();
  }
}

const totals = (site: string) =>
  influxd.rows(
    `SELECT "total" FROM "qlik_sense_license" WHERE "site" = '${site}' GROUP BY "license_type"`,
    { db: DB, user: ADMIN },
  );

describe.skipIf(SKIP_INFLUXD)(`InfluxDB 1.x with authentication (real influxd)${SKIP_NOTE}`, () => {
  it('writes with the user and a password from a file (relative to the config) or the environment', async () => {
    // Prepare
    writeFileSync(path.join(dir, 'influx-password'), `${WRITER_PASSWORD}\n`, { mode: 0o600 });
    vi.stubEnv('INFLUX_PASSWORD', WRITER_PASSWORD);

    // Act
    await writeWith({ username: 'steward', password: { file: 'influx-password' } }, 'from-file');
    await writeWith({ username: 'steward', password: { env: 'INFLUX_PASSWORD' } }, 'from-env');

    // Assess
    for (const site of ['from-file', 'from-env'])
      expect(await totals(site)).toEqual([
        { license_type: 'analyzer', time: Date.parse('2026-03-01T12:00:00.000Z'), total: 20 },
        { license_type: 'professional', time: Date.parse('2026-03-01T12:00:00.000Z'), total: 10 },
      ]);
  });

  it('fails with what to check for a wrong password, no credentials or a user without WRITE, never showing the password', async () => {
    // Prepare
    vi.stubEnv('WRONG_PASSWORD', 'not-the-Password-42');
    vi.stubEnv('VIEWER_PASSWORD', 'viewer-pass');
    const failure = (influxdb: Record<string, unknown>) =>
      writeWith(influxdb, 'refused').then(
        () => 'written',
        (error: unknown) => (error as Error).message,
      );

    // Act
    const wrong = await failure({ username: 'steward', password: { env: 'WRONG_PASSWORD' } });
    const none = await failure({});
    const viewer = await failure({ username: 'viewer', password: { env: 'VIEWER_PASSWORD' } });

    // Assess
    const where = `InfluxDB write to ${influxd.url} (database ${DB}) failed, lines 1-4`;
    expect(wrong).toBe(
      `${where}: HTTP 401, the server wants a user name and password, or did not accept them: check destinations.influxdb.username and password: authorization failed`,
    );
    expect(none).toBe(
      `${where}: HTTP 401, the server wants a user name and password, or did not accept them: check destinations.influxdb.username and password: unable to parse authentication credentials`,
    );
    expect(viewer).toBe(
      `${where}: HTTP 403, the user may not write to database "${DB}" (GRANT WRITE ON the database TO the user): "viewer" user is not authorized to write to database "${DB}"`,
    );
    for (const message of [wrong, viewer]) {
      expect(message).not.toContain('not-the-Password-42');
      expect(message).not.toContain('viewer-pass');
    }
    expect(await totals('refused')).toEqual([]);
  });
});
