/**
 * QRS clients kept across warm invocations, one per site: the TLS session and kept-alive socket
 * are reused. A client is replaced when the certificates from SSM change (after a rotation).
 */
import type { SiteConfig } from '#shared/config/schema.ts';
import type { QrsClient, QrsTlsMaterial } from '#shared/qrs/client.ts';

export type QrsClientFactory = (site: SiteConfig, tls: QrsTlsMaterial) => QrsClient;

export class QrsClientPool {
  private readonly clients = new Map<string, { tls: QrsTlsMaterial; client: QrsClient }>();
  private readonly create: QrsClientFactory;

  constructor(create: QrsClientFactory) {
    this.create = create;
  }

  forSite(site: SiteConfig, tls: QrsTlsMaterial): QrsClient {
    const cached = this.clients.get(site.name);
    if (cached && sameTls(cached.tls, tls)) {
      // Each invocation is a run: reads start again at the first node.
      cached.client.beginRun();
      return cached.client;
    }
    cached?.client.close();
    const client = this.create(site, tls);
    this.clients.set(site.name, { tls, client });
    return client;
  }
}

function sameTls(a: QrsTlsMaterial, b: QrsTlsMaterial): boolean {
  return a.cert === b.cert && a.key === b.key && a.ca === b.ca;
}
