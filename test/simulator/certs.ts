/**
 * Test-only PKI for the QRS simulator, generated in memory at start (nothing secret is committed):
 * a CA like the one a Qlik site exports as root.pem, a server certificate for localhost, a client
 * certificate, and the wrong ones the tests need (another CA, an expired client certificate, a
 * server certificate with another name).
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;

import * as x509 from '@peculiar/x509';
import { DAY_MS } from '#test/support/time.ts';

x509.cryptoProvider.set(webcrypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface PemPair {
  cert: string;
  key: string;
}

export interface TestPki {
  /** The site's root CA (root.pem). */
  ca: string;
  server: PemPair;
  client: PemPair;
  /** A CA that signed nothing the server trusts. */
  otherCa: string;
  /** A client certificate signed by `otherCa`. */
  foreignClient: PemPair;
  /** A client certificate from the right CA whose validity ended yesterday. */
  expiredClient: PemPair;
  /** A server certificate from the right CA for `qlik.other.example` only. */
  wrongNameServer: PemPair;
}

interface Issuer {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

let serial = 1;

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function newRsaKeys(bits: number): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: bits,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
}

async function keyPem(keys: CryptoKeyPair): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

async function createCa(
  name: string,
  options: { extendedKeyUsage?: x509.ExtendedKeyUsage[] } = {},
): Promise<Issuer> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 365 * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      ...(options.extendedKeyUsage
        ? [new x509.ExtendedKeyUsageExtension(options.extendedKeyUsage, false)]
        : []),
    ],
  });
  return { cert, keys };
}

async function issue(
  issuer: Issuer,
  subject: string,
  usage: 'server' | 'client',
  options: {
    names?: string[];
    ips?: string[];
    notBefore?: Date;
    notAfter?: Date;
    /** Overrides the purpose's extended key usage. */
    extendedKeyUsage?: x509.ExtendedKeyUsage[];
    /** Added as they are (e.g. a critical extension no checker knows). */
    extraExtensions?: x509.Extension[];
    /** Overrides the key usage (default: digitalSignature). */
    keyUsage?: x509.KeyUsageFlags;
    /** basicConstraints CA:TRUE on what should be an end-entity certificate. */
    ca?: boolean;
    /** An RSA key of this size instead of the usual P-256 key. */
    rsaBits?: number;
  } = {},
): Promise<PemPair> {
  const keys = options.rsaBits ? await newRsaKeys(options.rsaBits) : await newKeys();
  const altNames = [
    ...(options.names ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    subject: `CN=${subject}`,
    issuer: issuer.cert.subject,
    notBefore: options.notBefore ?? new Date(Date.now() - DAY_MS),
    notAfter: options.notAfter ?? new Date(Date.now() + 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(options.ca ?? false, undefined, true),
      new x509.KeyUsagesExtension(options.keyUsage ?? x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(
        options.extendedKeyUsage ?? [
          usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
        ],
        false,
      ),
      ...(altNames.length > 0 ? [new x509.SubjectAlternativeNameExtension(altNames)] : []),
      ...(options.extraExtensions ?? []),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys) };
}

/** An intermediate CA under `issuer`, with a path length limit when given. */
async function issueCa(issuer: Issuer, subject: string, pathLength?: number): Promise<Issuer> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    subject: `CN=${subject}`,
    issuer: issuer.cert.subject,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, pathLength, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
    ],
  });
  return { cert, keys };
}

/** Generates a fresh PKI (about 50 ms). */
export async function createTestPki(): Promise<TestPki> {
  const root = await createCa('QlikClient-test root CA');
  const other = await createCa('Some other CA');
  const yesterday = new Date(Date.now() - DAY_MS);
  return {
    ca: root.cert.toString('pem'),
    server: await issue(root, 'localhost', 'server', { names: ['localhost'], ips: ['127.0.0.1'] }),
    client: await issue(root, 'QlikClient', 'client'),
    otherCa: other.cert.toString('pem'),
    foreignClient: await issue(other, 'QlikClient', 'client'),
    expiredClient: await issue(root, 'QlikClient', 'client', {
      notBefore: new Date(Date.now() - 30 * DAY_MS),
      notAfter: yesterday,
    }),
    wrongNameServer: await issue(root, 'qlik.other.example', 'server', {
      names: ['qlik.other.example'],
    }),
  };
}

/**
 * How a Qlik site's certificates may look (docs/certificates.md): `standard` is a server
 * certificate for server authentication; the other two are the purposes OpenSSL refuses with
 * INVALID_PURPOSE ("unsupported certificate purpose").
 */
