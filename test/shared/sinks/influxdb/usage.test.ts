/**
 * A monitor snapshot in Butler's measurements, written through the sink to the test InfluxDB
 * (test/support/influx-server.ts), which parses every line strictly: the exact lines, the types Butler's dashboards
 * expect (every number a float), and nothing made up for what the server did not report.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccessTypeUsage, LicenseSnapshot } from '#shared/licensing/monitor/snapshot.ts';
import { influxDbUsageSink, usagePoints } from '#shared/sinks/influxdb/usage.ts';
import { InfluxDbWriter } from '#shared/sinks/influxdb/writer.ts';
import { type InfluxServer, startInfluxServer } from '#test/support/influx-server.ts';
import { sampleSnapshot as sharedSnapshot } from '#test/support/snapshot.ts';

const TOKEN = 'usage-test-token-0123456789';
const T = 1772366400000; // 2026-03-01T12:00:00Z

/** The QRS simulator's sample site at 2026-03-01 12:00Z (as test/shared/licensing/monitor collects it). */
function sampleSnapshot(): LicenseSnapshot {
  const base = sharedSnapshot();
  return sharedSnapshot({
    professional: { ...(base.professional as AccessTypeUsage), used: 5 },
    analyzer: { ...(base.analyzer as AccessTypeUsage), allocated: 8, available: 11 },
    license: {
      ...(base.license as NonNullable<LicenseSnapshot['license']>),
      expiresAt: '2026-04-16T00:00:00.000Z',
      daysUntilExpiry: 45.5,
    },
  });
}

/** A token site: Professional and Analyzer off, QRS's userAccess and loginAccess blocks. */
function tokenSnapshot(): LicenseSnapshot {
  const sample = sampleSnapshot();
  return {
    ...sample,
    professional: { ...(sample.professional as AccessTypeUsage), enabled: false },
    analyzer: { ...(sample.analyzer as AccessTypeUsage), enabled: false },
    analyzerCapacity: null,
    tokens: {
      enabled: true,
      total: 100,
      available: 35,
      userAccess: { tokenCost: 1, allocatedTokens: 60, usedTokens: 52, quarantinedTokens: 3 },
      loginAccess: { tokenCost: 0.1, allocatedTokens: 5, usedTokens: 2.3, unavailableTokens: 0.4 },
    },
    license: {
      model: 'lef',
      expiresAt: null,
      daysUntilExpiry: null,
      licensed: { professional: null, analyzer: null, tokens: 100 },
      problem: null,
    },
  };
}

const TAGS = { env: 'prod', butler_instance: 'Butler 1', team: 'BI,Ops=1' };
const TAG_TEXT = 'butler_instance=Butler\\ 1,env=prod';

let server: InfluxServer;
let writer: InfluxDbWriter;
beforeEach(async () => {
  server = await startInfluxServer({ token: TOKEN, org: 'qlik', bucket: 'butler' });
  writer = new InfluxDbWriter({
    target: { url: server.url, version: 2, org: 'qlik', bucket: 'butler' },
    credentials: async () => ({ token: TOKEN }),
  });
});
afterEach(async () => {
  writer.close();
  await server.close();
});

