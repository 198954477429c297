import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ParameterAlreadyExists, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type CertsPutArgs, runCertsPut } from '#functions/cli/commands/certs-put.ts';
import type { CliIo } from '#functions/cli/io.ts';
import { runCli } from '#functions/cli/main.ts';
import { parseConfig } from '#shared/config/load.ts';
import type { Config } from '#shared/config/schema.ts';
import type { RunLogger } from '#shared/observability/logger.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';

const ssm = mockClient(SSMClient);
const work = mkdtempSync(path.join(tmpdir(), 'license-steward-certs-'));
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeEach(() => {
  ssm.reset();
});

const site = (name: string, certificates: Record<string, unknown>) => ({
  name,
  qrs: { host: '10.20.1.15', certificates },
});

function config(extra: Record<string, unknown> = {}): Config {
  return parseConfig(
    stringify({
      sites: [
        site('prod', {
          cert: { ssmParameter: '/license-steward/prod/client-cert' },
          key: { ssmParameter: '/license-steward/prod/client-key' },
          ca: { ssmParameter: '/license-steward/prod/root-ca' },
        }),
        site('laptop', {
          cert: { file: './certs/client.pem' },
          key: { ssmParameter: '/license-steward/laptop/client-key' },
          ca: { file: './certs/root.pem' },
        }),
      ],
      ...extra,
    }),
    path.join(work, 'config.yaml'),
  );
}

/** A folder like the QMC's export, with any file replaced by `files`. */
function exportDir(
  files: Partial<Record<'client.pem' | 'client_key.pem' | 'root.pem', string>> = {},
) {
  const dir = mkdtempSync(path.join(work, 'export-'));
  const all = {
    'client.pem': pki.client.cert,
    'client_key.pem': pki.client.key,
    'root.pem': pki.ca,
    ...files,
  };
  for (const [name, text] of Object.entries(all)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function args(dir: string, extra: Partial<CertsPutArgs> = {}): CertsPutArgs {
  return {
    command: 'certs-put',
    config: path.join(work, 'config.yaml'),
    site: 'prod',
    dir,
    json: false,
    overwrite: false,
    verbose: false,
    ...extra,
  };
}

interface Captured {
  io: CliIo;
  /** stdout only. */
  stdout: () => string;
  /** stdout, stderr and the log, in order. */
  output: () => string;
}

function capture(): Captured {
  let text = '';
  let stdout = '';
  const log = (level: string) => (message: string, extra?: unknown) => {
    text += `[${level}] ${message} ${JSON.stringify(extra ?? {})}\n`;
  };
  const logger: RunLogger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
  return {
    io: {
      stdout: (chunk) => {
        stdout += chunk;
        text += chunk;
      },
      stderr: (chunk) => {
        text += chunk;
      },
      logger,
    },
    stdout: () => stdout,
    output: () => text,
  };
}

/** No line of any PEM body (the base64 lines) appears in what the command printed. */
function expectNoPem(output: string): void {
  expect(output).not.toContain('-----BEGIN');
  for (const pem of [pki.client.cert, pki.client.key, pki.ca]) {
    for (const line of pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))) {
      expect(output).not.toContain(line);
    }
  }
}

