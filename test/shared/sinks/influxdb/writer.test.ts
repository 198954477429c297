/**
 * The InfluxDB writer against a real local HTTP(S) server speaking InfluxDB's v2 and v3 write APIs
 * (test/support/influx-server.ts): endpoints and authentication, batching, retries, errors that say what to fix, the
 * token kept out of every message, TLS verified against the server's CA.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  InfluxDbWriteError,
  InfluxDbWriter,
  type InfluxDbWriterOptions,
} from '#shared/sinks/influxdb/writer.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type InfluxServer, startInfluxServer } from '#test/support/influx-server.ts';

const lowerHex = (text: string) => text.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
const TOKEN = 'tok_Zm9vYmFyLXNlY3JldC10b2tlbi0xMjM0NTY3ODkw==';
const LINES = [
  'qlik_sense_license,license_type=analyzer,site=prod total=20 1772366400000',
  'qlik_sense_license,license_type=professional,site=prod total=10 1772366400000',
  'qlik_sense_license,license_type=tokens_available,site=prod total_tokens=0 1772366400000',
];

let pki: TestPki;
let server: InfluxServer | undefined;
beforeAll(async () => {
  pki = await createTestPki();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function v2Server(tls = false): Promise<InfluxServer> {
  server = await startInfluxServer({
    token: TOKEN,
    org: 'qlik-ops',
    bucket: 'butler',
    ...(tls ? { tls: pki.server } : {}),
  });
  return server;
}

function writerFor(
  target: InfluxServer,
  overrides: Partial<InfluxDbWriterOptions> = {},
  sleeps: number[] = [],
): InfluxDbWriter {
  return new InfluxDbWriter({
    target: { url: target.url, version: 2, org: 'qlik-ops', bucket: 'butler' },
    credentials: async () => ({ token: TOKEN }),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
}

describe('InfluxDB writer: the write APIs', () => {
  it('InfluxDB 2: POST /api/v2/write?org&bucket&precision=ms with "Authorization: Token …"', async () => {
    // Prepare
    const target = await v2Server();

    // Act
    const summary = await writerFor(target).write(LINES);

    // Assess
    expect(summary).toEqual({ lines: 3, requests: 1 });
    const [request] = target.requests;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/api/v2/write',
      query: { org: 'qlik-ops', bucket: 'butler', precision: 'ms' },
      status: 204,
    });
    expect(request?.headers.authorization).toBe(`Token ${TOKEN}`);
    expect(request?.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(target.lines).toEqual(LINES);
    expect(target.points.map((point) => point.tags.license_type)).toEqual([
      'analyzer',
      'professional',
      'tokens_available',
    ]);
  });

  it('InfluxDB 3: POST /api/v3/write_lp?db&precision=millisecond&accept_partial=false with a Bearer token', async () => {
    // Prepare
    server = await startInfluxServer({ token: TOKEN, database: 'qlik_licenses' });
    const writer = new InfluxDbWriter({
      target: { url: server.url, version: 3, database: 'qlik_licenses' },
      credentials: async () => ({ token: TOKEN }),
    });

    // Act
    await writer.write(LINES);

    // Assess
    expect(server.requests[0]).toMatchObject({
      path: '/api/v3/write_lp',
      query: { db: 'qlik_licenses', precision: 'millisecond', accept_partial: 'false' },
      status: 204,
    });
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(server.lines).toEqual(LINES);
  });

  it('sends gzip when asked, and the server reads the same lines', async () => {
    // Prepare
    const target = await v2Server();

    // Act
    await writerFor(target, { gzip: true }).write(LINES);

    // Assess
    expect(target.requests[0]?.headers['content-encoding']).toBe('gzip');
    expect(target.lines).toEqual(LINES);
  });

  it('writes in batches of batchSize lines, in order', async () => {
    // Prepare
    const target = await v2Server();
    const lines = Array.from(
      { length: 7 },
      (_, index) => `m,site=prod n=${index} ${1772366400000 + index}`,
    );

    // Act
    const summary = await writerFor(target, { batchSize: 3 }).write(lines);

    // Assess
    expect(summary).toEqual({ lines: 7, requests: 3 });
    expect(target.requests.map((request) => request.body.trim().split('\n').length)).toEqual([
      3, 3, 1,
    ]);
    expect(target.lines).toEqual(lines);
  });

  it('sends nothing for no lines (and asks for no token)', async () => {
    // Prepare
    const target = await v2Server();
    let asked = 0;

    // Act
    const summary = await writerFor(target, {
      credentials: async () => {
        asked++;
        return { token: TOKEN };
      },
    }).write([]);

    // Assess
    expect(summary).toEqual({ lines: 0, requests: 0 });
    expect(target.requests).toHaveLength(0);
    expect(asked).toBe(0);
  });
});

describe('InfluxDB writer: retries', () => {
  it('retries 503 with backoff and then succeeds', async () => {
    // Prepare
    const target = await v2Server();
    target.failNext({ status: 503 }, { status: 503 });
    const sleeps: number[] = [];

    // Act
    const summary = await writerFor(target, {}, sleeps).write(LINES);

    // Assess
    expect(summary.requests).toBe(3);
    expect(target.requests.map((request) => request.status)).toEqual([503, 503, 204]);
    expect(target.lines).toEqual(LINES);
    // Full jitter at random() = 0.5 of 500 ms, then 1000 ms.
    expect(sleeps).toEqual([250, 500]);
  });

  it("waits what 429's Retry-After says (capped at 10 s)", async () => {
    // Prepare
    const target = await v2Server();
    target.failNext(
      { status: 429, headers: { 'Retry-After': '3' } },
      { status: 429, headers: { 'Retry-After': '3600' } },
    );
    const sleeps: number[] = [];

    // Act
    await writerFor(target, {}, sleeps).write(LINES);

    // Assess
    expect(sleeps).toEqual([3000, 10_000]);
    expect(target.lines).toEqual(LINES);
  });

  it('gives up after maxRetries with an error saying how often it tried', async () => {
    // Prepare
    const target = await v2Server();
    target.failNext(...Array.from({ length: 5 }, () => ({ status: 502 })));

    // Act
    const write = writerFor(target, { maxRetries: 2 }).write(LINES);

    // Assess
    await expect(write).rejects.toThrow(
      `InfluxDB write to ${target.url} (org qlik-ops, bucket butler) failed (after 3 attempts), lines 1-3: HTTP 502`,
    );
    expect(target.requests).toHaveLength(3);
  });

  it('retries a request that gets no answer in time', async () => {
    // Prepare
    const target = await v2Server();
    target.failNext({ status: 204, delayMs: 1_000 });

    // Act
    await writerFor(target, { timeoutMs: 200 }).write(LINES);

    // Assess
    expect(target.requests).toHaveLength(2);
    expect(target.lines).toEqual(LINES);
  });

  it('does not retry 401 and says to check the token, without showing it', async () => {
    // Prepare
    const target = await v2Server();
    const writer = writerFor(target, { credentials: async () => ({ token: 'wrong-token-value' }) });

    // Act
    const error = await writer.write(LINES).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(InfluxDbWriteError);
    expect((error as InfluxDbWriteError).status).toBe(401);
    expect((error as Error).message).toBe(
      `InfluxDB write to ${target.url} (org qlik-ops, bucket butler) failed, lines 1-3: HTTP 401, the token was not accepted: check destinations.influxdb.token (an API token of this InfluxDB): unauthorized access`,
    );
    expect(target.requests).toHaveLength(1);
    expect(JSON.stringify(error)).not.toContain('wrong-token-value');
    expect((error as Error).cause).toBeUndefined();
  });

  it('blanks the token out of an answer that echoes it', async () => {
    // Prepare
    const target = await v2Server();
    target.failNext({
      status: 403,
      body: JSON.stringify({ message: `token ${TOKEN} is read-only` }),
    });

    // Act
    const error = (await writerFor(target)
      .write(LINES)
      .catch((caught: unknown) => caught)) as Error;

    // Assess
    expect(error.message).toContain(
      'HTTP 403, the token may not write to org "qlik-ops" / bucket "butler": token *** is read-only',
    );
    expect(error.message).not.toContain(TOKEN);
  });

  it.each([
    ['echoed past the 300-character cut', (token: string) => `${'x'.repeat(280)} ${token}`],
    ['URL-encoded', (token: string) => `bad query ?token=${encodeURIComponent(token)}`],
    ['URL-encoded, lower-case hex', (token: string) => `q=${lowerHex(encodeURIComponent(token))}`],
    ['base64', (token: string) => `header ${Buffer.from(token).toString('base64')}`],
  ])('blanks a token %s, before the message is cut', async (_, echo) => {
    // Prepare: a token with characters that URL encoding changes.
    const token = 'tok/Abc+def=ghi&jkl%mno?pqr';
    const target = await startInfluxServer({ token, org: 'qlik-ops', bucket: 'butler' });
    server = target;
    target.failNext({ status: 400, body: JSON.stringify({ message: echo(token) }) });

    // Act
    const error = (await writerFor(target, { credentials: async () => ({ token }) })
      .write(LINES)
      .catch((caught: unknown) => caught)) as Error;

    // Assess: no 8 characters of the token in any form survive.
    const forms = [
      token,
      encodeURIComponent(token),
      lowerHex(encodeURIComponent(token)),
      Buffer.from(token).toString('base64'),
    ];
    for (const form of forms)
      for (let start = 0; start + 8 <= form.length; start++)
        expect(error.message).not.toContain(form.slice(start, start + 8));
  });

  it('does not retry 404 and names the bucket', async () => {
    // Prepare
    const target = await v2Server();
    const writer = new InfluxDbWriter({
      target: { url: target.url, version: 2, org: 'qlik-ops', bucket: 'nope' },
      credentials: async () => ({ token: TOKEN }),
    });

    // Act / Assess
    await expect(writer.write(LINES)).rejects.toThrow(
      'HTTP 404, org "qlik-ops" / bucket "nope" or the write API was not found: check destinations.influxdb (url, version, org, bucket): bucket "nope" not found',
    );
    expect(target.requests).toHaveLength(1);
  });

  it('does not retry a 400 and passes on what InfluxDB says about the data', async () => {
    // Prepare
    const target = await v2Server();

    // Act / Assess
    await expect(writerFor(target).write(['m,t=a b f=1 1772366400000'])).rejects.toThrow(
      /HTTP 400, InfluxDB rejected the data: line 1: field b has no "="/,
    );
    expect(target.requests).toHaveLength(1);
  });
});

describe('InfluxDB writer: TLS', () => {
  it('verifies the server against the configured CA (added to the public ones)', async () => {
    // Prepare
    const target = await v2Server(true);

    // Act
    await writerFor(target, { credentials: async () => ({ token: TOKEN, ca: pki.ca }) }).write(
      LINES,
    );

    // Assess
    expect(target.url).toMatch(/^https:/);
    expect(target.lines).toEqual(LINES);
  });

  it('refuses a server its CAs do not vouch for, once, with what to do', async () => {
    // Prepare
    const target = await v2Server(true);

    // Act
    const write = writerFor(target, {
      credentials: async () => ({ token: TOKEN, ca: pki.otherCa }),
    }).write(LINES);

    // Assess
    await expect(write).rejects.toThrow(
      /TLS: the server certificate was not accepted .*set destinations\.influxdb\.ca/,
    );
    expect(target.requests).toHaveLength(0);
  });
});
