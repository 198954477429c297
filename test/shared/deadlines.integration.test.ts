/**
 * Deadlines (docs/release.md, "How a run behaves when AWS retries"): a DELETE and its retries end
 * by the deadline the release run gives them, whatever the QRS timeout and retry count say; and
 * the AWS SDK clients give up on a server that accepts connections but never answers.
 */
import net from 'node:net';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsClientDeadlines } from '#shared/aws-clients.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import { QrsTimeoutError } from '#shared/qrs/errors.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import { deleteCount } from '#test/support/harness.ts';

const ID = '00000000-0000-4000-8000-000000000001';
let pki: TestPki;
let sim: Simulator;
let client: QrsClient;

beforeAll(async () => {
  pki = await createTestPki();
});
beforeEach(async () => {
  sim = await startSimulator({ site: createSampleSite(new Date()), pki });
  client = new QrsClient({
    host: 'localhost',
    port: sim.port,
    tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca },
    timeoutMs: 20_000,
    retry: { maxRetries: 5, baseDelayMs: 400, maxDelayMs: 400 },
    random: () => 1,
  });
});
afterEach(async () => {
  client.close();
  await sim.close();
});

describe('a DELETE never outlives its deadline', () => {
  it('P10 an attempt is cut at the deadline, not at the 20 s QRS timeout', async () => {
    sim.faults.push({ method: 'DELETE', route: /accesstype\//, hang: true });
    const started = Date.now();

    const outcome = client.deleteAllocation('professional', ID, { deadlineAt: started + 300 });

    await expect(outcome).rejects.toBeInstanceOf(QrsTimeoutError);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('P10 no retry starts whose wait would pass the deadline', async () => {
    sim.faults.push({ method: 'DELETE', route: /accesstype\//, status: 503 });

    const outcome = client.deleteAllocation('professional', ID, { deadlineAt: Date.now() + 300 });

    await expect(outcome).rejects.toThrow(/503/);
    expect(deleteCount(sim)).toBe(1);
  });

  it('without a deadline the retries run as configured', async () => {
    sim.faults.push({ method: 'DELETE', route: /accesstype\//, status: 503, times: 2 });

    await client.deleteAllocation('professional', ID);

    expect(deleteCount(sim)).toBe(3);
  });
});

describe('AWS SDK clients have deadlines', () => {
  let silent: net.Server;
  let port: number;
  const sockets = new Set<net.Socket>();
  beforeAll(async () => {
    // Accepts connections and never answers: what a stuck endpoint looks like.
    silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('P10 gives up with a TimeoutError after the bounded attempts (project settings, shorter times)', async () => {
    const ssm = new SSMClient({
      ...awsClientDeadlines({ connectionTimeout: 200, requestTimeout: 300 }),
      region: 'eu-north-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const started = Date.now();

    const error = await ssm.send(new GetParametersCommand({ Names: ['/x'] })).catch((e) => e);

    expect((error as Error).name).toBe('TimeoutError');
    expect((error as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(3);
    expect(Date.now() - started).toBeLessThan(10_000);
    ssm.destroy();
  });

  it('the defaults: 3 s to connect, 10 s without an answer, 3 attempts', () => {
    expect(awsClientDeadlines()).toEqual({
      maxAttempts: 3,
      requestHandler: {
        connectionTimeout: 3_000,
        requestTimeout: 10_000,
        throwOnRequestTimeout: true,
      },
    });
  });
});
