import https from 'node:https';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QrsClient, type QrsClientOptions } from '#shared/qrs/client.ts';
import {
  QrsHttpError,
  QrsNetworkError,
  QrsResponseError,
  QrsTimeoutError,
  QrsTlsError,
} from '#shared/qrs/errors.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { addAllocation, addUser, createSampleSite } from '#test/simulator/site.ts';

let sim: Simulator;
const clients: QrsClient[] = [];

beforeAll(async () => {
  sim = await startSimulator({ site: createSampleSite() });
});
afterAll(() => sim.close());
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  sim.faults.length = 0;
  sim.resetCounters();
});

/** A client for the simulator; no real waiting between retries. */
function client(overrides: Partial<QrsClientOptions> = {}, sleeps: number[] = []): QrsClient {
  const created = new QrsClient({
    host: 'localhost',
    port: sim.port,
    tls: { cert: sim.pki.client.cert, key: sim.pki.client.key, ca: sim.pki.ca },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  clients.push(created);
  return created;
}

describe('QrsClient over mutual TLS', () => {
  it('reads the access type overview with the configured identity', async () => {
    const qrs = client({ user: { directory: 'CORP', id: 'svc_license' } });

    const overview = await qrs.getAccessTypeOverview();

    expect(overview.professionalAccess?.total).toBe(10);
    expect(overview.analyzerAccess?.quarantined).toBe(2);
    expect(sim.users).toEqual(['UserDirectory=CORP; UserId=svc_license']);
  });

  it('sends the identity URL-encoded (UTF-8), so a non-ASCII user id arrives intact', async () => {
    const qrs = client({ user: { directory: 'CORPÖ', id: 'tjänst_licens; åäö' } });

    await qrs.getLicense();

    expect(sim.users).toEqual([
      'UserDirectory=CORP%C3%96; UserId=tj%C3%A4nst_licens%3B%20%C3%A5%C3%A4%C3%B6',
    ]);
    expect(sim.identities).toEqual([{ directory: 'CORPÖ', id: 'tjänst_licens; åäö' }]);
  });

  it('defaults the QRS identity to INTERNAL\\sa_api', async () => {
    await client().getLicense();
    expect(sim.users).toEqual(['UserDirectory=INTERNAL; UserId=sa_api']);
  });

  it('sends a fresh 16-character xrfkey with every request', async () => {
    const qrs = client();
    await qrs.getLicense();
    await qrs.getLicense();
    await qrs.getAccessTypeOverview();

    expect(sim.xrfkeys).toHaveLength(3);
    expect(new Set(sim.xrfkeys).size).toBe(3);
    for (const key of sim.xrfkeys) expect(key).toMatch(/^[A-Za-z0-9]{16}$/);
  });

  it('verifies the server against the given name when the host is an IP address', async () => {
    const qrs = client({ host: '127.0.0.1', servername: 'localhost' });
    await expect(qrs.getLicense()).resolves.toMatchObject({ serial: '9999000000001277' });
  });

  it('fails with a name-mismatch hint when the server certificate does not name the host', async () => {
    const qrs = client({ host: '127.0.0.1', servername: 'qlik.corp.example' });
    const error = await qrs.getLicense().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QrsTlsError);
    expect((error as Error).message).toMatch(/name mismatch/);
    expect((error as Error).message).toMatch(/servername/);
  });

  it('fails with a wrong-CA hint when the server is not signed by the configured CA', async () => {
    const qrs = client({
      tls: { cert: sim.pki.client.cert, key: sim.pki.client.key, ca: sim.pki.otherCa },
    });
    const error = await qrs.getLicense().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QrsTlsError);
    expect((error as Error).message).toMatch(/wrong CA/);
    expect(sim.requestCount()).toBe(0);
  });

  it.each([
    ['from a CA QRS does not trust', 'foreignClient'],
    ['that has expired', 'expiredClient'],
  ] as const)(
    'is refused by QRS with a client certificate %s, and says to check the certificate',
    async (_, which) => {
      const pair = sim.pki[which];
      const qrs = client({
        tls: { cert: pair.cert, key: pair.key, ca: sim.pki.ca },
        retry: { maxRetries: 0 },
      });
      const error = await qrs.getLicense().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(QrsNetworkError);
      expect((error as Error).message).toMatch(/client certificate/);
      expect(sim.requestCount()).toBe(0);
    },
  );

  it('is refused by the simulator without any client certificate', async () => {
    const status = await new Promise<string>((resolve) => {
      const request = https.request(
        {
          host: 'localhost',
          port: sim.port,
          path: '/qrs/license?xrfkey=abcdefghijklmnop',
          ca: sim.pki.ca,
        },
        (response) => resolve(String(response.statusCode)),
      );
      request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      request.setHeader('X-Qlik-Xrfkey', 'abcdefghijklmnop');
      request.end();
    });
    expect(status).not.toBe('200');
    expect(sim.requestCount()).toBe(0);
  });

  it('never leaks certificate or key text into error messages', async () => {
    const qrs = client({
      tls: { cert: sim.pki.client.cert, key: sim.pki.client.key, ca: sim.pki.otherCa },
    });
    const error = (await qrs.getLicense().catch((caught: unknown) => caught)) as Error;
    expect(`${error.message} ${error.stack}`).not.toMatch(/BEGIN|PRIVATE KEY/);
  });
});

