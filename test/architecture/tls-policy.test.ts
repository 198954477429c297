import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/config/errors.ts';
import { parseConfig } from '#shared/config/load.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const full = path.join(folder, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|js|mjs)$/.test(name) ? [full] : [];
  });
}

describe('TLS verification policy', () => {
  it('never turns certificate verification off in product code, except the one decision point', () => {
    // The QRS agent handshakes without OpenSSL's verdict and decides itself, before any request
    // is written (test/shared/qrs/tls/qlik-certificates.integration.test.ts holds it to node's verdict plus one case).
    const decisionPoint = path.join(ROOT, 'shared/qrs/tls/qrs-https-agent.ts');
    const offenders = ['shared', 'functions', 'infra']
      .flatMap((folder) => sourceFiles(path.join(ROOT, folder)))
      .filter((file) => {
        const text = readFileSync(file, 'utf8');
        if (/NODE_TLS_REJECT_UNAUTHORIZED/.test(text)) return true;
        const off = text.match(/rejectUnauthorized\s*:\s*false/g) ?? [];
        return file === decisionPoint ? off.length !== 1 : off.length > 0;
      });
    expect(offenders).toEqual([]);
  });

  it('refuses a configuration that tries to turn verification off', () => {
    const text = `
sites:
  - name: prod
    qrs:
      host: qlik.example.com
      rejectUnauthorized: false
      certificates:
        cert: { file: c.pem }
        key: { file: k.pem }
        ca: { file: r.pem }
`;
    expect(() => parseConfig(text, 'c.yaml')).toThrow(ConfigError);
    expect(() => parseConfig(text, 'c.yaml')).toThrow(
      /sites\[0\]\.qrs\.rejectUnauthorized: unknown key/,
    );
  });
});
