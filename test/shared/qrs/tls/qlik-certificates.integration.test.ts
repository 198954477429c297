/**
 * Qlik's own certificates over real mTLS: CA `CN=<name>-CA`, server `CN=<name>` without a subject
 * alternative name, and the purposes OpenSSL refuses (INVALID_PURPOSE). Each variant is accepted
 * with the right CA, dates and name, and refused, before any request is sent, otherwise.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QrsClient, type QrsTlsMaterial } from '#shared/qrs/client.ts';
import { QrsTlsError } from '#shared/qrs/errors.ts';
import { createQlikPki, type QlikCertificateVariant, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import { runCliCaptured } from '#test/support/cli.ts';
import { DAY_MS } from '#test/support/time.ts';

const NODE = 'qliknode1';
const VARIANTS: QlikCertificateVariant[] = [
  'standard',
  'serverClientPurposeOnly',
  'caWithExtendedKeyUsage',
];

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const each of open.splice(0)) await each.close();
});

async function site(pki: TestPki): Promise<Simulator> {
  const sim = await startSimulator({ site: createSampleSite(), pki });
  open.push(sim);
  return sim;
}

function client(
  sim: Simulator,
  options: { servername?: string; tls?: Partial<QrsTlsMaterial> } = {},
): QrsClient {
  const qrs = new QrsClient({
    host: '127.0.0.1',
    port: sim.port,
    ...(options.servername !== undefined ? { servername: options.servername } : {}),
    tls: { cert: sim.pki.client.cert, key: sim.pki.client.key, ca: sim.pki.ca, ...options.tls },
    retry: { maxRetries: 0 },
    timeoutMs: 5_000,
  });
  open.push(qrs);
  return qrs;
}

async function refusal(qrs: QrsClient): Promise<QrsTlsError> {
  const error = await qrs.getLicense().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(QrsTlsError);
  return error as QrsTlsError;
}

describe.each(VARIANTS)('Qlik-like certificates, variant %s', (variant) => {
  it('accepted with the site root.pem and servername = the node name', async () => {
    const sim = await site(await createQlikPki({ name: NODE, variant }));

    const license = await client(sim, { servername: NODE }).getLicense();

    expect(license.serial).toBe('9999000000001277');
    expect(sim.requestCount('GET /qrs/license')).toBe(1);
  });

  it('refused with a foreign CA of the same name, no request sent', async () => {
    const pki = await createQlikPki({ name: NODE, variant });
    const sim = await site(pki);

    const error = await refusal(client(sim, { servername: NODE, tls: { ca: pki.otherCa } }));

    expect(error.code).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    expect(error.message).toMatch(
      `certificate CN=${NODE} is not signed by the configured CA: it is issued by CN=${NODE}-CA`,
    );
    expect(error.message).toMatch(/Use root\.pem exported from this site's QMC \(wrong CA\?\)/);
    expect(sim.requestCount()).toBe(0);
  });

  it('refused when the server certificate has expired, naming it, no request sent', async () => {
    const sim = await site(
      await createQlikPki({
        name: NODE,
        variant,
        serverNotBefore: new Date(Date.now() - 400 * DAY_MS),
        serverNotAfter: new Date(Date.now() - 2 * DAY_MS),
      }),
    );

    const error = await refusal(client(sim, { servername: NODE }));

    expect(error.code).toBe('CERT_HAS_EXPIRED');
    expect(error.message).toMatch(
      new RegExp(`the server's certificate CN=${NODE} expired on \\d{4}-\\d{2}-\\d{2}: renew`),
    );
    expect(sim.requestCount()).toBe(0);
  });

  it('refused when the server certificate is not yet valid, no request sent', async () => {
    const sim = await site(
      await createQlikPki({
        name: NODE,
        variant,
        serverNotBefore: new Date(Date.now() + DAY_MS),
        serverNotAfter: new Date(Date.now() + 400 * DAY_MS),
      }),
    );

    const error = await refusal(client(sim, { servername: NODE }));

    expect(error.code).toBe('CERT_NOT_YET_VALID');
    expect(error.message).toMatch(/is not valid before .*check the clock/);
    expect(sim.requestCount()).toBe(0);
  });

  it('refused for a wrong name, naming the certificate CN and the servername to set', async () => {
    const sim = await site(await createQlikPki({ name: NODE, variant }));

    const error = await refusal(client(sim, { servername: 'qlik.corp.example' }));

    expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(error.message).toContain(
      `does not name this host "qlik.corp.example": it names CN=${NODE}, no subject alternative names. Set \`servername: ${NODE}\``,
    );
    expect(error.message).toMatch(/Host\.cfg/);
    expect(sim.requestCount()).toBe(0);
  });

  it('refused when reached by IP without servername (Qlik certificates have no IP)', async () => {
    const sim = await site(await createQlikPki({ name: NODE, variant }));

    const error = await refusal(client(sim));

    expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(error.message).toMatch(/does not name this host "127\.0\.0\.1"/);
    expect(sim.requestCount()).toBe(0);
  });
});

describe("the purpose override is for Qlik's layout only", () => {
  // OpenSSL reports its last error only: INVALID_PURPOSE can hide a path-length violation or an
  // unknown critical extension. Neither may be accepted by the in-code check.
  it.each([
    ['purposeAndUnknownCriticalExtension', /critical extension\(s\) 1\.2\.3\.4\.5\.6\.7/],
    ['purposeBehindIntermediates', /2 intermediate CA\(s\)/],
  ] as const)('%s: refused, no request sent', async (variant, advice) => {
    const sim = await site(await createQlikPki({ name: NODE, variant }));

    const error = await refusal(client(sim, { servername: NODE }));

    expect(error.message).toMatch(advice);
    expect(sim.requestCount()).toBe(0);
  });
});

describe('the purpose override accepts server certificates only', () => {
  // OpenSSL's INVALID_PURPOSE also covers key usage and CA certificates as leaves: the in-code
  // check must not accept what OpenSSL refused for those reasons (docs/certificates.md).
  it.each([
    ['leafKeyCertSignOnly', 'EE_KEY_USAGE', /key usage that does not allow a TLS server/],
    ['leafIsCa', 'EE_IS_CA', /is a CA certificate \(basicConstraints CA:TRUE\)/],
  ] as const)('%s: refused, no request sent', async (variant, code, advice) => {
    // TLS 1.3: at 1.2 the server cannot sign the handshake with such a key at all.
    const pki = await createQlikPki({ name: NODE, variant });
    const sim = await startSimulator({ site: createSampleSite(), pki, tlsMaxVersion: 'TLSv1.3' });
    open.push(sim);

    const error = await refusal(client(sim, { servername: NODE }));

    expect(error.code).toBe(code);
    expect(error.message).toMatch(advice);
    expect(sim.requestCount()).toBe(0);
  });

  it("the site's own client certificate presented as the server's is refused, no request sent", async () => {
    const pki = await createQlikPki({ name: NODE });
    const sim = await startSimulator({ site: createSampleSite(), pki, serverCert: pki.client });
    open.push(sim);

    const error = await refusal(client(sim, { servername: 'QlikClient' }));

    expect(error.code).toBe('SERVER_IS_CLIENT_CERTIFICATE');
    expect(error.message).toMatch(/this site's own client certificate/);
    expect(sim.requestCount()).toBe(0);
  });

  it.each(['rsa1024', 'rsa1024PurposeQuirk'] as const)(
    'a 1024-bit RSA server key is refused on both paths (%s), no request sent',
    async (variant) => {
      const sim = await site(await createQlikPki({ name: NODE, variant }));

      const error = await refusal(client(sim, { servername: NODE }));

      expect(error.code).toBe('EE_KEY_TOO_SMALL');
      expect(error.message).toMatch(/RSA key of 1024 bits \(at least 2048 needed\)/);
      expect(sim.requestCount()).toBe(0);
    },
  );
});

describe('the CLI with Qlik-like certificates', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function config(pki: TestPki, port: number, servername: string): Promise<string> {
    dir = await mkdtemp(path.join(tmpdir(), 'license-steward-qlik-'));
    await writeFile(path.join(dir, 'client.pem'), pki.client.cert);
    await writeFile(path.join(dir, 'client_key.pem'), pki.client.key);
    await writeFile(path.join(dir, 'root.pem'), pki.ca);
    const file = path.join(dir, 'config.yaml');
    await writeFile(
      file,
      `sites:
  - name: qlik
    qrs:
      host: 127.0.0.1
      port: ${port}
      servername: ${servername}
      maxRetries: 0
      certificates:
        cert: { file: ./client.pem }
        key: { file: ./client_key.pem }
        ca: { file: ./root.pem }
    licenseRelease:
      enable: true
      schedule: cron(0 2 * * ? *)
      licenseType:
        professional: { enable: true, releaseThresholdDays: 60 }
`,
    );
    return file;
  }

  it.each(VARIANTS)('monitor and release --dry-run succeed (%s)', async (variant) => {
    const pki = await createQlikPki({ name: NODE, variant });
    const sim = await site(pki);
    const file = await config(pki, sim.port, NODE);

    const monitor = await runCliCaptured(['monitor', '--config', file, '--json']);
    const release = await runCliCaptured(['release', '--config', file, '--dry-run', '--json']);

    expect(monitor.code).toBe(0);
    expect(JSON.parse(monitor.stdout).sites[0].professional.total).toBe(10);
    expect(release.code).toBe(0);
    expect(JSON.parse(release.stdout).sites[0].candidates.length).toBeGreaterThan(0);
    expect(sim.requestCount('DELETE /qrs/license/professionalaccesstype/{id}')).toBe(0);
  });

  it('monitor fails with the fix in the message when servername is wrong, purpose variant too', async () => {
    const pki = await createQlikPki({ name: NODE, variant: 'serverClientPurposeOnly' });
    const sim = await site(pki);
    const file = await config(pki, sim.port, 'qlik.corp.example');

    const monitor = await runCliCaptured(['monitor', '--config', file, '--json']);

    expect(monitor.code).toBe(1);
    expect(JSON.parse(monitor.stdout).sites[0].error).toMatch(`Set \`servername: ${NODE}\``);
    expect(sim.requestCount()).toBe(0);
  });
});
