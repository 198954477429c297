/**
 * The OIDs of a certificate's critical extensions, read from its DER. Node's X509Certificate does
 * not expose criticality, and OpenSSL reports only its last error: when it refuses a Qlik server
 * certificate for its purpose, an unknown critical extension it also found goes unreported. The
 * purpose override (qlik-server-certificate.ts) therefore refuses any critical extension it does
 * not know itself. A DER it cannot read is reported as `undefined`: no override then.
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

export function criticalExtensions(certificate: X509Certificate): string[] | undefined {
  try {
    const der = certificate.raw;
    const outer = readTlv(der, 0, der.length);
    const tbs = children(der, outer)[0];
    if (outer.tag !== SEQUENCE || tbs?.tag !== SEQUENCE) return undefined;
    const wrapper = children(der, tbs).find((child) => child.tag === EXTENSIONS);
    if (!wrapper) return [];
    const [list] = children(der, wrapper);
    if (list?.tag !== SEQUENCE) return undefined;
    const critical: string[] = [];
    for (const extension of children(der, list)) {
      const [id, flag] = children(der, extension);
      if (id?.tag !== OID) return undefined;
      if (flag?.tag === BOOLEAN && der[flag.start] !== 0)
        critical.push(dotted(der.subarray(id.start, id.end)));
    }
    return critical;
  } catch {
    return undefined;
  }
}
