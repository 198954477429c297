import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QrsClient } from '#shared/qrs/client.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { addAllocation, addUser, emptySite, generateSite, NO_DATE } from '#test/simulator/site.ts';
import { DAY_MS } from '#test/support/time.ts';

const NOW = new Date('2026-11-22T12:00:00.000Z');

describe('generateSite', () => {
  it('is the same for the same seed and differs for another', () => {
    const first = generateSite({ allocations: 200, seed: 7, now: NOW });
    const again = generateSite({ allocations: 200, seed: 7, now: NOW });
    const other = generateSite({ allocations: 200, seed: 8, now: NOW });
    expect([...again.allocations.keys()]).toEqual([...first.allocations.keys()]);
    expect([...other.allocations.keys()]).not.toEqual([...first.allocations.keys()]);
  });

  it('spreads allocations over both types, never-used ones and protected users', () => {
    const site = generateSite({ allocations: 2000, seed: 1, now: NOW });
    const allocations = [...site.allocations.values()];
    const users = [...site.users.values()];
    expect(allocations.filter((a) => a.licenseType === 'professional')).toHaveLength(1000);
    expect(allocations.filter((a) => a.lastUsed === NO_DATE).length).toBeGreaterThan(100);
    expect(allocations.filter((a) => a.quarantined).length).toBeGreaterThan(10);
    expect(users.filter((u) => u.tags.includes('License do not release')).length).toBeGreaterThan(
      20,
    );
    expect(users.filter((u) => u.blacklisted).length).toBeGreaterThan(5);
  });
});

describe('simulator DELETE semantics', () => {
  let sim: Simulator;
  let qrs: QrsClient;
  beforeAll(async () => {
    sim = await startSimulator({ site: emptySite('q', NOW), now: () => NOW });
    qrs = new QrsClient({
      host: 'localhost',
      port: sim.port,
      tls: { ...sim.pki.client, ca: sim.pki.ca },
    });
  });
  afterAll(async () => {
    qrs.close();
    await sim.close();
  });

  it('quarantines an allocation used within 7 days on a serial-number (LEF) site', async () => {
    const user = addUser(sim.site, { userId: 'recent', userDirectory: 'LAB' });
    const allocation = addAllocation(sim.site, {
      licenseType: 'professional',
      userRef: user.id,
      lastUsed: new Date(NOW.getTime() - 2 * DAY_MS).toISOString(),
    });
    await qrs.deleteAllocation('professional', allocation.id);
    expect(sim.site.allocations.get(allocation.id)).toMatchObject({ quarantined: true });
  });

  it('frees an allocation unused for more than 7 days at once', async () => {
    const user = addUser(sim.site, { userId: 'idle', userDirectory: 'LAB' });
    const allocation = addAllocation(sim.site, {
      licenseType: 'analyzer',
      userRef: user.id,
      lastUsed: new Date(NOW.getTime() - 8 * DAY_MS).toISOString(),
    });
    await qrs.deleteAllocation('analyzer', allocation.id);
    expect(sim.site.allocations.has(allocation.id)).toBe(false);
  });

  it('serves a server-side lastUsed filter', async () => {
    const cutoff = new Date(NOW.getTime() - 30 * DAY_MS).toISOString();
    const { allocations } = await qrs.listAllocations('professional', `lastUsed lt '${cutoff}'`);
    for (const allocation of allocations)
      expect(Date.parse(allocation.lastUsed ?? '')).toBeLessThan(Date.parse(cutoff));
    expect(sim.filters.get('GET /qrs/license/professionalaccesstype/full')).toEqual([
      `lastUsed lt '${cutoff}'`,
    ]);
  });
});

describe('simulator fidelity to QRS', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ site: emptySite('f', NOW), now: () => NOW });
  });
  afterAll(async () => {
    await sim.close();
  });

  /** One raw request over mTLS, as any client would send it. */
  function get(pathAndQuery: string, key = 'abcdefghij012345') {
    return new Promise<{ status: number; date: string | undefined; body: string }>(
      (resolve, reject) => {
        const request = https.request(
          {
            host: '127.0.0.1',
            port: sim.port,
            servername: 'localhost',
            path: pathAndQuery,
            ca: sim.pki.ca,
            cert: sim.pki.client.cert,
            key: sim.pki.client.key,
            headers: { 'X-Qlik-Xrfkey': key, 'X-Qlik-User': 'UserDirectory=LAB; UserId=x' },
          },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => {
              body += chunk.toString('utf8');
            });
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, date: response.headers.date, body }),
            );
          },
        );
        request.on('error', reject);
        request.end();
      },
    );
  }

  it('reads paths and query parameter names case-insensitively (Xrfkey=, Filter=)', async () => {
    const answer = await get(
      '/QRS/License/ProfessionalAccessType/Full?Xrfkey=abcdefghij012345&Filter=quarantined%20eq%20true',
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual([]);
    expect(sim.filters.get('GET /qrs/license/professionalaccesstype/full')).toEqual([
      'quarantined eq true',
    ]);
  });

  it('still refuses a request whose xrfkey parameter and header differ', async () => {
    const answer = await get('/qrs/about?XRFKEY=abcdefghij012345', 'ABCDEFGHIJ012345');
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/XSRF prevention check failed/);
  });

  it('sends a Date header from its own clock, offset on request', async () => {
    const before = Date.now();
    const plain = await get('/qrs/about?xrfkey=abcdefghij012345');
    sim.setClockOffset(-10 * 60_000);
    const skewed = await get('/qrs/about?xrfkey=abcdefghij012345');
    sim.setClockOffset(0);

    expect(Math.abs(Date.parse(plain.date ?? '') - before)).toBeLessThan(2_000);
    expect(before - Date.parse(skewed.date ?? '')).toBeGreaterThan(9 * 60_000);
  });

  it('lists an allocation of a deleted user only while it is quarantined', async () => {
    const quarantined = addAllocation(sim.site, {
      licenseType: 'analyzer',
      userRef: null,
      deletedUserId: 'gone',
      deletedUserDirectory: 'LAB',
      lastUsed: new Date(NOW.getTime() - 2 * DAY_MS).toISOString(),
      quarantined: true,
      quarantineEnd: new Date(NOW.getTime() + 5 * DAY_MS).toISOString(),
    });
    const freed = addAllocation(sim.site, {
      licenseType: 'analyzer',
      userRef: null,
      deletedUserId: 'long-gone',
      deletedUserDirectory: 'LAB',
    });

    const answer = await get('/qrs/license/analyzeraccesstype/full?xrfkey=abcdefghij012345');

    const ids = (JSON.parse(answer.body) as Array<{ id: string }>).map((item) => item.id);
    expect(ids).toContain(quarantined.id);
    expect(ids).not.toContain(freed.id);
  });
});
