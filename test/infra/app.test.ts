/**
 * The app as `cdk synth` runs it (the CDK CLI, cdk.json, `-c config=FILE`): a bad configuration
 * stops synth with the CLI's message naming the key. The good path is `npm run synth`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { configWith } from './helpers.ts';

const work = mkdtempSync(path.join(tmpdir(), 'license-steward-app-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cdkSynth(config: string): { status: number | null; stderr: string } {
  const file = path.join(work, 'config.yaml');
  writeFileSync(file, config);
  const result = spawnSync(
    'npx',
    ['cdk', 'synth', '--quiet', '-c', `config=${file}`, '-o', path.join(work, 'cdk.out')],
    { cwd: path.resolve(import.meta.dirname, '../..'), encoding: 'utf8', timeout: 90_000 },
  );
  return { status: result.status, stderr: result.stderr };
}

describe('cdk synth -c config=FILE', () => {
  it('fails on a bad configuration with the problems, each naming its key', () => {
    const bad = configWith((config) => {
      const qrs = config.sites[0]?.qrs as { port: unknown; certificates: Record<string, unknown> };
      qrs.port = 70_000;
      qrs.certificates.ca = { file: './certs/root.pem' };
    });

    const { status, stderr } = cdkSynth(stringify(bad));

    expect(status).not.toBe(0);
    expect(stderr).toContain(
      `license-steward: Invalid configuration in ${path.join(work, 'config.yaml')}:`,
    );
    expect(stderr).toMatch(/- sites\[0\]\.qrs\.port: /);
  }, 90_000);

  it('fails a schema-valid configuration that cannot be deployed, naming the key', () => {
    const fileCertificates = configWith((config) => {
      const qrs = config.sites[0]?.qrs as { certificates: Record<string, unknown> };
      qrs.certificates.ca = { file: './certs/root.pem' };
    });

    const { status, stderr } = cdkSynth(stringify(fileCertificates));

    expect(status).not.toBe(0);
    expect(stderr).toMatch(/- sites\[0\]\.qrs\.certificates\.ca: is \{ file: \.\.\. \}/);
  }, 90_000);
});