describe('certs put', () => {
  it('stores the three PEM files as SecureString under the configured names, without overwrite', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 1, Tier: 'Standard' });
    const { io, output } = capture();

    const status = await runCertsPut(config(), args(exportDir()), io);

    expect(status).toBe(0);
    const calls = ssm.commandCalls(PutParameterCommand).map((call) => call.args[0].input);
    expect(calls).toEqual([
      expect.objectContaining({
        Name: '/license-steward/prod/client-cert',
        Value: pki.client.cert,
        Type: 'SecureString',
        Overwrite: false,
      }),
      expect.objectContaining({
        Name: '/license-steward/prod/client-key',
        Value: pki.client.key,
        Type: 'SecureString',
        Overwrite: false,
      }),
      expect.objectContaining({
        Name: '/license-steward/prod/root-ca',
        Value: pki.ca,
        Type: 'SecureString',
        Overwrite: false,
      }),
    ]);
    for (const call of calls) expect(call.KeyId).toBeUndefined();
    expect(output()).toContain(
      'stored client_key.pem as SecureString /license-steward/prod/client-key (version 1)',
    );
    expectNoPem(output());
  });

  it('replaces existing parameters only with --overwrite', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 4 });

    await runCertsPut(config(), args(exportDir(), { overwrite: true }), capture().io);

    const calls = ssm.commandCalls(PutParameterCommand);
    expect(calls).toHaveLength(3);
    for (const call of calls) expect(call.args[0].input.Overwrite).toBe(true);
  });

  it('encrypts with the configured KMS key', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    const keyArn = 'arn:aws:kms:eu-north-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
    const withKey = config({
      aws: {
        network: { create: true },
        vpcEndpoints: { ssm: true },
        certificatesKmsKeyArn: keyArn,
      },
    });

    await runCertsPut(withKey, args(exportDir()), capture().io);

    for (const call of ssm.commandCalls(PutParameterCommand))
      expect(call.args[0].input.KeyId).toBe(keyArn);
  });

  it('reports an existing parameter with the --overwrite hint and exits 1, never printing PEM', async () => {
    ssm
      .on(PutParameterCommand)
      .resolves({ Version: 1 })
      .on(PutParameterCommand, { Name: '/license-steward/prod/client-key' })
      .rejects(new ParameterAlreadyExists({ message: 'exists', $metadata: {} }));
    const { io, stdout, output } = capture();

    const status = await runCertsPut(config(), args(exportDir(), { json: true }), io);

    expect(status).toBe(1);
    const document = JSON.parse(stdout());
    expect(document.parameters).toEqual([
      expect.objectContaining({ part: 'cert', stored: true, version: 1 }),
      {
        part: 'key',
        file: 'client_key.pem',
        parameter: '/license-steward/prod/client-key',
        stored: false,
        error: '/license-steward/prod/client-key already exists: pass --overwrite to replace it',
      },
      expect.objectContaining({ part: 'ca', stored: true }),
    ]);
    expectNoPem(output());
  });

  it.each([
    [
      'a file that is not PEM',
      { 'client.pem': 'not a certificate' },
      /client\.pem is not a PEM certificate/,
    ],
    [
      'a damaged certificate',
      { 'root.pem': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' },
      /root\.pem is not a valid PEM certificate/,
    ],
    [
      'an encrypted key',
      {
        'client_key.pem':
          '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n',
      },
      /client_key\.pem is an encrypted key: export the certificates from the QMC again without a password/,
    ],
    [
      'a key of another certificate',
      'foreign',
      /client_key\.pem does not belong to the certificate/,
    ],
  ])('checks the files before sending anything: %s', async (_what, files, message) => {
    const replaced =
      files === 'foreign'
        ? { 'client_key.pem': pki.foreignClient.key }
        : (files as Record<string, string>);
    const { io, output } = capture();

    await expect(runCertsPut(config(), args(exportDir(replaced)), io)).rejects.toThrow(message);

    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expectNoPem(output());
  });

  it('names a missing file', async () => {
    const dir = exportDir();
    rmSync(path.join(dir, 'root.pem'));

    await expect(runCertsPut(config(), args(dir), capture().io)).rejects.toThrow(
      `cannot read ${path.join(dir, 'root.pem')} (ENOENT)`,
    );
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  it('refuses a site whose certificates are files, naming the keys', async () => {
    await expect(
      runCertsPut(config(), args(exportDir(), { site: 'laptop' }), capture().io),
    ).rejects.toThrow(
      'sites[1].qrs.certificates.cert is { file: ... }: certs put stores into the parameter named by { ssmParameter: NAME }; sites[1].qrs.certificates.ca is { file: ... }',
    );
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  it('runs from the command line, exit 2 for an unknown site', async () => {
    const file = path.join(work, 'cli.yaml');
    writeFileSync(
      file,
      stringify({
        sites: [
          site('prod', {
            cert: { ssmParameter: '/p/cert' },
            key: { ssmParameter: '/p/key' },
            ca: { ssmParameter: '/p/ca' },
          }),
        ],
      }),
    );
    const { io, output } = capture();
    ssm.on(PutParameterCommand).resolves({ Version: 2 });

    const ok = await runCli(
      ['certs', 'put', '--config', file, '--site', 'prod', '--dir', exportDir()],
      io,
    );
    const unknown = await runCli(
      ['certs', 'put', '--config', file, '--site', 'nope', '--dir', work],
      io,
    );

    expect(ok).toBe(0);
    expect(ssm.commandCalls(PutParameterCommand).map((call) => call.args[0].input.Name)).toEqual([
      '/p/cert',
      '/p/key',
      '/p/ca',
    ]);
    expect(unknown).toBe(2);
    expect(output()).toContain('unknown site "nope"');
    expectNoPem(output());
  });
});
