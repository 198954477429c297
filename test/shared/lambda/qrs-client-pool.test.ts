import { describe, expect, it, vi } from 'vitest';
import { configSchema } from '#shared/config/schema.ts';
import { QrsClientPool } from '#shared/lambda/qrs-client-pool.ts';
import type { QrsClient } from '#shared/qrs/client.ts';

const [SITE] = configSchema.parse({
  sites: [
    {
      name: 'prod',
      qrs: {
        host: 'qlik.example',
        certificates: {
          cert: { ssmParameter: '/c' },
          key: { ssmParameter: '/k' },
          ca: { ssmParameter: '/a' },
        },
      },
    },
  ],
}).sites;
const TLS = { cert: 'cert-1', key: 'key-1', ca: 'ca-1' };

function fakeClient(): QrsClient {
  return { close: vi.fn() } as unknown as QrsClient;
}

describe('QrsClientPool', () => {
  it('reuses the site client across warm invocations while the certificates stay the same', () => {
    // Prepare
    const create = vi.fn(fakeClient);
    const pool = new QrsClientPool(create);
    if (!SITE) throw new Error('no site');

    // Act
    const first = pool.forSite(SITE, TLS);
    const second = pool.forSite(SITE, { ...TLS });

    // Assess
    expect(second).toBe(first);
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('replaces and closes the client when the certificates were rotated', () => {
    // Prepare
    const pool = new QrsClientPool(fakeClient);
    if (!SITE) throw new Error('no site');
    const old = pool.forSite(SITE, TLS);

    // Act
    const rotated = pool.forSite(SITE, { ...TLS, cert: 'cert-2' });

    // Assess
    expect(rotated).not.toBe(old);
    expect(old.close).toHaveBeenCalledTimes(1);
  });
});
