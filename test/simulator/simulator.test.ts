import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QrsClient } from '#shared/qrs/client.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { addAllocation, addUser, emptySite, generateSite, NO_DATE } from '#test/simulator/site.ts';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const DAY = 86_400_000;

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
      lastUsed: new Date(NOW.getTime() - 2 * DAY).toISOString(),
    });
    await qrs.deleteAllocation('professional', allocation.id);
    expect(sim.site.allocations.get(allocation.id)).toMatchObject({ quarantined: true });
  });

  it('frees an allocation unused for more than 7 days at once', async () => {
    const user = addUser(sim.site, { userId: 'idle', userDirectory: 'LAB' });
    const allocation = addAllocation(sim.site, {
      licenseType: 'analyzer',
      userRef: user.id,
      lastUsed: new Date(NOW.getTime() - 8 * DAY).toISOString(),
    });
    await qrs.deleteAllocation('analyzer', allocation.id);
    expect(sim.site.allocations.has(allocation.id)).toBe(false);
  });

  it('serves a server-side lastUsed filter', async () => {
    const cutoff = new Date(NOW.getTime() - 30 * DAY).toISOString();
    const { allocations } = await qrs.listAllocations('professional', `lastUsed lt '${cutoff}'`);
    for (const allocation of allocations)
      expect(Date.parse(allocation.lastUsed ?? '')).toBeLessThan(Date.parse(cutoff));
    expect(sim.filters.get('GET /qrs/license/professionalaccesstype/full')).toEqual([
      `lastUsed lt '${cutoff}'`,
    ]);
  });
});
