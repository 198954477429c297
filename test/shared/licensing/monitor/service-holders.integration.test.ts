/**
 * Allocations of service accounts and protected users (docs/monitor.md, "Service accounts and
 * admins") against the QRS simulator over real mutual TLS: who is named, in two filtered reads,
 * and that it stays a warning.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '#shared/config/schema.ts';
import { monitorSite } from '#shared/licensing/monitor/monitor-site.ts';
import { usageWarnings } from '#shared/licensing/monitor/usage-warnings.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import type { Simulator } from '#test/simulator/server.ts';
import { addAllocation, addUser, emptySite, type SimSite } from '#test/simulator/site.ts';
import { clientFor, NOW, startSite } from '#test/support/monitor.ts';
import { memoryLogger } from '#test/support/release.ts';

let pki: TestPki;
let sim: Simulator | undefined;
let client: QrsClient | undefined;
beforeAll(async () => {
  pki = await createTestPki();
});
afterEach(async () => {
  client?.close();
  await sim?.close();
});

function holds(
  site: SimSite,
  userDirectory: string,
  userId: string,
  type: 'professional' | 'analyzer',
) {
  const user = addUser(site, { userId, userDirectory });
  addAllocation(site, { licenseType: type, userRef: user.id });
}

const SITE = configSchema.parse({
  sites: [
    {
      name: 'holders',
      qrs: {
        host: 'localhost',
        user: { directory: 'INTERNAL', id: 'sa_api' },
        certificates: { cert: { file: 'c' }, key: { file: 'k' }, ca: { file: 'a' } },
      },
      licenseRelease: {
        neverRelease: {
          user: [
            { userDir: 'corp', userId: 'QLIK-ADMIN' },
            { userDir: 'CORP', userId: 'auditor' },
          ],
        },
      },
    },
  ],
}).sites[0];

describe('service accounts and admins holding licenses', () => {
  it('names the identity directory’s allocations and protected users with Professional, nobody else', async () => {
    const site = emptySite('holders', NOW);
    holds(site, 'INTERNAL', 'sa_scheduler', 'professional');
    holds(site, 'INTERNAL', 'sa_repository', 'analyzer');
    holds(site, 'CORP', 'qlik-admin', 'professional');
    holds(site, 'CORP', 'auditor', 'analyzer');
    holds(site, 'CORP', 'anna', 'professional');
    sim = await startSite(site, pki);
    client = clientFor(sim);
    if (!SITE) throw new Error('no site');

    const outcome = await monitorSite({
      source: client,
      site: 'holders',
      now: NOW,
      sinks: [],
      logger: memoryLogger(),
      holders: { qrs: client, site: SITE },
    });

    if (!outcome.ok) throw new Error(outcome.error);
    expect(outcome.snapshot.serviceHolders).toEqual(
      expect.arrayContaining([
        {
          licenseType: 'professional',
          userDirectory: 'INTERNAL',
          userId: 'sa_scheduler',
          why: 'identity-directory',
        },
        {
          licenseType: 'professional',
          userDirectory: 'CORP',
          userId: 'qlik-admin',
          why: 'protected-user',
        },
        {
          licenseType: 'analyzer',
          userDirectory: 'INTERNAL',
          userId: 'sa_repository',
          why: 'identity-directory',
        },
      ]),
    );
    expect(outcome.snapshot.serviceHolders).toHaveLength(3);
    const warnings = usageWarnings(outcome.snapshot, SITE.alarms);
    expect(warnings.map((warning) => warning.subject)).toEqual(['professional', 'analyzer']);
    expect(warnings[0]?.message).toMatch(
      /^2 allocation\(s\) held by .*INTERNAL\\sa_scheduler .*CORP\\qlik-admin \(neverRelease.user\)/,
    );
    // Two filtered reads, however large the site; nothing deleted.
    expect(sim.requestCount('GET /qrs/license/professionalaccesstype/full')).toBe(1);
    expect(sim.requestCount('GET /qrs/license/analyzeraccesstype/full')).toBe(1);
    expect(sim.filters.get('GET /qrs/license/analyzeraccesstype/full')).toEqual([
      "user.userDirectory eq 'INTERNAL'",
    ]);
    expect(sim.methodCounters.get('DELETE')).toBeUndefined();
  });

  it('a failed read of them is logged and the snapshot still goes out', async () => {
    const site = emptySite('holders', NOW);
    sim = await startSite(site, pki);
    sim.faults.push({ route: /accesstype\/full/, status: 500 });
    client = clientFor(sim);
    if (!SITE) throw new Error('no site');
    const logger = memoryLogger();

    const outcome = await monitorSite({
      source: client,
      site: 'holders',
      now: NOW,
      sinks: [],
      logger,
      holders: { qrs: client, site: SITE },
    });

    expect(outcome.ok).toBe(true);
    expect(logger.lines.some((line) => /service accounts failed/.test(line.message))).toBe(true);
  });
});
