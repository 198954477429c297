/**
 * A site's certificates in one home (shared/certificates/): which SSM parameters a site uses, and
 * what is wrong with a PEM set, on certificates made for this run (a CA, a client pair, a foreign
 * CA's client, an expired client).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectPemSet } from '#shared/certificates/pem-set.ts';
import { certificateParameters } from '#shared/certificates/sources.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});

const codes = (result: ReturnType<typeof inspectPemSet>) =>
  result.problems.map((problem) => `${problem.kind}:${problem.code}`);

describe('certificateParameters', () => {
  it('names the SSM parameters in kind order and the kinds that are files', () => {
    const result = certificateParameters({
      cert: { ssmParameter: '/ls/prod/cert' },
      key: { file: './client_key.pem' },
      ca: { ssmParameter: '/ls/prod/ca' },
    });
    expect(result.names).toEqual(['/ls/prod/cert', '/ls/prod/ca']);
    expect(result.byKind).toEqual({ cert: '/ls/prod/cert', ca: '/ls/prod/ca' });
    expect(result.notInSsm).toEqual(['key']);
  });
});

describe('inspectPemSet', () => {
  it('finds nothing wrong with one export of the site, at any check level', () => {
    const set = { cert: pki.client.cert, key: pki.client.key, ca: pki.ca };
    expect(inspectPemSet(set).problems).toEqual([]);
    const checked = inspectPemSet(set, { now: new Date() });
    expect(checked.problems).toEqual([]);
    expect(checked.cert).toBeDefined();
    expect(checked.authorities).toHaveLength(1);
  });

  it('names each text that is not PEM of its kind, by the name the caller gives', () => {
    const result = inspectPemSet(
      { cert: 'hello', key: pki.client.cert, ca: pki.client.key },
      { name: (kind) => `<${kind}>` },
    );
    expect(codes(result)).toEqual(['cert:not-pem', 'ca:not-pem', 'key:not-pem']);
    expect(result.problems[0]?.message).toBe(
      '<cert> is not a PEM certificate (no -----BEGIN CERTIFICATE----- line)',
    );
  });

  it('refuses an encrypted key and a key of another pair', () => {
    const encrypted =
      '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n';
    expect(codes(inspectPemSet({ key: encrypted }))).toEqual(['key:encrypted-key']);
    expect(codes(inspectPemSet({ cert: pki.client.cert, key: pki.foreignClient.key }))).toEqual([
      'key:key-mismatch',
    ]);
  });

  it('with a time: an expired client certificate, and one from another CA', () => {
    const now = new Date();
    const expired = inspectPemSet({ cert: pki.expiredClient.cert, ca: pki.ca }, { now });
    expect(codes(expired)).toEqual(['cert:expired']);
    expect(expired.problems[0]?.message).toMatch(
      /^the client certificate expired on \d{4}-\d{2}-\d{2}$/,
    );

    const foreign = inspectPemSet({ cert: pki.foreignClient.cert, ca: pki.ca }, { now });
    expect(codes(foreign)).toEqual(['cert:not-issued-by-ca']);
  });

  it('without a time, dates and issuer are not judged (certs put checks the format only)', () => {
    expect(inspectPemSet({ cert: pki.expiredClient.cert, ca: pki.otherCa }).problems).toEqual([]);
  });

  it('a client certificate in root.pem is not a CA', () => {
    const result = inspectPemSet({ ca: pki.client.cert }, { now: new Date() });
    expect(codes(result)).toContain('ca:not-a-ca');
  });
});
