/**
 * The real esbuild bundles (the other infra tests skip bundling): both handlers are bundled
 * locally (no Docker) as minified ESM with a source map; each starts cold with the configuration
 * it was given at synth, without LICENSE_STEWARD_CONFIG in the environment; and only the runtime
 * part of the configuration is in them: no account id, no VPC or subnet ids, no KMS key ARN, no
 * e-mail address.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '#shared/lambda/config-from-env.ts';
import { StewardFunction } from '../../infra/constructs/steward-function.ts';
import { HANDLER_ENTRIES } from '../../infra/license-steward-stack.ts';
import { configWith, deploymentOf } from './helpers.ts';

const outdir = mkdtempSync(path.join(tmpdir(), 'license-steward-bundle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const ACCOUNT = '210987654321';
const KMS_KEY = `arn:aws:kms:eu-north-1:${ACCOUNT}:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;

/** The deployment settings a real config holds: each one must stay out of the bundles. */
const deployment = deploymentOf(
  configWith((config) => {
    Object.assign(config.aws as object, {
      account: ACCOUNT,
      region: 'eu-north-1',
      certificatesKmsKeyArn: KMS_KEY,
      alarms: { emails: ['qlik-admins@example.com', 'oncall@example.com'] },
    });
  }),
);

function buildBundles(): string[] {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Bundle');
  const vpc = Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    availabilityZones: ['eu-north-1a'],
    privateSubnetIds: ['subnet-0a1b2c3d4e5f60001'],
  });
  for (const [id, entry] of Object.entries(HANDLER_ENTRIES)) {
    new StewardFunction(stack, id, {
      entry,
      description: 'bundle test',
      config: deployment.config,
      memoryMb: 512,
      timeout: Duration.minutes(1),
      logRetention: RetentionDays.ONE_WEEK,
      vpc,
      subnets: { subnets: vpc.privateSubnets },
      securityGroup: new SecurityGroup(stack, `${id}Group`, { vpc }),
      failureQueue: new Queue(stack, `${id}Failures`),
      retryAttempts: 0,
      maxEventAge: Duration.minutes(10),
    });
  }
  app.synth();
  return readdirSync(outdir)
    .filter((name) => name.startsWith('asset.'))
    .map((name) => path.join(outdir, name, 'index.mjs'));
}

describe('the Lambda bundles', () => {
  it('are minified ESM with source maps, start with the inlined configuration, and hold nothing of the deployment nor form-data', () => {
    const bundles = buildBundles();
    expect(bundles).toHaveLength(2);

    for (const bundle of bundles) {
      expect(existsSync(`${bundle}.map`)).toBe(true);
      const code = readFileSync(bundle, 'utf8');
      // Minified: long lines (esbuild keeps a few newlines, e.g. inside template literals).
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
      // The runtime part is there ...
      expect(code).toContain('/license-steward/prod/client-cert');
      expect(code).toContain('qlik-lab.corp.example.com');
      // ... and nothing of the deployment.
      expect(code.match(/[\w.+-]+@[\w-]+\.[\w.-]+/g) ?? []).toEqual([]);
      expect(code).not.toContain(ACCOUNT);
      expect(code).not.toMatch(/\bvpc-[0-9a-f]{8,17}\b/);
      expect(code).not.toMatch(/\bsubnet-[0-9a-f]{8,17}\b/);
      expect(code).not.toContain('10.30.4.0/28'); // sites[].aws.qrsCidr
      expect(code).not.toContain('0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b'); // the KMS key
      // form-data is replaced (infra/bundling/bundle-aliases.ts): no mime-db, the stub instead.
      expect(code).not.toContain('application/1d-interleaved-parityfec');
      expect(code).toContain('multipart form data is not bundled');

      // As deployed: the stack gives the release function its run ledger table.
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        AWS_REGION: 'eu-north-1',
        LICENSE_STEWARD_RUNS_TABLE: 'license-steward-runs',
      };
      delete env.LICENSE_STEWARD_CONFIG;
      const started = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler);`,
        ],
        { env, encoding: 'utf8' },
      );
      expect(started.stderr).toBe('');
      // The handler module parses its configuration at import: it only loads when the bundle has it.
      expect(started.stdout.trim()).toBe('function');
    }
  }, 180_000);
});

describe('configFromEnv', () => {
  it('refuses deployment settings, naming the key', () => {
    const withDeployment = JSON.stringify({
      ...deployment.config,
      sites: deployment.config.sites.map((site) => ({ ...site, aws: { qrsCidr: '10.0.0.1/32' } })),
    });

    expect(() => configFromEnv(withDeployment)).toThrow(
      /aws: is a deployment setting[\s\S]*sites\[0\]\.aws: is a deployment setting/,
    );
  });
});