describe('the simulator xrfkey check (what QRS enforces)', () => {
  const rawGet = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = https.request(
        {
          host: 'localhost',
          port: sim.port,
          path,
          ca: sim.pki.ca,
          cert: sim.pki.client.cert,
          key: sim.pki.client.key,
          headers: { 'X-Qlik-User': 'UserDirectory=INTERNAL; UserId=sa_api', ...headers },
        },
        (response) => {
          let body = '';
          response.on('data', (chunk) => {
            body += chunk;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('error', reject);
      request.end();
    });

  it.each([
    ['no xrfkey at all', '/qrs/license', {}],
    ['a query key but no header', '/qrs/license?xrfkey=abcdefghijklmnop', {}],
    ['a header but no query key', '/qrs/license', { 'X-Qlik-Xrfkey': 'abcdefghijklmnop' }],
    [
      'different keys',
      '/qrs/license?xrfkey=abcdefghijklmnop',
      { 'X-Qlik-Xrfkey': 'ponmlkjihgfedcba' },
    ],
  ])('answers 403 for %s', async (_, path, headers) => {
    const response = await rawGet(path, headers);
    expect(response.status).toBe(403);
    expect(response.body).toMatch(/XSRF prevention check failed/);
  });

  it('answers when query and header carry the same key', async () => {
    const response = await rawGet('/qrs/license?xrfkey=abcdefghijklmnop', {
      'X-Qlik-Xrfkey': 'abcdefghijklmnop',
    });
    expect(response.status).toBe(200);
  });
});

describe('QrsClient retries', () => {
  it('retries a GET on 503 and succeeds when QRS recovers', async () => {
    sim.faults.push({ route: '/qrs/license', status: 503, times: 2 });
    const sleeps: number[] = [];
    const qrs = client({}, sleeps);

    await expect(qrs.getLicense()).resolves.toMatchObject({ serial: '9999000000001277' });
    expect(sim.requestCount('GET /qrs/license')).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect(qrs.stats.retries).toBe(2);
  });

  it('stops retrying at the bound and reports the status', async () => {
    sim.faults.push({ route: '/qrs/license', status: 503 });
    const qrs = client({ retry: { maxRetries: 2 } });

    const error = await qrs.getLicense().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QrsHttpError);
    expect(error).toMatchObject({ status: 503, method: 'GET', path: '/license' });
    expect(sim.requestCount('GET /qrs/license')).toBe(3);
  });

  it('does not retry a 400', async () => {
    sim.faults.push({ route: '/qrs/license', status: 400 });
    const qrs = client();
    await expect(qrs.getLicense()).rejects.toMatchObject({ status: 400 });
    expect(sim.requestCount('GET /qrs/license')).toBe(1);
  });

  it('waits as long as Retry-After says on 429, within the policy cap', async () => {
    sim.faults.push({
      route: '/qrs/license',
      status: 429,
      headers: { 'Retry-After': '2' },
      times: 1,
    });
    const sleeps: number[] = [];
    const qrs = client({ retry: { maxDelayMs: 10_000 } }, sleeps);

    await qrs.getLicense();
    expect(sleeps).toEqual([2000]);
  });

  it('backs off exponentially with jitter between retries', async () => {
    sim.faults.push({ route: '/qrs/license', status: 502, times: 3 });
    const sleeps: number[] = [];
    const qrs = client(
      { retry: { baseDelayMs: 100, maxDelayMs: 10_000 }, random: () => 0.999 },
      sleeps,
    );

    await qrs.getLicense();
    expect(sleeps).toEqual([99, 199, 399]);
  });

  it('retries a GET after a connection reset', async () => {
    sim.faults.push({ route: '/qrs/license', reset: true, times: 1 });
    const qrs = client();
    await expect(qrs.getLicense()).resolves.toBeDefined();
    expect(sim.requestCount('GET /qrs/license')).toBe(2);
  });
});

describe('QrsClient DELETE', () => {
  it('frees an allocation with one DELETE', async () => {
    const user = addUser(sim.site, { userId: 'temp', userDirectory: 'LAB' });
    const allocation = addAllocation(sim.site, { licenseType: 'professional', userRef: user.id });

    await expect(client().deleteAllocation('professional', allocation.id)).resolves.toEqual({
      outcome: 'deleted',
    });
    expect(sim.site.allocations.has(allocation.id)).toBe(false);
  });

  it('treats 404 as already gone', async () => {
    const outcome = await client().deleteAllocation(
      'analyzer',
      '0f0e2a4c-1f2b-4c3d-9e8f-0a1b2c3d4e5f',
    );
    expect(outcome).toEqual({ outcome: 'alreadyGone', afterRetry: false });
  });

  it('repeats a DELETE after 503 and counts a 404 on the repeat as done', async () => {
    const user = addUser(sim.site, { userId: 'temp2', userDirectory: 'LAB' });
    const allocation = addAllocation(sim.site, { licenseType: 'analyzer', userRef: user.id });
    sim.faults.push({ method: 'DELETE', route: /analyzeraccesstype\//, status: 503, times: 1 });
    // The first attempt "fails"; meanwhile the allocation disappears (as if the first DELETE ran).
    sim.site.allocations.delete(allocation.id);

    const outcome = await client().deleteAllocation('analyzer', allocation.id);
    expect(outcome).toEqual({ outcome: 'alreadyGone', afterRetry: true });
    expect(sim.requestCount('DELETE /qrs/license/analyzeraccesstype/{id}')).toBe(2);
  });

  it('does not repeat a DELETE that QRS answered with 500', async () => {
    sim.faults.push({ method: 'DELETE', route: /professionalaccesstype\//, status: 500 });
    const error = await client()
      .deleteAllocation('professional', '0f0e2a4c-1f2b-4c3d-9e8f-0a1b2c3d4e5f')
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'QrsHttpError', status: 500, method: 'DELETE' });
    expect(sim.requestCount('DELETE /qrs/license/professionalaccesstype/{id}')).toBe(1);
  });

  it.each(['..', '.', '../user', ''])(
    'sends no request for an id that is not a GUID (%j would address another resource)',
    async (id) => {
      await expect(client().deleteAllocation('professional', id)).rejects.toThrow(
        /is not a QRS id \(GUID\): no DELETE sent/,
      );
      expect(sim.methodCounters.get('DELETE')?.requests ?? 0).toBe(0);
    },
  );
});

describe('QrsClient users', () => {
  it('fetches N users in batches of 50, never one request per user', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 120; i++)
      ids.push(addUser(sim.site, { userId: `batch${i}`, userDirectory: 'LAB' }).id);

    const { users, invalid } = await client().getUsersByIds(ids);

    expect(users.size).toBe(120);
    expect(invalid).toEqual([]);
    expect(sim.requestCount('GET /qrs/user/full')).toBe(3);
    expect(users.get(ids[7] as string)?.userId).toBe('batch7');
  });

  it('returns tags, custom properties and flags of each user', async () => {
    const [david] = await client().getUsersByFilter("userId eq 'david'");
    expect(david?.tags?.map((tag) => tag.name)).toEqual(['License do not release']);
    expect(david).toMatchObject({ inactive: false, blacklisted: false, removedExternally: false });
  });

  it('counts users with a filter', async () => {
    await expect(client().countUsers("userDirectory eq 'admin'")).resolves.toBe(1);
  });
});

describe('QrsClient response checks', () => {
  it('reports a truncated JSON body as an unexpected response', async () => {
    sim.faults.push({ route: '/qrs/license/analyzeraccesstype/full', malformed: 'truncated' });
    const error = await client()
      .listAllocations('analyzer')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QrsResponseError);
    expect((error as Error).message).toMatch(/not valid JSON/);
  });

  it('names the field when the overview does not match the schema', async () => {
    sim.faults.push({
      route: '/qrs/license/accesstypeoverview',
      status: 200,
      body: '{"professionalAccess":{"total":"many"}}',
    });
    const error = await client()
      .getAccessTypeOverview()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QrsResponseError);
    expect((error as Error).message).toMatch(/professionalAccess\.total/);
  });

  it('fails a streamed response larger than the configured maximum', async () => {
    const error = await client({ maxStreamedResponseBytes: 200 })
      .listAllocations('analyzer')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QrsResponseError);
    expect((error as Error).message).toMatch(/larger than the configured maximum/);
  });
});

describe('QrsClient timeouts', () => {
  it('gives up within the configured time when TLS never completes', async () => {
    const silent = net.createServer(() => {
      // Accept TCP and never answer: the TLS handshake stalls.
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const qrs = client({ port, timeoutMs: 400, retry: { maxRetries: 0 } });

    const started = Date.now();
    const error = await qrs.getLicense().catch((caught: unknown) => caught);
    const elapsed = Date.now() - started;
    silent.close();

    expect(error).toBeInstanceOf(QrsTimeoutError);
    expect((error as Error).message).toMatch(/400 ms/);
    // A bound on behaviour (one deadline, not one per stage), not a speed goal.
    expect(elapsed).toBeLessThan(2 * 400);
  });

  it('reports a refused connection with the address to check', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await client({ port, retry: { maxRetries: 1 } })
      .getLicense()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QrsNetworkError);
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    expect((error as Error).message).toMatch(`:${port}/qrs`);
  });
});
