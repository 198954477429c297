/**
 * Fault matrix, QRS rows (see docs/faults.md). Each row runs the real QRS client against the QRS
 * simulator over mutual TLS, through the CLI (`release --json`, the exit status an administrator
 * sees) or the release Lambda handler (where retries must not really wait), and asserts:
 * the message names the cause and what to check, the exit status / Lambda result, no DELETE on
 * doubt, and no release record lost.
 *
 * Every site here runs with `dryRun: false`: a sloppy run would really delete.
 */
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startSimulator, userFull } from '#test/simulator/server.ts';
import { addAllocation, addUser, NO_DATE } from '#test/simulator/site.ts';
import {
  captureProcessOutput,
  cli,
  cliSite,
  deleteCount,
  expectNothingLost,
  LIST_ROUTE,
  lambdaConfig,
  memorySink,
  PEM_FILES,
  REAL_RUN,
  releaseHandler,
  releaseOf,
  uniqueSiteName,
} from '#test/support/harness.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { useSimulatorFixture } from '#test/support/simulator-fixture.ts';
import { DAY_MS } from '#test/support/time.ts';

const fixture = useSimulatorFixture();

/** `release --json` for one site on the simulator, with config overrides for the row. */
function releaseCli(options: Parameters<typeof cliSite>[0]) {
  const file = fixture.folder.write({ sites: [cliSite(options)] });
  return cli(['release', '--config', file, '--json']);
}

