/**
 * The allocation lists and user table pages are read as they arrive (shared/qrs/json-stream.ts),
 * over the real transport (mutual TLS, xrfkey, deadline, size limit): the same records and the
 * same plan as reading the whole body, odd items still doubt, and a body that is not a complete
 * document of the expected kind (truncated, cut, stalled, oversized, another shape) fails cleanly.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fetchReleasePlan, type ReleaseQrs } from '#shared/licensing/release/fetch.ts';
import { releasePolicy } from '#shared/licensing/release/planner.ts';
import { type LicenseType, normaliseAllocations } from '#shared/qrs/allocation.ts';
import { QrsClient, type QrsClientOptions } from '#shared/qrs/client.ts';
import { QrsNetworkError, QrsResponseError, QrsTimeoutError } from '#shared/qrs/errors.ts';
import { userTableDefinition } from '#shared/qrs/user-table.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { generateSite } from '#test/simulator/site.ts';
import { releaseConfig } from '#test/support/release.ts';

const ANALYZER_FULL = '/qrs/license/analyzeraccesstype/full';
const [A1, A2, A3] = [1, 2, 3].map((n) => `7a1c3e0a-9a7b-4d7e-8f00-00000000000${n}`);
const RULES = {
  neverRelease: {
    tag: ['License do not release'],
    customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }],
    userDirectory: ['ADMIN'],
    blocked: 'Yes',
  },
};

let pki: TestPki;
let sim: Simulator;
const now = new Date();
const clients: QrsClient[] = [];

beforeAll(async () => {
  pki = await createTestPki();
  sim = await startSimulator({ site: generateSite({ allocations: 3_000, seed: 11, now }), pki });
});
afterAll(() => sim.close());
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  sim.faults.length = 0;
  sim.resetCounters();
});

function client(port = sim.port, overrides: Partial<QrsClientOptions> = {}): QrsClient {
  const created = new QrsClient({
    host: 'localhost',
    port,
    tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca },
    sleep: async () => {},
    ...overrides,
  });
  clients.push(created);
  return created;
}

/** The whole body as one text, with bare node:https: what the client read before streaming. */
function wholeBody(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: 'localhost',
        port: sim.port,
        path: `${path}${path.includes('?') ? '&' : '?'}xrfkey=0123456789abcdef`,
        cert: pki.client.cert,
        key: pki.client.key,
        ca: pki.ca,
        headers: {
          'X-Qlik-Xrfkey': '0123456789abcdef',
          'X-Qlik-User': 'UserDirectory=INTERNAL; UserId=sa_api',
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve(text));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** The lists read whole and parsed at once, the users as before: the plan's former input. */
function bufferedQrs(streamed: QrsClient): ReleaseQrs {
  return {
    listAllocations: async (type: LicenseType, filter?: string) => {
      const route = type === 'professional' ? 'professionalaccesstype' : 'analyzeraccesstype';
      const query = filter ? `?filter=${encodeURIComponent(filter)}` : '';
      const text = await wholeBody(`/qrs/license/${route}/full${query}`);
      return normaliseAllocations(JSON.parse(text), type);
    },
    getUsersByIds: streamed.getUsersByIds.bind(streamed),
  };
}

function outcomes(plan: {
  candidates: Array<{ accessTypeId: string }>;
  kept: Array<{ accessTypeId: string; reason: string; detail?: string }>;
}): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of plan.candidates) map.set(item.accessTypeId, 'candidate');
  for (const item of plan.kept) map.set(item.accessTypeId, `${item.reason}: ${item.detail}`);
  return map;
}

