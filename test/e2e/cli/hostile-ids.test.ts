/**
 * Ids QRS sends become request paths (`DELETE …/{id}`) and filters: an id that is not a GUID is
 * doubt, kept and reported, never a request (docs/release.md, "The rules"). Through the CLI,
 * against the simulator over mutual TLS.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { addAllocation, addUser, createSampleSite } from '#test/simulator/site.ts';
import { type ConfigFolder, cli, cliSite, configFolder, releaseOf } from '#test/support/harness.ts';
import { DAY_MS } from '#test/support/time.ts';

let pki: TestPki;
let folder: ConfigFolder;
let sim: Simulator;

beforeAll(async () => {
  pki = await createTestPki();
  folder = configFolder(pki);
});
afterAll(() => folder.remove());
afterEach(() => sim.close());

beforeEach(async () => {
  const site = createSampleSite(new Date());
  const longAgo = new Date(Date.now() - 400 * DAY_MS).toISOString();
  const olle = addUser(site, { userId: 'olle', userDirectory: 'LAB', name: 'Olle' });
  for (const id of ['..', '.', '../../user', 'a%2Fb'])
    addAllocation(site, { id, licenseType: 'professional', userRef: olle.id, lastUsed: longAgo });
  // A user whose id is not a GUID: it would go into a user filter or be matched in a bulk read.
  const odd = addUser(site, { id: 'not-a-guid', userId: 'odd', userDirectory: 'LAB', name: 'Odd' });
  addAllocation(site, { licenseType: 'analyzer', userRef: odd.id, lastUsed: longAgo });
  sim = await startSimulator({ site, pki });
});

const DELETES = () => sim.methodCounters.get('DELETE')?.requests ?? 0;

describe('ids that are not GUIDs', () => {
  it('an access type id such as ".." is kept with a reason and never becomes a DELETE', async () => {
    const config = folder.write({
      sites: [
        cliSite({ port: sim.port, licenseRelease: { dryRun: false, maxReleasesPerRun: 100 } }),
      ],
    });

    const run = await cli(['release', '--config', config, '--json']);

    const site = releaseOf(run);
    const released = site.released.map((item) => item.accessTypeId);
    expect(released.length).toBeGreaterThan(0);
    expect(DELETES()).toBe(released.length);
    for (const id of ['..', '.', '../../user', 'a%2Fb']) {
      expect(released).not.toContain(id);
      expect(site.kept).toContainEqual(
        expect.objectContaining({
          accessTypeId: id,
          reason: 'no-user',
          detail: expect.stringContaining('is not a QRS id (GUID)'),
        }),
      );
    }
    expect(site.kept).toContainEqual(
      expect.objectContaining({
        userId: 'odd',
        reason: 'no-user',
        detail: expect.stringContaining('"not-a-guid" is not a QRS id (GUID)'),
      }),
    );
  });

  it('the same with user rules that read the records in bulk (POST /qrs/user/table)', async () => {
    // Enough idle users that 50-id batches would take more requests than the table's one page.
    const longAgo = new Date(Date.now() - 300 * DAY_MS).toISOString();
    for (let index = 0; index < 260; index++) {
      const user = addUser(sim.site, { userId: `bulk${index}`, userDirectory: 'LAB', name: 'B' });
      addAllocation(sim.site, { licenseType: 'analyzer', userRef: user.id, lastUsed: longAgo });
    }
    const config = folder.write({
      sites: [
        cliSite({
          port: sim.port,
          licenseRelease: {
            dryRun: false,
            maxReleasesPerRun: 1000,
            neverRelease: { tag: ['License do not release'] },
          },
        }),
      ],
    });

    const run = await cli(['release', '--config', config, '--json']);

    const site = releaseOf(run);
    expect(sim.requestCount('POST /qrs/user/table')).toBeGreaterThan(0);
    expect(DELETES()).toBe(site.released.length);
    const keptIds = site.kept
      .filter((item) => item.reason === 'no-user')
      .map((item) => item.userId);
    expect(keptIds).toContain('odd');
    expect(site.released.map((item) => item.userId)).not.toContain('odd');
    expect(site.released.map((item) => item.userId)).not.toContain('olle');
  });
});