export type QlikCertificateVariant =
  | 'standard'
  /** The server certificate's extended key usage names client authentication only. */
  | 'serverClientPurposeOnly'
  /** The CA certificate carries an extended key usage extension without server authentication. */
  | 'caWithExtendedKeyUsage'
  /** Not Qlik's: the client-only purpose plus a critical extension no checker knows (refused). */
  | 'purposeAndUnknownCriticalExtension'
  /**
   * Not Qlik's: a CA with a client-only purpose, then an intermediate limited to no further CA
   * (`pathLength: 0`) that still issues a CA, which issues the server certificate (refused).
   */
  | 'purposeBehindIntermediates'
  /** Not Qlik's: a server certificate whose key usage is only keyCertSign (refused). */
  | 'leafKeyCertSignOnly'
  /** Not Qlik's: Qlik's purpose quirk on a server certificate that is a CA (CA:TRUE; refused). */
  | 'leafIsCa'
  /** A server certificate with a 1024-bit RSA key and the standard purpose (refused). */
  | 'rsa1024'
  /** A 1024-bit RSA key and Qlik's purpose quirk (refused). */
  | 'rsa1024PurposeQuirk';

export interface QlikPkiOptions {
  /** The node's Host.cfg name: server `CN=<name>`, CA `CN=<name>-CA`. */
  name: string;
  variant?: QlikCertificateVariant;
  /** Validity of the server certificate (default: from yesterday for a year). */
  serverNotBefore?: Date;
  serverNotAfter?: Date;
}

/**
 * A PKI shaped like the one Qlik Sense creates on a node: CA `CN=<name>-CA`, server certificate
 * `CN=<name>` without a subject alternative name, client certificate `CN=QlikClient`.
 */
export async function createQlikPki(options: QlikPkiOptions): Promise<TestPki> {
  const variant = options.variant ?? 'standard';
  const root = await createCa(`${options.name}-CA`, {
    ...(variant === 'caWithExtendedKeyUsage' || variant === 'purposeBehindIntermediates'
      ? { extendedKeyUsage: [x509.ExtendedKeyUsage.clientAuth] }
      : {}),
  });
  // The server certificate's issuer, and the intermediates the server sends with it.
  let serverIssuer = root;
  const intermediates: string[] = [];
  if (variant === 'purposeBehindIntermediates') {
    const limited = await issueCa(root, `${options.name}-Intermediate`, 0);
    serverIssuer = await issueCa(limited, `${options.name}-SubCA`);
    intermediates.push(serverIssuer.cert.toString('pem'), limited.cert.toString('pem'));
  }
  const other = await createCa(`${options.name}-CA`);
  const yesterday = new Date(Date.now() - DAY_MS);
  return {
    ca: root.cert.toString('pem'),
    server: await issue(serverIssuer, options.name, 'server', {
      ...(options.serverNotBefore ? { notBefore: options.serverNotBefore } : {}),
      ...(options.serverNotAfter ? { notAfter: options.serverNotAfter } : {}),
      ...(variant === 'serverClientPurposeOnly' ||
      variant === 'purposeAndUnknownCriticalExtension' ||
      variant === 'rsa1024PurposeQuirk' ||
      variant === 'leafIsCa'
        ? { extendedKeyUsage: [x509.ExtendedKeyUsage.clientAuth] }
        : {}),
      ...(variant === 'leafKeyCertSignOnly' ? { keyUsage: x509.KeyUsageFlags.keyCertSign } : {}),
      ...(variant === 'leafIsCa' ? { ca: true } : {}),
      ...(variant === 'rsa1024' || variant === 'rsa1024PurposeQuirk' ? { rsaBits: 1024 } : {}),
      ...(variant === 'purposeAndUnknownCriticalExtension'
        ? { extraExtensions: [new x509.Extension('1.2.3.4.5.6.7', true, new Uint8Array([5, 0]))] }
        : {}),
    }).then((pair) => ({ ...pair, cert: [pair.cert, ...intermediates].join('\n') })),
    client: await issue(root, 'QlikClient', 'client'),
    otherCa: other.cert.toString('pem'),
    foreignClient: await issue(other, 'QlikClient', 'client'),
    expiredClient: await issue(root, 'QlikClient', 'client', {
      notBefore: new Date(Date.now() - 30 * DAY_MS),
      notAfter: yesterday,
    }),
    wrongNameServer: await issue(root, `${options.name}-other`, 'server'),
  };
}
