/**
 * Fault matrix, security rows (see docs/faults.md):
 *
 * - S1/S2: no certificate, key or full QRS response body in any log line or output: whole CLI runs
 *   and handler runs (successes and failures, debug level) are captured and scanned for PEM
 *   markers, slices of the key and certificate material, and fields only QRS bodies contain.
 * - S3: TLS verification cannot be turned off by configuration (nor by NODE_TLS_REJECT_UNAUTHORIZED);
 *   the product-code scan for `rejectUnauthorized: false` is in test/architecture/tls-policy.test.ts.
 * - S4: PEM text pasted where a file path belongs is refused without echoing it.
 * - S5: `npm audit` in CI (.ci/run → .ci/npm-audit.ts): high/critical fail, an unreachable audit
 *   service is a warning, not a red build.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it, vi } from 'vitest';
import { createMonitorHandler } from '#functions/license-monitor/create-handler.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import { QrsTlsError } from '#shared/qrs/errors.ts';
import {
  captureProcessOutput,
  cli,
  cliSite,
  deleteCount,
  LIST_ROUTE,
  lambdaConfig,
  PEM_FILES,
  releaseHandler,
  uniqueSiteName,
} from '#test/support/harness.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { useSimulatorFixture } from '#test/support/simulator-fixture.ts';
import { judgeAudit } from '../../../.ci/npm-audit.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const fixture = useSimulatorFixture();
/** Put into every injected QRS body: it must never come out. */
const BODY_MARKER = 'QRS-BODY-MARKER-5d1c';

/** Base64 slices of every PEM line of the material: any one of them in the output is a leak. */
function secretSlices(): string[] {
  const pems = [
    fixture.pki.client.key,
    fixture.pki.client.cert,
    fixture.pki.ca,
    fixture.pki.expiredClient.key,
    fixture.pki.foreignClient.key,
    fixture.pki.otherCa,
  ];
  return pems.flatMap((pem) =>
    pem
      .split('\n')
      .filter((line) => line.length >= 40 && !line.startsWith('-----'))
      .map((line) => line.slice(8, 40)),
  );
}

/** Fields and text that exist only in QRS response bodies (or the LEF), never in our output. */
const QRS_BODY_ONLY = [
  BODY_MARKER,
  'schemaPath',
  'modifiedByUserName',
  'userDirectoryConnectorName',
  'PURPOSE;2001 Sense',
  'KZW3-CQ8K-9E5U-L894-WXYZ',
];

function expectNoSecrets(text: string): void {
  expect(text.length).toBeGreaterThan(0);
  expect(text).not.toMatch(/-----BEGIN|-----END|PRIVATE KEY/);
  const leaked = secretSlices().filter((slice) => text.includes(slice));
  expect(leaked).toEqual([]);
  const bodies = QRS_BODY_ONLY.filter((marker) => text.includes(marker));
  expect(bodies).toEqual([]);
}

