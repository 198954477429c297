/**
 * A certificate's critical extensions and its key usage bits, read from its DER: node's
 * X509Certificate exposes neither (its `keyUsage` is the extended key usage). OpenSSL reports
 * only its last error: when it refuses a Qlik server certificate for its purpose, an unknown
 * critical extension or a key usage that forbids a TLS server goes unreported. The purpose
 * override (qlik-server-certificate.ts) therefore checks both itself. A DER it cannot read is
 * reported as `undefined`: no override then.
 */
import type { X509Certificate } from 'node:crypto';

interface Tlv {
  tag: number;
  /** Content start and end (exclusive) in the buffer. */
  start: number;
  end: number;
}

function readTlv(der: Buffer, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new RangeError('truncated DER');
  const tag = der[offset] as number;
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > limit) throw new RangeError('bad DER length');
    length = 0;
    for (let index = 0; index < bytes; index++)
      length = length * 256 + (der[start + index] as number);
    start += bytes;
  }
  if (start + length > limit) throw new RangeError('DER beyond its container');
  return { tag, start, end: start + length };
}

function children(der: Buffer, parent: Tlv): Tlv[] {
  const list: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = readTlv(der, offset, parent.end);
    list.push(child);
    offset = child.end;
  }
  return list;
}

/** `2.5.29.19` from the OID's content bytes. */
function dotted(bytes: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (arcs.length === 0) {
        // The first value holds two arcs: 40 × first + second (first is 0, 1 or 2).
        const first = Math.min(2, Math.floor(value / 40));
        arcs.push(first, value - first * 40);
      } else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

const SEQUENCE = 0x30;
const EXTENSIONS = 0xa3; // [3] EXPLICIT in TBSCertificate
const OID = 0x06;
const BOOLEAN = 0x01;
const OCTET_STRING = 0x04;

interface Extension {
  oid: string;
  critical: boolean;
  /** The extension's value (the content of its OCTET STRING). */
  value: Buffer;
}

/** Every extension of the certificate, or `undefined` when its DER cannot be read. */
function extensionsOf(certificate: X509Certificate): Extension[] | undefined {
  try {
    const der = certificate.raw;
    const outer = readTlv(der, 0, der.length);
    const tbs = children(der, outer)[0];
    if (outer.tag !== SEQUENCE || tbs?.tag !== SEQUENCE) return undefined;
    const wrapper = children(der, tbs).find((child) => child.tag === EXTENSIONS);
    if (!wrapper) return [];
    const [list] = children(der, wrapper);
    if (list?.tag !== SEQUENCE) return undefined;
    const extensions: Extension[] = [];
    for (const extension of children(der, list)) {
      const parts = children(der, extension);
      const [id, flag] = parts;
      const value = parts[parts.length - 1];
      if (id?.tag !== OID || value?.tag !== OCTET_STRING) return undefined;
      extensions.push({
        oid: dotted(der.subarray(id.start, id.end)),
        critical: flag?.tag === BOOLEAN && der[flag.start] !== 0,
        value: der.subarray(value.start, value.end),
      });
    }
    return extensions;
  } catch {
    return undefined;
  }
}

export function criticalExtensions(certificate: X509Certificate): string[] | undefined {
  return extensionsOf(certificate)
    ?.filter((extension) => extension.critical)
    .map((extension) => extension.oid);
}

const KEY_USAGE = '2.5.29.15';
const BIT_STRING = 0x03;

export interface KeyUsage {
  digitalSignature: boolean;
  keyEncipherment: boolean;
  keyCertSign: boolean;
}

/**
 * The key usage extension's bits (RFC 5280 4.2.1.3): `null` when the certificate has none (any
 * use allowed), `undefined` when it cannot be read.
 */
export function keyUsageOf(certificate: X509Certificate): KeyUsage | null | undefined {
  const extension = extensionsOf(certificate)?.find((each) => each.oid === KEY_USAGE);
  if (extension === undefined) return extensionsOf(certificate) ? null : undefined;
  try {
    const bits = readTlv(extension.value, 0, extension.value.length);
    if (bits.tag !== BIT_STRING || bits.end - bits.start < 2) return undefined;
    // The first content byte counts the unused bits; bit 0 is the first byte's highest bit.
    const first = extension.value[bits.start + 1] as number;
    return {
      digitalSignature: (first & 0x80) !== 0,
      keyEncipherment: (first & 0x20) !== 0,
      keyCertSign: (first & 0x04) !== 0,
    };
  } catch {
    return undefined;
  }
}

const BASIC_CONSTRAINTS = '2.5.29.19';

/**
 * Whether basicConstraints says CA:TRUE. Node's `X509Certificate.ca` is OpenSSL's "may act as a
 * CA", false for CA:TRUE without keyCertSign: a leaf claiming to be a CA must be seen as one.
 * `undefined` when it cannot be read.
 */
export function claimsCa(certificate: X509Certificate): boolean | undefined {
  const extensions = extensionsOf(certificate);
  if (!extensions) return undefined;
  const extension = extensions.find((each) => each.oid === BASIC_CONSTRAINTS);
  if (!extension) return false;
  try {
    const sequence = readTlv(extension.value, 0, extension.value.length);
    if (sequence.tag !== SEQUENCE) return undefined;
    const [first] = children(extension.value, sequence);
    return first?.tag === BOOLEAN && extension.value[first.start] !== 0;
  } catch {
    return undefined;
  }
}