describe('streamed allocation lists', () => {
  it('give the same records as the whole body parsed at once', async () => {
    const streamed = await client().listAllocations('analyzer');
    const whole = normaliseAllocations(JSON.parse(await wholeBody(ANALYZER_FULL)), 'analyzer');

    expect(streamed.allocations.length).toBeGreaterThan(1_000);
    expect(streamed).toEqual(whole);
  });

  it('give the same plan as before on a generated site, allocation by allocation', async () => {
    const policy = releasePolicy(releaseConfig({ ...RULES, maxReleasesPerRun: 200 }));
    const qrs = client();

    const streamed = await fetchReleasePlan(qrs, policy, now);
    const buffered = await fetchReleasePlan(bufferedQrs(qrs), policy, now);

    expect(streamed.candidates).toHaveLength(200);
    expect(outcomes(streamed)).toEqual(outcomes(buffered));
    expect(streamed.candidates).toEqual(buffered.candidates);
  });

  it('keep odd items as doubt: no id is malformed, an unreadable flag or user is kept', async () => {
    const old = '2020-01-01T00:00:00.000Z';
    const user = { id: '6f1c3e0a-9a7b-4d7e-8f00-000000000001', userId: 'u', userDirectory: 'LAB' };
    sim.faults.push({
      route: ANALYZER_FULL,
      status: 200,
      body: JSON.stringify([
        { createdDate: old, lastUsed: old, quarantined: false, user },
        { id: A1, createdDate: old, lastUsed: old, quarantined: 'no', user },
        { id: A2, createdDate: old, lastUsed: old, quarantined: false, user: 'LAB\\u' },
        { id: A3, createdDate: old, lastUsed: 17, quarantined: false, user },
      ]),
    });
    const policy = releasePolicy(
      releaseConfig({ licenseType: { professional: { enable: false } } }),
    );

    const plan = await fetchReleasePlan(client(), policy, now);

    expect(plan.malformed).toBe(1);
    expect(plan.candidates).toEqual([]);
    expect(plan.kept.map((item) => [item.accessTypeId, item.reason])).toEqual([
      [A1, 'quarantined'],
      [A2, 'no-user'],
      [A3, 'no-date'],
    ]);
  });

  it.each([
    ['an object', '{"items":[]}', /expected a JSON array, got an object/],
    ['a string', '"busy"', /expected a JSON array, got a string/],
    [
      'cut mid-item',
      '[{"id":"a1","createdDate":"2020-01-0',
      /ended mid-document after 36 bytes: truncated/,
    ],
    ['not JSON', '<html>Gateway</html>', /not valid JSON/],
    ['two documents', '[] []', /not valid JSON/],
    ['empty', '', /not valid JSON \(it is empty\)/],
  ])('refuse a body that is %s: an unexpected response, no plan', async (_, body, message) => {
    sim.faults.push({ route: ANALYZER_FULL, status: 200, body });
    const policy = releasePolicy(releaseConfig());

    const error = await fetchReleasePlan(client(), policy, now).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(QrsResponseError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuse an answer past the streamed size limit while it arrives', async () => {
    const error = await client(sim.port, { maxStreamedResponseBytes: 64 * 1024 })
      .listAllocations('analyzer')
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(QrsResponseError);
    expect((error as Error).message).toMatch(/larger than the configured maximum of 65536 bytes/);
  });
});

describe('streamed user table pages', () => {
  const definition = userTableDefinition({
    flags: ['blacklisted'],
    tags: true,
    customProperties: true,
  });

  it('keep only the rows whose id is wanted', async () => {
    const all = await client().getUserTable(definition, { skip: 0, take: 500 });
    const wanted = new Set(all.rows.slice(10, 15).map((row) => String(row[0]).toLowerCase()));

    const kept = await client().getUserTable(
      definition,
      { skip: 0, take: 500 },
      { keepRow: (id) => wanted.has(id.toLowerCase()) },
    );

    expect(all.rows).toHaveLength(500);
    expect(kept.columnNames).toEqual(all.columnNames);
    expect(kept.rows).toEqual(all.rows.slice(10, 15));
  });

  it('read the column names wherever they come in the body', async () => {
    sim.faults.push({
      route: '/qrs/user/table',
      status: 200,
      body: '{"rows":[["b","x"],["a","y"]],"columnNames":["id","userId"]}',
    });

    const table = await client().getUserTable(
      definition,
      { skip: 0, take: 10 },
      {
        keepRow: (id) => id === 'a',
      },
    );

    expect(table).toEqual({ columnNames: ['id', 'userId'], rows: [['a', 'y']] });
  });

  it.each([
    ['without rows', '{"columnNames":["id"]}'],
    ['with rows as an object', '{"columnNames":["id"],"rows":{"a":["x"]}}'],
    ['with a row that is not a list', '{"columnNames":["id"],"rows":[{"id":"x"}]}'],
    ['an array', '[["x"]]'],
  ])('refuse a page %s as not a table', async (_, body) => {
    sim.faults.push({ route: '/qrs/user/table', status: 200, body });

    const error = await client()
      .getUserTable(definition, { skip: 0, take: 10 })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(QrsResponseError);
  });
});

describe('a streamed body that stops', () => {
  /** A QRS stand-in over the same mutual TLS that sends part of a list, then cuts or stalls. */
  async function partialServer(after: 'cut' | 'stall') {
    const server = https.createServer(
      { key: pki.server.key, cert: pki.server.cert, ca: pki.ca, requestCert: true },
      (_request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 100_000 });
        response.write('[{"id":"a1","createdDate":"2020-01-01T00:00:00.000Z"},');
        if (after === 'cut') setTimeout(() => response.socket?.destroy(), 20);
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    return {
      port,
      requests: () => server.connections,
      close: () => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(resolve));
      },
    };
  }

  it('cut mid-body: retried, then a network error, never a short list', async () => {
    const server = await partialServer('cut');
    let attempts = 0;
    try {
      const qrs = client(server.port, { retry: { maxRetries: 2 } });
      const error = await qrs.listAllocations('analyzer').catch((caught: unknown) => caught);
      attempts = qrs.stats.requests;
      expect(error).toBeInstanceOf(QrsNetworkError);
    } finally {
      await server.close();
    }
    expect(attempts).toBe(3);
  });

  it('stalled mid-body: the attempt deadline covers the body too', async () => {
    const server = await partialServer('stall');
    try {
      const error = await client(server.port, { timeoutMs: 300, retry: { maxRetries: 0 } })
        .listAllocations('analyzer')
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(QrsTimeoutError);
    } finally {
      await server.close();
    }
  });
});
