/**
 * The simulator driven by someone else's QRS client: qrs-interact (EA Power Tools, npm), so the
 * simulator is checked against another idea of QRS than license-steward's own client. qrs-interact
 * sends `X-Qlik-User: UserDirectory=Internal;UserId=sa_api` (no space), one xrfkey per instance,
 * encodeURI'd filters, and does not verify the server (its choice; test code only).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';

interface QrsInteractResult {
  statusCode: number;
  body: unknown;
}
interface QrsInteract {
  Get(path: string): Promise<QrsInteractResult>;
  Delete(path: string): Promise<QrsInteractResult>;
}
type QrsInteractFactory = new (config: {
  hostname: string;
  portNumber: number;
  certificates: { certFile: string; keyFile: string };
}) => QrsInteract;

const QrsInteractClient = createRequire(import.meta.url)('qrs-interact') as QrsInteractFactory;

let sim: Simulator;
let dir: string;
let qrs: QrsInteract;

beforeAll(async () => {
  sim = await startSimulator({ site: createSampleSite() });
  dir = await mkdtemp(path.join(tmpdir(), 'license-steward-qrs-interact-'));
  await writeFile(path.join(dir, 'client.pem'), sim.pki.client.cert);
  await writeFile(path.join(dir, 'client_key.pem'), sim.pki.client.key);
  qrs = new QrsInteractClient({
    hostname: 'localhost',
    portNumber: sim.port,
    certificates: {
      certFile: path.join(dir, 'client.pem'),
      keyFile: path.join(dir, 'client_key.pem'),
    },
  });
});

afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the simulator under qrs-interact', () => {
  it('answers about, the license and the access type overview', async () => {
    const about = await qrs.Get('about');
    const license = await qrs.Get('license');
    const overview = await qrs.Get('license/accesstypeoverview');

    expect(about.body).toMatchObject({ buildVersion: expect.any(String) });
    expect(license.body).toMatchObject({ serial: '9999000000001277' });
    expect(overview.body).toMatchObject({ professionalAccess: { total: 10 } });
    expect(sim.identities.at(-1)).toEqual({ directory: 'Internal', id: 'sa_api' });
  });

  it('serves a filtered allocation list and the user count', async () => {
    const list = await qrs.Get('license/analyzeraccesstype/full?filter=quarantined eq true');
    const count = await qrs.Get('user/count');

    const items = list.body as Array<{ quarantined: boolean; deletedUserId: string }>;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((item) => item.quarantined)).toBe(true);
    expect(items.map((item) => item.deletedUserId)).toContain('olle');
    expect(count.body).toEqual({ value: sim.site.users.size });
  });

  it('deletes an allocation with the status QRS gives (204)', async () => {
    const [id] = [...sim.site.allocations.values()]
      .filter((allocation) => allocation.licenseType === 'professional')
      .map((allocation) => allocation.id);

    const result = await qrs.Delete(`license/professionalaccesstype/${id}`);

    expect(result.statusCode).toBe(204);
    expect(sim.requestCount('DELETE /qrs/license/professionalaccesstype/{id}')).toBe(1);
  });
});