describe('InfluxDB usage points (Butler measurements)', () => {
  it('writes qlik_sense_license per license type and qlik_sense_server_license, exactly', async () => {
    // Prepare
    const sink = influxDbUsageSink(writer, TAGS);

    // Act
    await sink.write(sampleSnapshot());

    // Assess
    expect(server.lines).toEqual([
      `qlik_sense_license,${TAG_TEXT},license_type=analyzer,site=prod,team=BI\\,Ops\\=1 allocated=8,available=11,excess=0,quarantined=1,total=20,used=6 ${T}`,
      `qlik_sense_license,${TAG_TEXT},license_type=analyzer_capacity,site=prod,team=BI\\,Ops\\=1 allocated_minutes=700,unavailable_minutes=0,used_minutes=212 ${T}`,
      `qlik_sense_license,${TAG_TEXT},license_type=professional,site=prod,team=BI\\,Ops\\=1 allocated=5,available=5,excess=0,quarantined=0,total=10,used=5 ${T}`,
      `qlik_sense_server_license,${TAG_TEXT},site=prod,team=BI\\,Ops\\=1 license_expired=false,expiry_date="2026-04-15",days_until_expiry=45.5,model="lef",licensed_professional=10,licensed_analyzer=20 ${T}`,
    ]);
    expect(server.points[0]?.tags).toEqual({
      butler_instance: 'Butler 1',
      env: 'prod',
      license_type: 'analyzer',
      site: 'prod',
      team: 'BI,Ops=1',
    });
  });

  it('writes every number as a float, as Butler does (no field type conflict with its history)', async () => {
    // Prepare
    const sink = influxDbUsageSink(writer, {});

    // Act: twice, the second time with other values.
    await sink.write(sampleSnapshot());
    const later = sampleSnapshot();
    later.collectedAt = '2026-03-01T12:15:00.000Z';
    (later.professional as { allocated: number }).allocated = 6;
    await sink.write(later);

    // Assess
    const types = new Set(
      server.points.flatMap((point) =>
        Object.entries(point.fields)
          .filter(([name]) => !['expiry_date', 'model', 'license_expired'].includes(name))
          .map(([, value]) => value.type),
      ),
    );
    expect(types).toEqual(new Set(['float']));
    expect(server.requests.map((request) => request.status)).toEqual([204, 204]);
  });

  it("writes a token site's token_login, token_user and tokens_available points, exactly", async () => {
    // Prepare
    const sink = influxDbUsageSink(writer, { env: 'prod' });

    // Act
    await sink.write(tokenSnapshot());

    // Assess: Butler's fields in Butler's order; token_user's used_tokens is QRS's usedTokens.
    expect(server.lines).toEqual([
      `qlik_sense_license,env=prod,license_type=token_login,site=prod allocated_tokens=5,token_cost=0.1,unavailable_tokens=0.4,used_tokens=2.3 ${T}`,
      `qlik_sense_license,env=prod,license_type=token_user,site=prod allocated_tokens=60,quarantined_tokens=3,token_cost=1,used_tokens=52 ${T}`,
      `qlik_sense_license,env=prod,license_type=tokens_available,site=prod available_tokens=35,total_tokens=100 ${T}`,
      `qlik_sense_server_license,env=prod,site=prod license_expired=false,model="lef",licensed_tokens=100 ${T}`,
    ]);
    const types = new Set(
      server.points
        .filter((point) => point.measurement === 'qlik_sense_license')
        .flatMap((point) => Object.values(point.fields).map((value) => value.type)),
    );
    expect(types).toEqual(new Set(['float']));
  });

  it('writes no token_login or token_user point for a block QRS did not send, and no made-up field', () => {
    // Prepare
    const snapshot = tokenSnapshot();
    const tokens = snapshot.tokens as NonNullable<LicenseSnapshot['tokens']>;
    tokens.loginAccess = null;
    tokens.userAccess = {
      tokenCost: 1,
      allocatedTokens: 60,
      usedTokens: null,
      quarantinedTokens: null,
    };

    // Act
    const points = usagePoints(snapshot).map((point) => ({
      type: point.tags.license_type,
      fields: point.fields.map(([name]) => name),
    }));

    // Assess
    expect(points).toEqual([
      { type: 'token_user', fields: ['allocated_tokens', 'token_cost'] },
      { type: 'tokens_available', fields: ['available_tokens', 'total_tokens'] },
      { type: undefined, fields: ['license_expired', 'model', 'licensed_tokens'] },
    ]);
  });

  it('leaves out what the server did not report, and types that are off', () => {
    // Prepare
    const snapshot: LicenseSnapshot = {
      ...sampleSnapshot(),
      professional: {
        enabled: true,
        total: 10,
        allocated: null,
        used: null,
        quarantined: null,
        excess: null,
        available: 5,
      },
      analyzer: null,
      analyzerCapacity: null,
      tokens: null,
      license: null,
    };

    // Act
    const points = usagePoints(snapshot);

    // Assess
    expect(points).toHaveLength(1);
    expect(points[0]?.fields.map(([name]) => name)).toEqual(['available', 'total']);
  });

  it('marks an expired license: license_expired=true, days_until_expiry negative', () => {
    // Prepare
    const snapshot = sampleSnapshot();
    snapshot.license = {
      model: 'signedKey',
      expiresAt: '2026-02-01T00:00:00.000Z',
      daysUntilExpiry: -28.5,
      licensed: null,
      problem: null,
    };

    // Act
    const server = usagePoints(snapshot).find(
      (point) => point.measurement === 'qlik_sense_server_license',
    );

    // Assess
    expect(
      Object.fromEntries(server?.fields.map(([name, value]) => [name, value.value]) ?? []),
    ).toEqual({
      license_expired: true,
      expiry_date: '2026-01-31',
      days_until_expiry: -28.5,
      model: 'signedKey',
    });
  });
});
