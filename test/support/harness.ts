/**
 * The fault matrix's test bench: the QRS simulator over real mutual TLS, configuration files and
 * PEM files the way an administrator has them, the CLI in-process, the Lambda handlers with their
 * real middleware (SSM through aws-sdk-client-mock), and captured log output. Nothing here waits
 * for real: retries sleep through an injected recorder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { expect, vi } from 'vitest';
import { stringify } from 'yaml';
import { createReleaseHandler } from '#functions/license-release/create-handler.ts';
import { type Config, configSchema, qrsNodes, type SiteConfig } from '#shared/config/schema.ts';
import type { RunLedger } from '#shared/lambda/run-ledger.ts';
import type { ReleaseItem, SiteReleaseResult } from '#shared/licensing/release/types.ts';
import type { CompletedReleaseRun, ReleaseSink } from '#shared/licensing/sinks.ts';
import { QrsClient, type QrsTlsMaterial } from '#shared/qrs/client.ts';
import type { TestPki } from '#test/simulator/certs.ts';
import type { Simulator } from '#test/simulator/server.ts';
import { runCliCaptured } from '#test/support/cli.ts';

export const DELETE_ROUTES = [
  'DELETE /qrs/license/professionalaccesstype/{id}',
  'DELETE /qrs/license/analyzeraccesstype/{id}',
] as const;

export const LIST_ROUTE = {
  professional: '/qrs/license/professionalaccesstype/full',
  analyzer: '/qrs/license/analyzeraccesstype/full',
} as const;

/** DELETEs the simulator received, both license types together. */
export function deleteCount(sim: Simulator): number {
  return DELETE_ROUTES.reduce((sum, key) => sum + sim.requestCount(key), 0);
}

let unique = 0;
/** Site names unique per process, so no test sees another's kept certificates. */
export function uniqueSiteName(prefix: string): string {
  unique++;
  return `${prefix}-${unique}`;
}

// ---------------------------------------------------------------------------------------------
// Files: PEMs exported from the QMC (right and wrong ones) and YAML configurations beside them.

export const PEM_FILES = {
  cert: 'client.pem',
  key: 'client_key.pem',
  ca: 'root.pem',
  otherCa: 'other_root.pem',
  foreignCert: 'foreign_client.pem',
  foreignKey: 'foreign_client_key.pem',
  expiredCert: 'expired_client.pem',
  expiredKey: 'expired_client_key.pem',
} as const;

/** A new temporary folder holding the site's client certificate, key and CA as the QMC names them. */
export function qmcCertificateFolder(pki: TestPki, prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  writeFileSync(path.join(dir, PEM_FILES.cert), pki.client.cert);
  writeFileSync(path.join(dir, PEM_FILES.key), pki.client.key, { mode: 0o600 });
  writeFileSync(path.join(dir, PEM_FILES.ca), pki.ca);
  return dir;
}

export interface ConfigFolder {
  dir: string;
  /** Writes a config file (YAML text, or an object stringified as YAML) and returns its path. */
  write(config: string | Record<string, unknown>): string;
  remove(): void;
}