describe('S1/S2 no certificate, key or QRS body in any log line or output', () => {
  it('S1 CLI: monitor and release, success and every kind of failure, --verbose (debug) → nothing secret on stdout or stderr', async () => {
    // Prepare: runs that succeed, fail on TLS, fail on HTTP with a body, fail on bad JSON.
    const site = (options: Partial<Parameters<typeof cliSite>[0]> = {}) =>
      fixture.folder.write({ sites: [cliSite({ port: fixture.sim.port, ...options })] });
    const cecilia = [...fixture.sim.site.allocations.values()].find(
      (allocation) => fixture.sim.site.users.get(allocation.userRef ?? '')?.userId === 'cecilia',
    );
    const runs = [
      ['monitor', '--config', site(), '--json', '--verbose'],
      ['monitor', '--config', site(), '--verbose'],
      ['release', '--config', site(), '--dry-run', '--verbose'],
      ['release', '--config', site(), '--json', '--verbose'],
      ['release', '--config', site({ certificates: { ca: PEM_FILES.otherCa } }), '--json'],
      [
        'monitor',
        '--config',
        site({ certificates: { cert: PEM_FILES.expiredCert, key: PEM_FILES.expiredKey } }),
        '--verbose',
      ],
    ];
    fixture.sim.faults.push({
      method: 'DELETE',
      route: `/qrs/license/professionalaccesstype/${cecilia?.id}`,
      status: 500,
      body: `{"message":"${BODY_MARKER}"}`,
    });

    // Act
    const outputs: string[] = [];
    for (const argv of runs) {
      const run = await cli(argv);
      outputs.push(run.stdout, run.stderr);
    }
    fixture.sim.faults.push({ route: LIST_ROUTE.analyzer, status: 403, body: BODY_MARKER });
    const forbidden = await cli(['release', '--config', site(), '--json', '--verbose']);
    fixture.sim.faults.push({
      route: '/qrs/license/accesstypeoverview',
      status: 200,
      body: `{"professionalAccess":{"total":"${BODY_MARKER}"}}`,
    });
    const badSchema = await cli(['monitor', '--config', site(), '--json', '--verbose']);
    fixture.sim.faults.push({ route: '/qrs/license', malformed: 'truncated' });
    const truncated = await cli(['monitor', '--config', site(), '--verbose']);

    // Assess
    expect([forbidden.code, badSchema.code, truncated.code]).toEqual([1, 1, 1]);
    expect(deleteCount(fixture.sim)).toBeGreaterThan(0); // the release run really ran
    for (const run of [forbidden, badSchema, truncated]) outputs.push(run.stdout, run.stderr);
    expect(outputs.join('\n')).toMatch(/QRS response/); // debug lines were on
    expectNoSecrets(outputs.join('\n'));
  });

  it('S2 Lambda: release and monitor handlers at debug level, success and failures → nothing secret in the logs', async () => {
    // Prepare
    const output = captureProcessOutput();
    const release = uniqueSiteName('secret-release');
    const monitor = uniqueSiteName('secret-monitor');
    const config = lambdaConfig(
      [
        { name: release, port: fixture.sim.port },
        { name: monitor, port: fixture.sim.port, licenseRelease: null },
      ],
      { timestream: { enable: false }, cloudwatch: { enable: true } },
    );
    const releaseFn = releaseHandler({ config, logLevel: 'DEBUG' });
    const monitorFn = createMonitorHandler({
      config,
      logger: new Logger({ serviceName: 'license-steward', logLevel: 'DEBUG' }),
      sinks: [],
    });

    // Act: a good run of each, a QRS failure with a body, a TLS failure (wrong CA from SSM).
    await releaseFn({ site: release }, lambdaContext());
    await monitorFn({ site: monitor }, lambdaContext());
    fixture.sim.faults.push({
      route: '/qrs/license/accesstypeoverview',
      status: 500,
      body: `{"message":"${BODY_MARKER}"}`,
    });
    await monitorFn({ site: monitor }, lambdaContext()).catch(() => undefined);
    const wrongCa = uniqueSiteName('secret-tls');
    fixture.ssm.reset();
    fixture.ssm.on(GetParametersCommand).callsFake(async (input: { Names?: string[] }) => ({
      Parameters: (input.Names ?? []).map((name) => ({
        Name: name,
        Value: name.endsWith('root-ca') ? fixture.pki.otherCa : (servePemsValue(name) ?? ''),
      })),
      InvalidParameters: [],
    }));
    const tlsConfig = lambdaConfig([{ name: wrongCa, port: fixture.sim.port }]);
    await releaseHandler({ config: tlsConfig, logLevel: 'DEBUG' })(
      { site: wrongCa },
      lambdaContext(),
    ).catch(() => undefined);

    // Assess
    const logs = output.logs();
    expect(logs.some((line) => line.level === 'DEBUG')).toBe(true);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'ERROR', error: expect.stringMatching(/wrong CA/) }),
    );
    expectNoSecrets(output.raw());
  });
});

function servePemsValue(name: string): string | undefined {
  if (name.endsWith('/client-cert')) return fixture.pki.client.cert;
  if (name.endsWith('/client-key')) return fixture.pki.client.key;
  return undefined;
}

