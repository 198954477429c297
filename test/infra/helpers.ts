/**
 * Test helpers for the CDK app: a valid deployment configuration as a plain object (tests change
 * what they need), parsed through the real YAML loader and deployment checks, and a synthesised
 * stack with bundling skipped (the real esbuild bundle is exercised once, in bundle.test.ts).
 *
 * Synth is the slow part, so `synth` leaves out the validation plugins (cdk-nag and cfn-guard run
 * over the whole stack in nag.test.ts, through `synthValidated`) and synthesises each
 * configuration once per worker (the `integration-cdk` project shares modules between its files,
 * see vitest.config.ts). Every cloud assembly goes into the run's temporary folder
 * (test/support/temp-root.ts), removed when the run ends.
 */
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { inject } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '#shared/config/errors.ts';
import { parseConfig } from '#shared/config/load.ts';
import { addStack } from '../../infra/build.ts';
import { checkDeployable, type Deployment } from '../../infra/deployment.ts';
import type { LicenseStewardStack } from '../../infra/license-steward-stack.ts';

export const SOURCE = '/etc/license-steward/deploy.yaml';

export type ConfigObject = Record<string, unknown> & {
  sites: Array<Record<string, unknown>>;
  aws?: Record<string, unknown>;
  destinations?: Record<string, unknown>;
};

const certificates = (site: string) => ({
  cert: { ssmParameter: `/license-steward/${site}/client-cert` },
  key: { ssmParameter: `/license-steward/${site}/client-key` },
  ca: { ssmParameter: `/license-steward/${site}/root-ca` },
});

/** Two sites: `prod` (IP host, monitor + release) and `lab` (host name + qrsCidr, monitor only). */
export function baseConfig(): ConfigObject {
  return {
    sites: [
      {
        name: 'prod',
        timezone: 'Europe/Stockholm',
        qrs: { host: '10.20.1.15', certificates: certificates('prod') },
        licenseMonitor: { schedule: 'rate(15 minutes)' },
        licenseRelease: { schedule: 'cron(0 4 * * ? *)' },
        alarms: { availableBelow: { professional: 3, analyzer: 7 }, expiryWithinDays: 45 },
      },
      {
        name: 'lab',
        timezone: 'America/New_York',
        qrs: {
          host: 'qlik-lab.corp.example.com',
          port: 4243,
          certificates: certificates('lab'),
        },
        licenseMonitor: { schedule: 'rate(1 hour)' },
        aws: { qrsCidr: '10.30.4.0/28' },
      },
    ],
    aws: {
      network: {
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        subnets: [
          { id: 'subnet-0a1b2c3d4e5f60001', availabilityZone: 'eu-north-1a' },
          { id: 'subnet-0a1b2c3d4e5f60002', availabilityZone: 'eu-north-1b' },
        ],
      },
      alarms: { emails: ['qlik-admins@example.com', 'oncall@example.com'] },
    },
  };
}

/** A deep copy of the base config changed by `edit`. */
export function configWith(edit: (config: ConfigObject) => void): ConfigObject {
  const config = structuredClone(baseConfig());
  edit(config);
  return config;
}

export function deploymentOf(config: ConfigObject = baseConfig()): Deployment {
  return checkDeployable(parseConfig(stringify(config), SOURCE), SOURCE);
}

/** The problems a config produces at synth ([] when it deploys). */
export function deployProblems(config: ConfigObject): string[] {
  try {
    deploymentOf(config);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

export interface Synthesised {
  app: App;
  stack: LicenseStewardStack;
  template: Template;
}

/** An app whose cloud assembly goes into the run's temporary folder, bundling skipped. */
export function testApp(): App {
  return new App({
    outdir: mkdtempSync(path.join(inject('tempRoot'), 'cdk.out-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
}

const synthesised = new Map<string, Synthesised>();

function synthOnce(config: ConfigObject, validations: boolean): Synthesised {
  const key = `${validations}:${JSON.stringify(config)}`;
  let found = synthesised.get(key);
  if (!found) {
    const app = testApp();
    const stack = addStack(app, deploymentOf(config), { validations });
    found = { app, stack, template: Template.fromStack(stack) };
    synthesised.set(key, found);
  }
  return found;
}

/**
 * The stack of a configuration, without the validation plugins, synthesised once per worker (the
 * cache is keyed by the configuration's JSON): callers read the template and never add to the app.
 */
export function synth(config: ConfigObject = baseConfig()): Synthesised {
  return synthOnce(config, false);
}

/** The stack as `cdk synth` builds it, cdk-nag and cfn-guard registered; cached the same way. */
export function synthValidated(config: ConfigObject = baseConfig()): Synthesised {
  return synthOnce(config, true);
}

/** `{ Fn::GetAtt: [logicalId, attribute] }` of the only resource of a type whose id starts with prefix. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${ids.join(', ')}`);
  return ids[0] as string;
}

/** The SSM parameter ARN as the template writes it. */
export function parameterArnJoin(name: string): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':ssm:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:parameter${name}`,
      ],
    ],
  };
}
