/**
 * The InfluxDB 1 writer on the wire, where a real `influxd` cannot show it (test/support/influx-server.ts answers
 * what it is told): the request, basic authentication or none, a password an answer echoes
 * replaced by `***`, and the retry rule (InfluxDB 1's 500 for a missing retention policy is final,
 * another 500 is retried). The behaviour against InfluxDB itself is in influxd-v1*.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type InfluxDbTarget, InfluxDbWriter } from '#shared/sinks/influxdb/writer.ts';
import { type InfluxServer, startInfluxServer } from '#test/support/influx-server.ts';

const PASSWORD = 'p@ss word:with-colon';
const BASIC = `Basic ${Buffer.from(`steward:${PASSWORD}`).toString('base64')}`;
const LINES = ['qlik_sense_license,license_type=analyzer,site=prod total=20 1772366400000'];

let server: InfluxServer;
beforeEach(async () => {
  server = await startInfluxServer({ token: 'unused-token' });
});
afterEach(async () => {
  await server.close();
});

function writer(target: Partial<InfluxDbTarget>, withPassword = true): InfluxDbWriter {
  return new InfluxDbWriter({
    target: { url: server.url, version: 1, database: 'butler', ...target },
    credentials: async () =>
      withPassword ? { basic: { username: 'steward', password: PASSWORD } } : {},
    sleep: async () => {},
    random: () => 0.5,
  });
}

describe('InfluxDB 1 writer: the request', () => {
  it('POSTs to /write?db&rp&precision=ms with basic authentication', async () => {
    // Prepare
    server.failNext({ status: 204 });

    // Act
    await writer({ retentionPolicy: 'one_year' }).write(LINES);

    // Assess
    const [request] = server.requests;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/write',
      query: { db: 'butler', rp: 'one_year', precision: 'ms' },
      body: `${LINES[0]}\n`,
    });
    expect(request?.headers.authorization).toBe(BASIC);
    expect(request?.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('sends no rp without a retention policy, and no Authorization without credentials', async () => {
    // Prepare
    server.failNext({ status: 204 });

    // Act
    await writer({}, false).write(LINES);

    // Assess
    const [request] = server.requests;
    expect(request?.query).toEqual({ db: 'butler', precision: 'ms' });
    expect(request?.headers).not.toHaveProperty('authorization');
  });
});

describe('InfluxDB 1 writer: failures', () => {
  it('replaces a password or header an answer echoes with ***', async () => {
    // Prepare
    server.failNext({
      status: 401,
      body: JSON.stringify({ error: `bad credentials ${PASSWORD} (${BASIC.slice(6)})` }),
    });

    // Act
    const message = await writer({})
      .write(LINES)
      .then(
        () => 'written',
        (error: unknown) => (error as Error).message,
      );

    // Assess
    expect(message).toBe(
      `InfluxDB write to ${server.url} (database butler) failed, lines 1-1: HTTP 401, the server wants a user name and password, or did not accept them: check destinations.influxdb.username and password: bad credentials *** (***)`,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry a missing retention policy, but retries another 500', async () => {
    // Prepare
    server.failNext(
      { status: 500, body: '{"error":"retention policy not found: forever"}' },
      { status: 500, body: '{"error":"timeout"}' },
      { status: 204 },
    );

    // Act
    const missing = await writer({ retentionPolicy: 'forever' })
      .write(LINES)
      .catch((error: unknown) => (error as Error).message);
    const retried = await writer({}).write(LINES);

    // Assess
    expect(missing).toMatch(
      /failed, lines 1-1: HTTP 500, the retention policy "forever" does not exist in database "butler": check destinations.influxdb.retentionPolicy: retention policy not found: forever$/,
    );
    expect(retried).toEqual({ lines: 1, requests: 2 });
    expect(server.requests).toHaveLength(3);
  });
});
