/**
 * The app as `cdk synth` runs it (the CDK CLI, cdk.json, `-c config=FILE`): a bad configuration
 * stops synth with the CLI's message naming the key. The good path is `npm run synth`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { configWith } from './helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'license-steward-app-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `cdk synth` on a config in a folder of its own (the two runs go side by side). */
function cdkSynth(
  name: string,
  config: string,
): Promise<{ file: string; status: number | null; stderr: string }> {
  const folder = mkdtempSync(path.join(work, `${name}-`));
  const file = path.join(folder, 'config.yaml');
  writeFileSync(file, config);
  // The project's CDK CLI itself (what `npx cdk` finds), without npx's lookup.
  const child = spawn(
    path.join(ROOT, 'node_modules/.bin/cdk'),
    ['synth', '--quiet', '-c', `config=${file}`, '-o', path.join(folder, 'cdk.out')],
    { cwd: ROOT, timeout: 90_000 },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ file, status, stderr }));
  });
}

describe.concurrent('cdk synth -c config=FILE', () => {
  it('fails on a bad configuration with the problems, each naming its key', async () => {
    const bad = configWith((config) => {
      const qrs = config.sites[0]?.qrs as { port: unknown; certificates: Record<string, unknown> };
      qrs.port = 70_000;
      qrs.certificates.ca = { file: './certs/root.pem' };
    });

    const { file, status, stderr } = await cdkSynth('bad', stringify(bad));

    expect(status).not.toBe(0);
    expect(stderr).toContain(`license-steward: Invalid configuration in ${file}:`);
    expect(stderr).toMatch(/- sites\[0\]\.qrs\.port: /);
  }, 90_000);

  it('fails a schema-valid configuration that cannot be deployed, naming the key', async () => {
    const fileCertificates = configWith((config) => {
      const qrs = config.sites[0]?.qrs as { certificates: Record<string, unknown> };
      qrs.certificates.ca = { file: './certs/root.pem' };
    });

    const { status, stderr } = await cdkSynth('undeployable', stringify(fileCertificates));

    expect(status).not.toBe(0);
    expect(stderr).toMatch(/- sites\[0\]\.qrs\.certificates\.ca: is \{ file: \.\.\. \}/);
  }, 90_000);
});