describe('S3 TLS verification cannot be turned off', () => {
  it.each([
    [
      'qrs.rejectUnauthorized: false',
      { rejectUnauthorized: false },
      'sites[0].qrs.rejectUnauthorized: unknown key',
    ],
    ['qrs.insecure: true', { insecure: true }, 'sites[0].qrs.insecure: unknown key'],
    ['qrs.tls: { verify: false }', { tls: { verify: false } }, 'sites[0].qrs.tls: unknown key'],
    ['qrs.strictSSL: false', { strictSSL: false }, 'sites[0].qrs.strictSSL: unknown key'],
    [
      'no CA at all',
      { certificates: { cert: { file: PEM_FILES.cert }, key: { file: PEM_FILES.key } } },
      'sites[0].qrs.certificates.ca: must be { file: PATH } or { ssmParameter: NAME }',
    ],
  ])('S3 %s in the config → exit 2 naming the key, nothing sent', async (_, qrs, problem) => {
    // Prepare
    const file = fixture.folder.write({ sites: [cliSite({ port: fixture.sim.port, qrs })] });

    // Act
    const run = await cli(['monitor', '--config', file]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(problem);
    expect(fixture.sim.requestCount()).toBe(0);
  });

  it('S3 NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment → the server is still verified against root.pem', async () => {
    // Prepare
    vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', '0');
    const client = new QrsClient({
      host: 'localhost',
      port: fixture.sim.port,
      tls: { cert: fixture.pki.client.cert, key: fixture.pki.client.key, ca: fixture.pki.otherCa },
      retry: { maxRetries: 0 },
    });

    // Act
    const error = await client.getLicense().catch((caught: unknown) => caught);
    client.close();

    // Assess
    expect(error).toBeInstanceOf(QrsTlsError);
    expect((error as Error).message).toMatch(/wrong CA/);
    expect(fixture.sim.requestCount()).toBe(0);
  });
});

describe('S4 PEM text where a path belongs', () => {
  it.each(['key', 'cert'] as const)(
    'S4 the %s pasted into `file:` → exit 2 naming the key, the text not echoed',
    async (part) => {
      // Prepare
      const pasted = part === 'key' ? fixture.pki.client.key : fixture.pki.client.cert;
      const site = cliSite({ port: fixture.sim.port });
      const qrs = site.qrs as { certificates: Record<string, unknown> };
      qrs.certificates[part] = { file: pasted };
      const file = fixture.folder.write({ sites: [site] });

      // Act
      const run = await cli(['release', '--config', file, '--json']);

      // Assess
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `sites[0].qrs.certificates.${part}.file: must be the path of a PEM file, not the PEM text`,
      );
      expectNoSecrets(`${run.stdout}\n${run.stderr}`);
      expect(fixture.sim.requestCount()).toBe(0);
    },
  );
});

describe('S5 npm audit in CI', () => {
  const report = (vulnerabilities: Record<string, unknown>, high = 0, critical = 0) =>
    JSON.stringify({
      auditReportVersion: 2,
      vulnerabilities,
      metadata: {
        vulnerabilities: {
          info: 0,
          low: 0,
          moderate: 1,
          high,
          critical,
          total: 1 + high + critical,
        },
      },
    });
  const advisory = (severity: string, id: string) => ({
    name: 'axios',
    severity,
    isDirect: true,
    via: [
      {
        source: 1,
        name: 'axios',
        title: `Example ${severity} advisory`,
        url: `https://github.com/advisories/${id}`,
        severity,
      },
    ],
  });

  it('S5 .ci/run runs the audit of the runtime dependencies after npm ci and npm test', () => {
    const lines = readFileSync(path.join(ROOT, '.ci/run'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(lines.slice(-3)).toEqual([
      'npm ci --no-audit --no-fund',
      'npm test',
      'npx --no-install tsx .ci/npm-audit.ts',
    ]);
    expect(readFileSync(path.join(ROOT, '.ci/npm-audit.ts'), 'utf8')).toContain(
      "'audit', '--omit=dev', '--audit-level=high', '--audit', '--json'",
    );
  });

  it.each([
    ['a high advisory', 'fail', report({ axios: advisory('high', 'GHSA-aaaa-bbbb-cccc') }, 1)],
    ['a critical advisory', 'fail', report({ axios: advisory('critical', 'GHSA-dddd') }, 0, 1)],
    ['only a moderate advisory', 'pass', report({ axios: advisory('moderate', 'GHSA-eeee') })],
    ['no advisories', 'pass', report({})],
    [
      'the audit endpoint refusing (405 from a mirror)',
      'unavailable',
      JSON.stringify({
        statusCode: 405,
        message: '405 Method Not Allowed - POST …/advisories/bulk',
      }),
    ],
    [
      'no network',
      'unavailable',
      JSON.stringify({ error: { code: 'ENOTFOUND', summary: 'getaddrinfo ENOTFOUND registry' } }),
    ],
    ['no JSON at all', 'unavailable', 'npm ERR! something'],
  ])('S5 the audit answering with %s → %s', (_, outcome, stdout) => {
    const verdict = judgeAudit(stdout, {});
    expect(verdict.outcome).toBe(outcome);
    if (verdict.outcome === 'fail')
      expect(verdict.message).toMatch(/axios \((high|critical)\): .*GHSA-/);
  });

  it('S5 a high advisory explained in ALLOWED_ADVISORIES does not fail the build', () => {
    const stdout = report({ axios: advisory('high', 'GHSA-aaaa-bbbb-cccc') }, 1);
    expect(
      judgeAudit(stdout, { 'GHSA-aaaa-bbbb-cccc': 'only reachable through X, unused' }).outcome,
    ).toBe('pass');
  });
});
