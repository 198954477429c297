/**
 * One way to make AWS clients (shared/aws-clients.ts): every client the project makes has the
 * deadlines (throwOnRequestTimeout included, which the run ledger's time budget depends on),
 * sinks get a lazy client provider (a client is made on the first write, once per destination),
 * and `sinksFromConfig` builds the release report sink, last, when the topic is set.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lazyClient } from '#shared/aws-clients.ts';
import { REPORT_TOPIC_ENV } from '#shared/env-names.ts';
import { sinksFromConfig } from '#shared/sinks/from-config.ts';
import { createSnsClient } from '#shared/sinks/release-report/sns.ts';
import { createTimestreamClient } from '#shared/sinks/timestream/client.ts';

let server: Server;
let requests = 0;
beforeAll(async () => {
  // Answers every request at once with an AWS-style error: enough for a client to have resolved
  // its settings, without waiting for anything.
  server = createServer((request, response) => {
    requests++;
    request.resume();
    response.writeHead(400, { 'content-type': 'text/xml' }).end('<ErrorResponse/>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface HandlerSettings {
  connectionTimeout?: number;
  requestTimeout?: number;
  throwOnRequestTimeout?: boolean;
}
const settingsOf = (client: SNSClient | TimestreamWriteClient) =>
  (
    client.config.requestHandler as unknown as { httpHandlerConfigs(): HandlerSettings }
  ).httpHandlerConfigs();

describe('AWS clients', () => {
  it('the release report SNS client throws on a request timeout, within short deadlines', async () => {
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    vi.stubEnv('AWS_REGION', 'eu-north-1');
    vi.stubEnv('AWS_ENDPOINT_URL_SNS', endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const client = createSnsClient();
    const before = requests;

    await client
      .send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-north-1:1:t', Message: 'x' }))
      .catch(() => undefined);

    expect(requests - before).toBeGreaterThan(0);
    expect(settingsOf(client)).toMatchObject({
      connectionTimeout: 3_000,
      requestTimeout: 5_000,
      throwOnRequestTimeout: true,
    });
    expect(await client.config.maxAttempts()).toBe(2);
    client.destroy();
  });

  it('the Timestream client makes five attempts (adaptive retries)', async () => {
    const client = createTimestreamClient();
    expect(await client.config.maxAttempts()).toBe(5);
    client.destroy();
  });

  it('a lazy client is made on first use, once, and never just to be destroyed', () => {
    const make = vi.fn(() => ({ id: Math.random() }));
    const provider = lazyClient(make);
    const destroyed: unknown[] = [];

    provider.ifMade((client) => destroyed.push(client));
    expect(make).not.toHaveBeenCalled();
    const first = provider();
    expect(provider()).toBe(first);
    provider.ifMade((client) => destroyed.push(client));

    expect(make).toHaveBeenCalledTimes(1);
    expect(destroyed).toEqual([first]);
  });
});

describe('sinksFromConfig', () => {
  const destinations = {
    timestream: {
      enable: true,
      database: 'license_steward',
      usageTable: 'license_usage',
      releaseTable: 'license_release',
    },
    cloudwatch: { enable: false, namespace: 'LicenseSteward' },
    tags: [],
  };
  const sites = [{ name: 'prod', licenseRelease: { report: { dryRuns: false } } }];

  it('makes no Timestream client until a sink writes', async () => {
    const timestream = vi.fn(() => ({ destroy: vi.fn() }) as unknown as TimestreamWriteClient);
    const sinks = await sinksFromConfig(destinations, { timestream });

    sinks.close();

    expect(sinks.usage.map((sink) => sink.name)).toEqual(['timestream']);
    expect(timestream).not.toHaveBeenCalled();
  });

  it('adds the release report sink last when the topic is set, and none without it', async () => {
    const send = vi.fn(async () => ({}));
    const sns = () => ({ send }) as unknown as Pick<SNSClient, 'send'>;

    const withTopic = await sinksFromConfig(
      destinations,
      { sns },
      { sites, env: { [REPORT_TOPIC_ENV]: 'arn:aws:sns:eu-north-1:1:report' } },
    );
    const without = await sinksFromConfig(destinations, { sns }, { sites, env: {} });

    expect(withTopic.release.map((sink) => sink.name)).toEqual(['timestream', 'report']);
    expect(withTopic.usage.map((sink) => sink.name)).toEqual(['timestream']);
    expect(without.release.map((sink) => sink.name)).toEqual(['timestream']);
    expect(send).not.toHaveBeenCalled();
  });
});