export function configFolder(pki: TestPki): ConfigFolder {
  const dir = mkdtempSync(path.join(tmpdir(), 'license-steward-faults-'));
  const files: Record<string, string> = {
    [PEM_FILES.cert]: pki.client.cert,
    [PEM_FILES.key]: pki.client.key,
    [PEM_FILES.ca]: pki.ca,
    [PEM_FILES.otherCa]: pki.otherCa,
    [PEM_FILES.foreignCert]: pki.foreignClient.cert,
    [PEM_FILES.foreignKey]: pki.foreignClient.key,
    [PEM_FILES.expiredCert]: pki.expiredClient.cert,
    [PEM_FILES.expiredKey]: pki.expiredClient.key,
  };
  for (const [name, text] of Object.entries(files))
    writeFileSync(path.join(dir, name), text, { mode: 0o600 });
  let count = 0;
  return {
    dir,
    write(config) {
      const file = path.join(dir, `config-${++count}.yaml`);
      writeFileSync(file, typeof config === 'string' ? config : stringify(config));
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A release block as an administrator writes it: real run (not dry), default rules. */
export const REAL_RUN = { enable: true, dryRun: false } as const;

/** One site of the YAML config, certificates as files next to it (CLI). */
export function cliSite(options: {
  port: number;
  name?: string;
  host?: string;
  qrs?: Record<string, unknown>;
  certificates?: Partial<Record<'cert' | 'key' | 'ca', string>>;
  licenseRelease?: Record<string, unknown> | null;
}): Record<string, unknown> {
  const certificates = {
    cert: PEM_FILES.cert,
    key: PEM_FILES.key,
    ca: PEM_FILES.ca,
    ...options.certificates,
  };
  return {
    name: options.name ?? 'sample',
    qrs: {
      host: options.host ?? 'localhost',
      port: options.port,
      maxRetries: 0,
      timeoutSeconds: 5,
      certificates: {
        cert: { file: certificates.cert },
        key: { file: certificates.key },
        ca: { file: certificates.ca },
      },
      ...options.qrs,
    },
    ...(options.licenseRelease === null
      ? {}
      : { licenseRelease: options.licenseRelease ?? REAL_RUN }),
  };
}

// ---------------------------------------------------------------------------------------------
// The CLI, in-process.

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The `--json` document (undefined when stdout is not JSON). */
  document: { sites: Array<Record<string, unknown>> } | undefined;
  /** JSON log lines from stderr (`--json` runs log JSON). */
  logs: Array<Record<string, unknown>>;
}

export async function cli(argv: string[]): Promise<CliRun> {
  const { code, stdout, stderr } = await runCliCaptured(argv);
  let document: CliRun['document'];
  try {
    document = JSON.parse(stdout);
  } catch {
    document = undefined;
  }
  return { code, stdout, stderr, document, logs: jsonLines(stderr) };
}

/** `release --json` of the only site in the document. */
export function releaseOf(run: CliRun): SiteReleaseResult {
  const site = run.document?.sites[0];
  if (!site) throw new Error(`no site in the release document:\n${run.stdout}\n${run.stderr}`);
  // The CLI document lists `deferred` and `sinkErrors` only when they hold something.
  return { deferred: [], sinkErrors: [], ...site } as unknown as SiteReleaseResult;
}

export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

// ---------------------------------------------------------------------------------------------
// The Lambda side.

/** Captures what Powertools prints (Logger and EMF write to process.stdout / stderr). */
export function captureProcessOutput(): {
  raw: () => string;
  lines: () => Array<Record<string, unknown>>;
  emf: () => Array<Record<string, unknown>>;
  logs: () => Array<Record<string, unknown>>;
} {
  let text = '';
  const capture = (chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  const lines = () => jsonLines(text);
  return {
    raw: () => text,
    lines,
    emf: () => lines().filter((line) => '_aws' in line),
    logs: () => lines().filter((line) => 'level' in line && 'message' in line),
  };
}

export const ssmNames = (site: string) => ({
  cert: `/license-steward/${site}/client-cert`,
  key: `/license-steward/${site}/client-key`,
  ca: `/license-steward/${site}/root-ca`,
});

/** What SSM answers for `GetParameters` of any site's three parameters. */
export function servePems(pki: TestPki) {
  return async (input: { Names?: string[] }) => ({
    Parameters: (input.Names ?? []).map((name) => ({
      Name: name,
      Type: 'SecureString',
      Value: name.endsWith('/client-cert')
        ? pki.client.cert
        : name.endsWith('/client-key')
          ? pki.client.key
          : pki.ca,
    })),
    InvalidParameters: [],
  });
}

/** A validated deployed config (certificates in SSM) for sites on the simulator. */
export function lambdaConfig(
  sites: Array<{
    name: string;
    port: number;
    qrs?: Record<string, unknown>;
    licenseRelease?: Record<string, unknown> | null;
  }>,
  destinations: Record<string, unknown> = {
    timestream: { enable: false },
    cloudwatch: { enable: false },
  },
): Config {
  return configSchema.parse({
    sites: sites.map((site) => {
      const names = ssmNames(site.name);
      return {
        name: site.name,
        qrs: {
          host: 'localhost',
          port: site.port,
          maxRetries: 0,
          certificates: {
            cert: { ssmParameter: names.cert },
            key: { ssmParameter: names.key },
            ca: { ssmParameter: names.ca },
          },
          ...site.qrs,
        },
        ...(site.licenseRelease === null
          ? {}
          : { licenseRelease: site.licenseRelease ?? REAL_RUN }),
      };
    }),
    destinations,
  });
}

/** A sink that keeps each finished run, to check the result and the events of a handler run. */
export function memorySink(): ReleaseSink & { runs: CompletedReleaseRun[] } {
  const runs: CompletedReleaseRun[] = [];
  return {
    name: 'memory',
    runs,
    write: async (run) => {
      runs.push(run);
    },
  };
}

/**
 * The release Lambda with its real middleware. The QRS client is the real one, built from the
 * site's config, except that retries sleep through `sleeps` (recorded, not waited).
 */
export function releaseHandler(options: {
  config: Config;
  sinks?: readonly ReleaseSink[];
  sleeps?: number[];
  maxResponseBytes?: number;
  logLevel?: 'DEBUG' | 'INFO' | 'SILENT';
  ledger?: RunLedger;
}) {
  const logger = new Logger({
    serviceName: 'license-steward',
    logLevel: options.logLevel ?? 'INFO',
  });
  const sleeps = options.sleeps ?? [];
  return createReleaseHandler({
    config: options.config,
    logger,
    sinks: options.sinks ?? [],
    ...(options.ledger ? { ledger: options.ledger } : {}),
    createQrs: (site: SiteConfig, tls: QrsTlsMaterial) =>
      new QrsClient({
        host: qrsNodes(site.qrs)[0]?.host ?? '',
        port: site.qrs.port,
        user: site.qrs.user,
        tls,
        timeoutMs: site.qrs.timeoutSeconds * 1000,
        retry: { maxRetries: site.qrs.maxRetries },
        ...(options.maxResponseBytes
          ? {
              maxResponseBytes: options.maxResponseBytes,
              maxStreamedResponseBytes: options.maxResponseBytes,
            }
          : {}),
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      }),
  });
}

// ---------------------------------------------------------------------------------------------
// Assertions every release row shares.

const ids = (items: readonly ReleaseItem[]) => items.map((item) => item.accessTypeId).sort();

/**
 * No release record is lost: every candidate ends released, failed or deferred (exactly one), and
 * every release or failure has its audit log line with the allocation id.
 */
export function expectNothingLost(
  result: Pick<SiteReleaseResult, 'candidates' | 'released' | 'failed' | 'deferred' | 'dryRun'>,
  logs: ReadonlyArray<Record<string, unknown>>,
): void {
  if (result.dryRun) return;
  expect(ids([...result.released, ...result.failed, ...result.deferred])).toEqual(
    ids(result.candidates),
  );
  const logged = (outcomes: string[]) =>
    logs
      .filter((line) => outcomes.includes(String(line.outcome)))
      .map((line) => String(line.accessTypeId))
      .sort();
  expect(logged(['released', 'alreadyGone'])).toEqual(ids(result.released));
  expect(logged(['failed'])).toEqual(ids(result.failed));
}

/** A raw GET with the right certificate and xrfkey: what QRS sends, byte for byte. */
export function rawGet(sim: Simulator, pathAndQuery: string): Promise<string> {
  const key = 'abcdefghijklmnop';
  const separator = pathAndQuery.includes('?') ? '&' : '?';
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: 'localhost',
        port: sim.port,
        path: `${pathAndQuery}${separator}xrfkey=${key}`,
        ca: sim.pki.ca,
        cert: sim.pki.client.cert,
        key: sim.pki.client.key,
        headers: {
          'X-Qlik-Xrfkey': key,
          'X-Qlik-User': 'UserDirectory=INTERNAL; UserId=sa_api',
        },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () => resolve(body));
      },
    );
    request.on('error', reject);
    request.end();
  });
}