/** The id of a user's allocation in the sample site. */
function allocationOf(userId: string): string {
  for (const allocation of fixture.site.allocations.values())
    if (fixture.site.users.get(allocation.userRef ?? '')?.userId === userId) return allocation.id;
  throw new Error(`no allocation for ${userId}`);
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('QRS cannot be reached: exit 1, the message says what to check, nothing released', () => {
  it('Q1 connection refused → "nothing listens at https://HOST:PORT/qrs: check the host and port"', async () => {
    // Prepare
    const port = await closedPort();

    // Act
    const run = await releaseCli({ port, host: '127.0.0.1' });

    // Assess
    expect(run.code).toBe(1);
    const result = releaseOf(run);
    expect(result.error).toMatch(/Could not reach QRS .*\(ECONNREFUSED\)/);
    expect(result.error).toContain(`nothing listens at https://127.0.0.1:${port}/qrs`);
    expect(result.error).toMatch(/check the host and port/);
    expect(result).toMatchObject({ candidates: [], released: [], failed: [] });
  });

  it('Q1 a port that speaks plain HTTP → "does not speak TLS … is it QRS\'s 4242?", not certificate advice', async () => {
    // Prepare: a plain HTTP server where QRS should be (an admin typed the proxy's port).
    const plain = http.createServer((_request, response) => response.end('hello'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const { port } = plain.address() as net.AddressInfo;

    try {
      // Act
      const run = await releaseCli({ port, host: '127.0.0.1' });

      // Assess
      expect(run.code).toBe(1);
      const { error } = releaseOf(run);
      expect(error).toContain(`https://127.0.0.1:${port} does not speak TLS`);
      expect(error).toMatch(/is it QRS's 4242\?/);
      expect(error).not.toMatch(/client certificate, key and CA/);
    } finally {
      plain.close();
    }
  });

  it('Q1 monitor after a refused connection: the error, and no clock line', async () => {
    // Prepare
    const port = await closedPort();
    const file = fixture.folder.write({ sites: [cliSite({ port, host: '127.0.0.1' })] });

    // Act
    const run = await cli(['monitor', '--config', file]);

    // Assess: QRS sent nothing, so nothing is said about its Date header.
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ECONNREFUSED/);
    expect(run.stderr).not.toMatch(/Clock not checked|Date header/);
  });

  it('Q10 a read that fails at once while the other is still retrying: no retry line after the final error', async () => {
    // Prepare: /license is refused (403, final) while the overview rides out 503s (retried).
    fixture.sim.faults.push({ route: '/qrs/license', status: 403 });
    fixture.sim.faults.push({
      route: '/qrs/license/accesstypeoverview',
      status: 503,
      times: 2,
      latencyMs: 50,
    });
    const file = fixture.folder.write({
      sites: [cliSite({ port: fixture.sim.port, qrs: { maxRetries: 2 } })],
    });

    // Act
    const run = await cli(['monitor', '--config', file]);

    // Assess
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    const finalError = lines.findIndex((line) =>
      /collecting license usage from QRS failed/.test(line),
    );
    expect(finalError).toBeGreaterThanOrEqual(0);
    expect(lines.slice(0, finalError).join('\n')).toMatch(/will be retried/);
    expect(lines.slice(finalError).join('\n')).not.toMatch(/will be retried/);
  });

  it('Q2 DNS failure (.invalid host) → "the host name … does not resolve: check the host name and DNS"', async () => {
    // Act
    const run = await releaseCli({ port: 4242, host: 'qrs.license-steward.invalid' });

    // Assess
    expect(run.code).toBe(1);
    const result = releaseOf(run);
    expect(result.error).toMatch(/\((ENOTFOUND|EAI_AGAIN)\)/);
    expect(result.error).toMatch(
      /host name in https:\/\/qrs\.license-steward\.invalid:4242\/qrs does not resolve: check the host name and DNS/,
    );
    expect(result.released).toEqual([]);
  });
});

describe('TLS failures: exit 1, the message says which certificate to check, no request reaches QRS', () => {
  it('Q3 the server is not signed by the configured CA (unknown CA) → "wrong CA", use root.pem', async () => {
    // Act
    const run = await releaseCli({
      port: fixture.sim.port,
      certificates: { ca: PEM_FILES.otherCa },
    });

    // Assess
    expect(run.code).toBe(1);
    const { error } = releaseOf(run);
    expect(error).toMatch(/TLS with QRS failed/);
    expect(error).toMatch(
      /certificate CN=localhost is not signed by the configured CA: it is issued by CN=QlikClient-test root CA, and \S*\/other_root\.pem holds CN=Some other CA\. Use root\.pem .*\(wrong CA\?\)/,
    );
    expect(fixture.sim.requestCount()).toBe(0);
  });

  it('Q4 a client certificate QRS does not trust (another CA) → names the client certificate and its CA', async () => {
    // Act
    const run = await releaseCli({
      port: fixture.sim.port,
      certificates: { cert: PEM_FILES.foreignCert, key: PEM_FILES.foreignKey },
    });

    // Assess
    expect(run.code).toBe(1);
    const { error } = releaseOf(run);
    expect(error).toMatch(/QRS may have rejected the client certificate/);
    // The configured files are named, not the QMC's default names.
    expect(error).toMatch(
      /client certificate is not issued by the configured CA \(\S*\/root\.pem\): \S*\/foreign_client\.pem, \S*\/foreign_client_key\.pem and \S*\/root\.pem must be one QMC export/,
    );
    expect(fixture.sim.requestCount()).toBe(0);
  });

  it('Q5 an expired client certificate → "the client certificate expired on DATE: export a new one"', async () => {
    // Act
    const run = await releaseCli({
      port: fixture.sim.port,
      certificates: { cert: PEM_FILES.expiredCert, key: PEM_FILES.expiredKey },
    });

    // Assess
    expect(run.code).toBe(1);
    const { error } = releaseOf(run);
    expect(error).toMatch(
      /client certificate expired on \d{4}-\d{2}-\d{2}: export a new one from the QMC and replace \S*\/expired_client\.pem and \S*\/expired_client_key\.pem/,
    );
    expect(error).toMatch(/export a new one from the QMC/);
    expect(fixture.sim.requestCount()).toBe(0);
  });

  it('Q6 server name mismatch → "does not name this host: set `servername`"', async () => {
    // Prepare: the same site behind a certificate for another name.
    const wrongName = await startSimulator({
      site: fixture.site,
      pki: fixture.pki,
      serverCert: fixture.pki.wrongNameServer,
    });

    // Act
    const run = await releaseCli({ port: wrongName.port });
    await wrongName.close();

    // Assess
    expect(run.code).toBe(1);
    const { error } = releaseOf(run);
    expect(error).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(error).toMatch(
      /does not name this host "localhost": it names CN=qlik\.other\.example, DNS:qlik\.other\.example\. Set `servername: qlik\.other\.example` .*\(name mismatch\)/,
    );
    expect(wrongName.requestCount()).toBe(0);
  });
});

describe('QRS refuses or fails: bounded attempts, exit 1 / Lambda error, no DELETE', () => {
  it('Q7 403 "XSRF prevention check failed" → names the xrfkey and a proxy that strips it; not retried', async () => {
    // Prepare
    fixture.sim.faults.push({
      route: LIST_ROUTE.professional,
      status: 403,
      body: 'XSRF prevention check failed. Possible XSRF discovered.',
    });

    // Act
    const run = await releaseCli({ port: fixture.sim.port, qrs: { maxRetries: 3 } });

    // Assess
    expect(run.code).toBe(1);
    const { error } = releaseOf(run);
    expect(error).toMatch(/HTTP 403: XSRF prevention check failed \(xrfkey\)/);
    expect(error).toMatch(/X-Qlik-Xrfkey header, so a proxy or load balancer .* drops/);
    expect(fixture.sim.requestCount(`GET ${LIST_ROUTE.professional}`)).toBe(1);
    expect(deleteCount(fixture.sim)).toBe(0);
  });

  it('Q8 403 certificate or user rejected → "access denied: check that the certificate … X-Qlik-User"', async () => {
    // Prepare
    fixture.sim.faults.push({
      route: LIST_ROUTE.analyzer,
      status: 403,
      body: '{"message":"Forbidden"}',
    });

    // Act
    const run = await releaseCli({ port: fixture.sim.port, qrs: { maxRetries: 3 } });

    // Assess
    expect(run.code).toBe(1);
    const { error } = releaseOf(run);
    expect(error).toMatch(/HTTP 403: access denied: check that the certificate .*X-Qlik-User/);
    expect(fixture.sim.requestCount(`GET ${LIST_ROUTE.analyzer}`)).toBe(1);
    expect(deleteCount(fixture.sim)).toBe(0);
  });

  it('Q9 a read slower than the timeout → "did not complete within N ms: check …"; not retried, no DELETE', async () => {
    // Prepare
    fixture.sim.faults.push({ route: LIST_ROUTE.analyzer, hang: true });

    // Act
    const run = await releaseCli({
      port: fixture.sim.port,
      qrs: { timeoutSeconds: 1, maxRetries: 2 },
    });

    // Assess
    expect(run.code).toBe(1);
    const { error } = releaseOf(run);
    expect(error).toMatch(
      /did not complete within 1000 ms: check that the host and port are reachable/,
    );
    expect(fixture.sim.requestCount(`GET ${LIST_ROUTE.analyzer}`)).toBe(1);
    expect(deleteCount(fixture.sim)).toBe(0);
  });

  it('Q10 a 503 storm on a read → exactly 1 + maxRetries attempts, then the Lambda fails before any DELETE', async () => {
    // Prepare
    captureProcessOutput();
    const name = uniqueSiteName('storm');
    const config = lambdaConfig([{ name, port: fixture.sim.port, qrs: { maxRetries: 3 } }]);
    const sleeps: number[] = [];
    const handler = releaseHandler({ config, sleeps });
    fixture.sim.faults.push({ route: LIST_ROUTE.professional, status: 503 });

    // Act
    const invocation = handler({ site: name }, lambdaContext());

    // Assess
    await expect(invocation).rejects.toThrow(
      /QRS GET \/license\/professionalaccesstype\/full answered HTTP 503: the Repository Service reported an error/,
    );
    expect(fixture.sim.requestCount(`GET ${LIST_ROUTE.professional}`)).toBe(4);
    expect(sleeps).toHaveLength(3);
    expect(deleteCount(fixture.sim)).toBe(0);
  });

  it('Q10 a 500 storm on the user look-ups → fails before any DELETE (never releases with rules unread)', async () => {
    // Prepare
    captureProcessOutput();
    const name = uniqueSiteName('user-storm');
    const config = lambdaConfig([
      {
        name,
        port: fixture.sim.port,
        qrs: { maxRetries: 2 },
        licenseRelease: { ...REAL_RUN, neverRelease: { tag: ['License do not release'] } },
      },
    ]);
    fixture.sim.faults.push({ route: '/qrs/user/full', status: 500 });

    // Act
    const invocation = releaseHandler({ config })({ site: name }, lambdaContext());

    // Assess
    await expect(invocation).rejects.toThrow(/QRS GET \/user\/full answered HTTP 500/);
    expect(fixture.sim.requestCount('GET /qrs/user/full')).toBe(3);
    expect(deleteCount(fixture.sim)).toBe(0);
  });

  it('Q10 a short 503 burst is ridden out: the run recovers and releases', async () => {
    // Prepare
    captureProcessOutput();
    const name = uniqueSiteName('burst');
    const sink = memorySink();
    const sleeps: number[] = [];
    const config = lambdaConfig([{ name, port: fixture.sim.port, qrs: { maxRetries: 3 } }]);
    fixture.sim.faults.push({ route: LIST_ROUTE.professional, status: 503, times: 2 });

    // Act
    const summary = await releaseHandler({ config, sinks: [sink], sleeps })(
      { site: name },
      lambdaContext(),
    );

    // Assess
    expect(summary).toMatchObject({ status: 'ok', failed: 0 });
    expect(sleeps).toHaveLength(2);
    const result = sink.runs[0]?.result;
    expect(result?.released.length).toBeGreaterThan(0);
    expect(deleteCount(fixture.sim)).toBe(result?.released.length);
  });

  it('Q10 a 500 storm on DELETE → each DELETE sent once (500 is not repeated), all failed and reported, Lambda returns', async () => {
    // Prepare
    const output = captureProcessOutput();
    const name = uniqueSiteName('delete-storm');
    const sink = memorySink();
    const config = lambdaConfig([{ name, port: fixture.sim.port, qrs: { maxRetries: 3 } }]);
    fixture.sim.faults.push({ method: 'DELETE', route: /accesstype\//, status: 500 });

    // Act
    const summary = await releaseHandler({ config, sinks: [sink] })(
      { site: name },
      lambdaContext(),
    );

    // Assess
    const result = sink.runs[0]?.result;
    if (!result) throw new Error('no run recorded');
    expect(summary).toMatchObject({ status: 'failures', released: 0 });
    expect(result.failed).toHaveLength(result.candidates.length);
    expect(deleteCount(fixture.sim)).toBe(result.candidates.length);
    expectNothingLost(result, output.logs());
  });

  it('Q10 a 503 storm on DELETE → each DELETE repeated at most maxRetries times, then failed', async () => {
    // Prepare
    const output = captureProcessOutput();
    const name = uniqueSiteName('delete-503');
    const sink = memorySink();
    const config = lambdaConfig([{ name, port: fixture.sim.port, qrs: { maxRetries: 2 } }]);
    fixture.sim.faults.push({ method: 'DELETE', route: /accesstype\//, status: 503 });

    // Act
    const summary = await releaseHandler({ config, sinks: [sink] })(
      { site: name },
      lambdaContext(),
    );

    // Assess
    const result = sink.runs[0]?.result;
    if (!result) throw new Error('no run recorded');
    expect(summary).toMatchObject({ status: 'failures', released: 0 });
    expect(deleteCount(fixture.sim)).toBe(result.candidates.length * 3);
    expect(result.failed.every((item) => /HTTP 503/.test(item.error))).toBe(true);
    expectNothingLost(result, output.logs());
  });

  it('Q11 429 with Retry-After → waits as long as QRS asks, then carries on', async () => {
    // Prepare
    captureProcessOutput();
    const name = uniqueSiteName('429');
    const sleeps: number[] = [];
    const config = lambdaConfig([{ name, port: fixture.sim.port, qrs: { maxRetries: 3 } }]);
    fixture.sim.faults.push({
      route: LIST_ROUTE.professional,
      status: 429,
      headers: { 'Retry-After': '2' },
      times: 2,
    });

    // Act
    const summary = await releaseHandler({ config, sleeps })({ site: name }, lambdaContext());

    // Assess
    expect(summary).toMatchObject({ status: 'ok', failed: 0 });
    expect(sleeps).toEqual([2000, 2000]);
  });

  it('Q11 429 asking for an hour → the wait is capped (a run is never parked)', async () => {
    // Prepare
    captureProcessOutput();
    const name = uniqueSiteName('429-cap');
    const sleeps: number[] = [];
    const config = lambdaConfig([{ name, port: fixture.sim.port, qrs: { maxRetries: 3 } }]);
    fixture.sim.faults.push({
      route: LIST_ROUTE.analyzer,
      status: 429,
      headers: { 'Retry-After': '3600' },
      times: 1,
    });

    // Act
    await releaseHandler({ config, sleeps })({ site: name }, lambdaContext());

    // Assess
    expect(sleeps).toEqual([5000]);
  });

  it('Q11 429 that never stops → bounded attempts, "too many requests, still after retries", no DELETE', async () => {
    // Prepare
    captureProcessOutput();
    const name = uniqueSiteName('429-storm');
    const config = lambdaConfig([{ name, port: fixture.sim.port, qrs: { maxRetries: 2 } }]);
    fixture.sim.faults.push({
      route: LIST_ROUTE.analyzer,
      status: 429,
      headers: { 'Retry-After': '1' },
    });

    // Act
    const invocation = releaseHandler({ config })({ site: name }, lambdaContext());

    // Assess
    await expect(invocation).rejects.toThrow(/HTTP 429: too many requests, still after retries/);
    expect(fixture.sim.requestCount(`GET ${LIST_ROUTE.analyzer}`)).toBe(3);
    expect(deleteCount(fixture.sim)).toBe(0);
  });
});

describe('A DELETE fails mid-run: the others go on, the failure is recorded, the next run retries it', () => {
  it('Q12 one DELETE answered 500 → exit 1, listed in failed with the error and logged; the next run frees it', async () => {
    // Prepare
    const cecilia = allocationOf('cecilia');
    fixture.sim.faults.push({
      method: 'DELETE',
      route: `/qrs/license/professionalaccesstype/${cecilia}`,
      status: 500,
      times: 1,
    });

    // Act
    const first = await releaseCli({ port: fixture.sim.port });
    const second = await releaseCli({ port: fixture.sim.port });

    // Assess
    expect(first.code).toBe(1);
    const result = releaseOf(first);
    expect(result.failed).toEqual([
      expect.objectContaining({
        accessTypeId: cecilia,
        error: expect.stringMatching(/DELETE .* answered HTTP 500/),
      }),
    ]);
    expect(result.released.length).toBe(result.candidates.length - 1);
    expectNothingLost(result, first.logs);
    expect(first.logs).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'License allocation release failed',
        accessTypeId: cecilia,
      }),
    );
    expect(second.code).toBe(0);
    expect(releaseOf(second).released.map((item) => item.accessTypeId)).toEqual([cecilia]);
  });

  it('Q12 one DELETE slower than the timeout → failed (not repeated: it may have run), the others released', async () => {
    // Prepare
    const cecilia = allocationOf('cecilia');
    const route = `/qrs/license/professionalaccesstype/${cecilia}`;
    fixture.sim.faults.push({ method: 'DELETE', route, hang: true });

    // Act
    const run = await releaseCli({
      port: fixture.sim.port,
      qrs: { timeoutSeconds: 1, maxRetries: 2 },
    });

    // Assess
    expect(run.code).toBe(1);
    const result = releaseOf(run);
    expect(result.failed).toEqual([
      expect.objectContaining({
        accessTypeId: cecilia,
        error: expect.stringMatching(/did not complete within 1000 ms/),
      }),
    ]);
    expect(fixture.sim.requestCount('DELETE /qrs/license/professionalaccesstype/{id}')).toBe(
      result.candidates.filter((item) => item.licenseType === 'professional').length,
    );
    expectNothingLost(result, run.logs);
  });

  it('Q12 a DELETE whose connection is reset → repeated once and freed (a repeat is safe: 404 = gone)', async () => {
    // Prepare
    fixture.sim.faults.push({ method: 'DELETE', route: /accesstype\//, reset: true, times: 1 });

    // Act
    const run = await releaseCli({ port: fixture.sim.port, qrs: { maxRetries: 1 } });

    // Assess
    expect(run.code).toBe(0);
    const result = releaseOf(run);
    expect(result.failed).toEqual([]);
    expect(deleteCount(fixture.sim)).toBe(result.candidates.length + 1);
    expectNothingLost(result, run.logs);
  });
});

describe('Bad bodies: the run fails or the item is kept; nothing is released on doubt', () => {
  it('Q13 truncated JSON → "body is not valid JSON (it ended mid-document … truncated or not QRS?)", exit 1, no DELETE at all', async () => {
    // Prepare: only one of the two lists is broken; the other alone must not be acted on.
    fixture.sim.faults.push({ route: LIST_ROUTE.professional, malformed: 'truncated' });

    // Act
    const run = await releaseCli({ port: fixture.sim.port });

    // Assess
    expect(run.code).toBe(1);
    expect(releaseOf(run).error).toMatch(
      /professionalaccesstype\/full returned an unexpected response: body is not valid JSON \(it ended mid-document after \d+ bytes: truncated or not QRS\?\)/,
    );
    expect(deleteCount(fixture.sim)).toBe(0);
  });

  it('Q13 an HTML page instead of users (malformed) → exit 1, no DELETE', async () => {
    // Prepare
    fixture.sim.faults.push({ route: '/qrs/user/full', malformed: 'garbage' });

    // Act
    const run = await releaseCli({
      port: fixture.sim.port,
      licenseRelease: { ...REAL_RUN, neverRelease: { tag: ['License do not release'] } },
    });

    // Assess
    expect(run.code).toBe(1);
    expect(releaseOf(run).error).toMatch(
      /\/user\/full returned an unexpected response: .*not valid JSON/,
    );
    expect(deleteCount(fixture.sim)).toBe(0);
  });

  it('Q14 allocations violating the schema → each kept with a reason, only the sound one released', async () => {
    // Prepare: real allocations (a DELETE would succeed), served with broken fields.
    const now = Date.now();
    const daysAgo = (days: number) => new Date(now - days * DAY_MS).toISOString();
    const fresh = () => {
      const user = addUser(fixture.site, { userId: `u${Math.random()}`, userDirectory: 'LAB' });
      const allocation = addAllocation(fixture.site, {
        licenseType: 'professional',
        userRef: user.id,
      });
      const condensed = { id: user.id, userId: user.userId, userDirectory: 'LAB', name: 'U' };
      return { id: allocation.id, user: condensed };
    };
    const item = (fields: Record<string, unknown>) => ({
      ...fresh(),
      createdDate: daysAgo(500),
      lastUsed: daysAgo(100),
      quarantined: false,
      ...fields,
    });
    const sound = item({});
    const broken = {
      'no user (null)': item({ user: null }),
      'user of the wrong type': item({ user: 'LAB\\bob' }),
      'user with a numeric userId': item({ user: { id: sound.user.id, userId: 42 } }),
      'unparseable lastUsed': item({ lastUsed: 'last Tuesday' }),
      'lastUsed of the wrong type': item({ lastUsed: 1_700_000_000 }),
      'impossible calendar date': item({ lastUsed: '2024-02-30T00:00:00.000Z' }),
      'never used, unparseable createdDate': item({ lastUsed: NO_DATE, createdDate: 'soon' }),
      'quarantined of the wrong type': item({ quarantined: 'no' }),
      'lastUsed in the future': item({ lastUsed: daysAgo(-3) }),
    };
    const noId = { ...item({}), id: undefined };
    fixture.sim.faults.push({
      route: LIST_ROUTE.professional,
      status: 200,
      body: JSON.stringify([sound, ...Object.values(broken), noId]),
    });

    // Act
    const run = await releaseCli({
      port: fixture.sim.port,
      licenseRelease: { ...REAL_RUN, licenseType: { analyzer: { enable: false } } },
    });

    // Assess
    expect(run.code).toBe(0);
    const result = releaseOf(run);
    expect(result.released.map((released) => released.accessTypeId)).toEqual([sound.id]);
    expect(deleteCount(fixture.sim)).toBe(1);
    const reasonOf = (id: string) => result.kept.find((kept) => kept.accessTypeId === id)?.reason;
    expect(
      Object.fromEntries(Object.entries(broken).map(([row, { id }]) => [row, reasonOf(id)])),
    ).toEqual({
      'no user (null)': 'no-user',
      'user of the wrong type': 'no-user',
      'user with a numeric userId': 'no-user',
      'unparseable lastUsed': 'no-date',
      'lastUsed of the wrong type': 'no-date',
      'impossible calendar date': 'no-date',
      'never used, unparseable createdDate': 'no-date',
      'quarantined of the wrong type': 'quarantined',
      'lastUsed in the future': 'active',
    });
    expect(run.logs).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: expect.stringMatching(/without an id/) }),
    );
  });

  it('Q14 a user record violating the schema → that allocation is kept (no-user), the others go on', async () => {
    // Prepare: the tag rule needs the user records; one comes back without its directory.
    const bertil = [...fixture.site.users.values()].find((user) => user.userId === 'bertil');
    if (!bertil) throw new Error('no bertil');
    const records = [...fixture.site.users.values()].map((user) => {
      const full: Record<string, unknown> = userFull(user);
      if (user.id === bertil.id) delete full.userDirectory;
      return full;
    });
    fixture.sim.faults.push({
      route: '/qrs/user/full',
      status: 200,
      body: JSON.stringify(records),
    });

    // Act
    const run = await releaseCli({
      port: fixture.sim.port,
      licenseRelease: { ...REAL_RUN, neverRelease: { tag: ['License do not release'] } },
    });

    // Assess
    const result = releaseOf(run);
    expect(result.kept).toContainEqual(
      expect.objectContaining({ userId: 'bertil', reason: 'no-user' }),
    );
    expect(result.released.map((item) => item.userId)).not.toContain('bertil');
    expect(result.released.length).toBeGreaterThan(0);
    expectNothingLost(result, run.logs);
  });

  it('Q15 a response far larger than expected → refused at the size limit, the run fails, no DELETE', async () => {
    // Prepare
    captureProcessOutput();
    for (let i = 0; i < 50; i++) {
      const user = addUser(fixture.site, { userId: `bulk${i}`, userDirectory: 'LAB' });
      addAllocation(fixture.site, { licenseType: 'analyzer', userRef: user.id });
    }
    const name = uniqueSiteName('large');
    const config = lambdaConfig([{ name, port: fixture.sim.port }]);

    // Act
    const invocation = releaseHandler({ config, maxResponseBytes: 4096 })(
      { site: name },
      lambdaContext(),
    );

    // Assess
    await expect(invocation).rejects.toThrow(
      /analyzeraccesstype\/full returned an unexpected response: response larger than the configured maximum of 4096 bytes/,
    );
    expect(deleteCount(fixture.sim)).toBe(0);
  });
});
