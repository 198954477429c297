/**
 * One real esbuild bundle (the other infra tests skip bundling): the monitor handler is bundled
 * locally (no Docker) as minified ESM with a source map, and the bundle starts cold with the
 * configuration it was given at synth, without LICENSE_STEWARD_CONFIG in the environment.
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
import { StewardFunction } from '../../infra/constructs/steward-function.ts';
import { HANDLER_ENTRIES } from '../../infra/license-steward-stack.ts';
import { deploymentOf } from './helpers.ts';

const outdir = mkdtempSync(path.join(tmpdir(), 'license-steward-bundle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the Lambda bundle', () => {
  it('is minified ESM with a source map and starts with the inlined configuration', () => {
    const { config } = deploymentOf();
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundle');
    const vpc = Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      availabilityZones: ['eu-north-1a'],
      privateSubnetIds: ['subnet-0a1b2c3d4e5f60001'],
    });
    new StewardFunction(stack, 'Monitor', {
      entry: HANDLER_ENTRIES.monitor,
      description: 'bundle test',
      config,
      memoryMb: 512,
      timeout: Duration.minutes(1),
      logRetention: RetentionDays.ONE_WEEK,
      vpc,
      subnets: { subnets: vpc.privateSubnets },
      securityGroup: new SecurityGroup(stack, 'Group', { vpc }),
      failureQueue: new Queue(stack, 'Failures'),
      retryAttempts: 0,
      maxEventAge: Duration.minutes(10),
    });

    app.synth();

    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const bundle = path.join(outdir, assets[0] as string, 'index.mjs');
    expect(existsSync(`${bundle}.map`)).toBe(true);
    const code = readFileSync(bundle, 'utf8');
    // Minified: long lines (esbuild keeps a few newlines, e.g. inside template literals).
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
    expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
    expect(code).toContain('/license-steward/prod/client-cert');

    const env: NodeJS.ProcessEnv = { ...process.env, AWS_REGION: 'eu-north-1' };
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
  }, 120_000);
});
