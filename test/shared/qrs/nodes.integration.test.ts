/**
 * Several QRS nodes (docs/monitor.md and docs/release.md, "Several QRS nodes"): two simulator
 * nodes over one site state, over real mutual TLS. Reads use the first node that answers; a
 * release's DELETEs all go to the node it planned on, and stop when that node dies mid-run.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '#shared/config/schema.ts';
import { doctorSite } from '#shared/doctor/doctor-site.ts';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import { createQrsClient } from '#shared/licensing/site-qrs-client.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { startSimulatorNodes } from '#test/simulator/nodes.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { addAllocation, addUser, emptySite, type SimSite } from '#test/simulator/site.ts';
import { memoryLogger, releaseConfig } from '#test/support/release.ts';

const DAY_MS = 86_400_000;
const NOW = new Date();
const DELETES = 'DELETE /qrs/license/professionalaccesstype/{id}';
const LIST = 'GET /qrs/license/professionalaccesstype/full';

let pki: TestPki;
const cleanup: Array<() => Promise<void> | void> = [];
beforeAll(async () => {
  pki = await createTestPki();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Four inactive Professional allocations. */
function site(): SimSite {
  const state = emptySite('nodes', NOW);
  for (const days of [400, 300, 200, 100]) {
    const user = addUser(state, { userId: `user-${days}`, userDirectory: 'CORP' });
    addAllocation(state, {
      licenseType: 'professional',
      userRef: user.id,
      lastUsed: new Date(NOW.getTime() - days * DAY_MS).toISOString(),
    });
  }
  return state;
}

/** Two nodes over the same state, as the central node and a rim node of one site. */
async function twoNodes(state: SimSite): Promise<[Simulator, Simulator]> {
  const [first, second] = (await startSimulatorNodes(2, { site: state, pki })) as [
    Simulator,
    Simulator,
  ];
  cleanup.push(
    () => first.close(),
    () => second.close(),
  );
  return [first, second];
}

/** A free port where nothing listens: a node that is down. */
async function downNodePort(): Promise<number> {
  const sim = await startSimulator({ site: emptySite('gone', NOW), pki });
  const { port } = sim;
  await sim.close();
  return port;
}

function siteConfig(ports: number[]) {
  const [config] = configSchema.parse({
    sites: [
      {
        name: 'nodes',
        qrs: {
          hosts: ports.map((port) => ({ host: 'localhost', port })),
          maxRetries: 0,
          timeoutSeconds: 5,
          certificates: {
            cert: { file: 'client.pem' },
            key: { file: 'client_key.pem' },
            ca: { file: 'root.pem' },
          },
        },
      },
    ],
  }).sites;
  if (!config) throw new Error('no site');
  return config;
}

function clientFor(ports: number[], logger = memoryLogger()): QrsClient {
  const client = createQrsClient(
    siteConfig(ports),
    { cert: pki.client.cert, key: pki.client.key, ca: pki.ca },
    logger,
  );
  cleanup.push(() => client.close());
  return client;
}

function release(qrs: QrsClient, logger = memoryLogger(), block: Record<string, unknown> = {}) {
  return runSiteRelease({
    site: 'nodes',
    release: releaseConfig({
      deleteConcurrency: 1,
      licenseType: { professional: { releaseThresholdDays: 30 }, analyzer: { enable: false } },
      ...block,
    }),
    dryRun: false,
    runId: 'run-nodes',
    qrs,
    logger,
    now: () => NOW,
  });
}

const nodeWarnings = (logger: ReturnType<typeof memoryLogger>) =>
  logger.lines.filter((line) => line.message.startsWith('A QRS node did not answer'));

