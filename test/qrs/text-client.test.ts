/**
 * The shared HTTP client (shared/qrs/http/text-client.ts) against a real local HTTP server:
 * compressed answers, the size bound after decompression, statuses returned as they are, the
 * deadline, and what is sent.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTextClient } from '#shared/qrs/http/text-client.ts';

let server: http.Server;
let baseURL: string;
const seen: Array<{ method?: string; url?: string; body: string; type?: string }> = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({
        method: request.method,
        url: request.url,
        body,
        type: request.headers['content-type'],
      });
      if (request.url?.startsWith('/base/gzip')) {
        response.writeHead(200, { 'Content-Encoding': 'gzip' });
        response.end(gzipSync('x'.repeat(5_000)));
      } else if (request.url?.startsWith('/base/redirect')) {
        response.writeHead(302, { Location: '/elsewhere' });
        response.end('moved');
      } else if (request.url?.startsWith('/base/slow')) {
        setTimeout(() => response.end('late'), 500);
      } else {
        response.writeHead(200, { 'Retry-After': '3' });
        response.end('plain');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/base/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = (maxResponseBytes = 10_000) =>
  createTextClient({
    baseURL,
    agent: new http.Agent({ keepAlive: false }),
    secure: false,
    maxResponseBytes,
  });

describe('the shared HTTP client', () => {
  it('sends the query, the JSON body and the headers; returns status, headers and text', async () => {
    const response = await client().request({
      method: 'POST',
      url: '/echo',
      params: { skip: 0, filter: "name eq 'a b'" },
      data: { columns: [] },
      headers: { 'Content-Type': 'application/json' },
    });

    expect(response).toMatchObject({ status: 200, data: 'plain' });
    expect(response.headers['retry-after']).toBe('3');
    const last = seen.at(-1);
    expect(last?.url).toBe('/base/echo?skip=0&filter=name+eq+%27a+b%27');
    expect(last?.body).toBe('{"columns":[]}');
  });

  it('unpacks a gzip answer, and bounds its size after unpacking', async () => {
    await expect(client().request({ method: 'GET', url: 'gzip' })).resolves.toMatchObject({
      data: 'x'.repeat(5_000),
    });
    await expect(client(1_000).request({ method: 'GET', url: 'gzip' })).rejects.toThrow(
      /maxContentLength size of 1000 exceeded/,
    );
  });

  it('returns a redirect as it is, without following it', async () => {
    await expect(client().request({ method: 'GET', url: 'redirect' })).resolves.toMatchObject({
      status: 302,
      data: 'moved',
    });
  });

  it('fails with ERR_CANCELED when the signal aborts first', async () => {
    await expect(
      client().request({ method: 'GET', url: 'slow', signal: AbortSignal.timeout(50) }),
    ).rejects.toMatchObject({ code: 'ERR_CANCELED' });
  });
});