describe('several QRS nodes', () => {
  it('first node down, second answers: the run reads and releases there, the failure logged once', async () => {
    const down = await downNodePort();
    const [, second] = await twoNodes(site());
    const logger = memoryLogger();
    const qrs = clientFor([down, second.port], logger);

    const result = await release(qrs, logger, {
      neverRelease: { tag: ['keep'] },
      allowUnmatchedRules: true,
    });

    expect(result.error).toBeUndefined();
    expect(result.released).toHaveLength(4);
    expect(second.requestCount(DELETES)).toBe(4);
    // The users for the plan, and once more before the DELETEs: both from the second node.
    expect(second.requestCount('GET /qrs/user/full')).toBe(2);
    // Every read failed over (lists, rule checks, users), one warning for the run.
    expect(nodeWarnings(logger)).toHaveLength(1);
    expect(nodeWarnings(logger)[0]?.extra).toMatchObject({
      node: `https://localhost:${down}/qrs`,
      next: `https://localhost:${second.port}/qrs`,
    });
  });

  it('both nodes up: everything goes to the first, the second sees nothing', async () => {
    const [first, second] = await twoNodes(site());
    const qrs = clientFor([first.port, second.port]);

    const result = await release(qrs);

    expect(result.released).toHaveLength(4);
    expect(first.requestCount(DELETES)).toBe(4);
    expect(second.requestCount()).toBe(0);
    // One state: what the first node released is gone on the second too.
    const fromSecond = clientFor([second.port]);
    expect((await fromSecond.listAllocations('professional')).allocations).toEqual([]);
  });

  it('the node dies mid-release: no DELETE goes to the other node, the rest are not sent', async () => {
    const [first, second] = await twoNodes(site());
    const logger = memoryLogger();
    const info = logger.info.bind(logger);
    // After the first release the planned node stops answering (connections reset).
    logger.info = (message, extra) => {
      info(message, extra);
      if (message === 'License allocation released')
        first.faults.push({ route: /.*/, reset: true });
    };
    const qrs = clientFor([first.port, second.port], logger);

    const result = await release(qrs, logger);

    expect(first.requestCount(DELETES)).toBe(2);
    expect(second.requestCount()).toBe(0);
    expect(result.released.map((item) => item.userId)).toEqual(['user-400']);
    expect(result.failed.map((item) => item.userId)).toEqual(['user-300', 'user-200', 'user-100']);
    expect(result.failed[0]?.error).toMatch(/Could not reach QRS for DELETE/);
    expect(result.failed[1]?.error).toMatch(/^not sent: the QRS node this run planned on stopped/);
    // Nothing was lost: the two still-allocated users are there for the next run.
    expect(first.site.allocations.size).toBe(3);
  });

  it('one node (qrs.host): a DELETE without an answer does not stop the others', async () => {
    const [only] = await twoNodes(site());
    const qrs = clientFor([only.port]);
    only.faults.push({ method: 'DELETE', route: /accesstype\//, reset: true, times: 1 });

    const result = await release(qrs);

    expect(result.failed.map((item) => item.userId)).toEqual(['user-400']);
    expect(result.released.map((item) => item.userId)).toEqual([
      'user-300',
      'user-200',
      'user-100',
    ]);
    expect(only.requestCount(DELETES)).toBe(4);
  });

  it('a new run starts again at the first node', async () => {
    const [first, second] = await twoNodes(site());
    const logger = memoryLogger();
    const qrs = clientFor([first.port, second.port], logger);
    first.faults.push({ route: /professionalaccesstype\/full/, reset: true, times: 1 });

    await qrs.listAllocations('professional');
    qrs.beginRun();
    await qrs.listAllocations('professional');

    expect(second.requestCount(LIST)).toBe(1);
    expect(first.requestCount(LIST)).toBe(2);
    expect(nodeWarnings(logger)).toHaveLength(1);
  });

  it('doctor checks every node and says which one fails', async () => {
    const down = await downNodePort();
    const [first] = await twoNodes(site());
    const config = siteConfig([first.port, down]);

    const report = await doctorSite(config, {
      readCertificates: async () => ({ cert: pki.client.cert, key: pki.client.key, ca: pki.ca }),
      createClient: (nodeSite, tls) => createQrsClient(nodeSite, tls),
      now: () => new Date(),
    });

    const reachable = report.checks.filter((check) => check.check === 'qrs-reachable');
    expect(reachable.map((check) => check.ok)).toEqual([true, false]);
    expect(reachable[1]?.detail).toMatch(
      new RegExp(`^\\[node localhost:${down}\\] cannot connect`),
    );
    // The first node passes every check; only the second's connection fails.
    expect(report.checks.filter((check) => !check.ok)).toEqual([reachable[1]]);
    expect(report.checks[0]?.detail).toContain(`localhost:${first.port}; localhost:${down}`);
    expect(first.requestCount()).toBeGreaterThan(0);
  });
});
