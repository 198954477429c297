/**
 * The validators over the whole stack, as `cdk synth` runs them: cdk-nag (AwsSolutions) and
 * cfn-guard (AWS Control Tower proactive controls) find nothing unacknowledged in any
 * configuration variant, and every acknowledgement is specific. The other infra tests synthesise
 * without them.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { Validations } from 'aws-cdk-lib';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it, vi } from 'vitest';
import { addStack } from '../../infra/build.ts';
import { unacknowledgedFindings } from '../../infra/validation-report.ts';
import { type ConfigObject, configWith, deploymentOf, synthValidated, testApp } from './helpers.ts';

/** Every acknowledgement in the tree: [construct path, rule id, reason]. */
function acknowledgements(root: IConstruct): Array<[string, string, string]> {
  return root.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(
            ([id, reason]): [string, string, string] => [construct.node.path, id, reason],
          ),
        ),
    );
}

const VARIANTS: Array<[string, ConfigObject]> = [
  ['the base configuration', configWith(() => {})],
  [
    'Timestream with VPC endpoints and a customer managed key',
    configWith((config) => {
      config.destinations = { timestream: { enable: true } };
      Object.assign(config.aws as object, {
        vpcEndpoints: { ssm: true, logs: true, sns: true, timestreamIngestCell: 'cell1' },
        certificatesKmsKeyArn:
          'arn:aws:kms:eu-north-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      });
    }),
  ],
  [
    'a created VPC without NAT',
    configWith((config) => {
      Object.assign(config.aws as object, {
        network: { create: true },
        vpcEndpoints: { ssm: true, sns: true },
      });
    }),
  ],
  [
    'a created VPC with NAT, pinned to an account and region',
    configWith((config) => {
      Object.assign(config.aws as object, {
        account: '123456789012',
        region: 'eu-north-1',
        network: { create: { natGateways: 1, maxAzs: 2 } },
      });
    }),
  ],
];

// cdk-nag and cfn-guard (a binary per synth) are the slow part of the infra tests: room for a
// busy machine.
const VALIDATORS = { timeout: 120_000 };

describe('cdk-nag AwsSolutions', VALIDATORS, () => {
  it.each(VARIANTS)('reports no unacknowledged finding for %s', (_name, config) => {
    const { app } = synthValidated(config);

    const report = new AwsSolutionsChecks(app).validateScope(app);

    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    // And the synth that `cdk synth` runs (cdk-nag and cfn-guard registered) leaves nothing.
    expect(unacknowledgedFindings(app.synth().directory)).toEqual([]);
  });

  it('gives every acknowledgement a specific written reason', () => {
    const { app } = synthValidated(VARIANTS[1]?.[1]);

    const found = acknowledgements(app);
    expect(found.length).toBeGreaterThan(0);
    for (const [, id, reason] of found) {
      expect(id).toMatch(
        /AwsSolutions-|CloudFormation-Validate::|@aws-cdk\/|cdk-validator-cfnguard::/,
      );
      expect(reason.length).toBeGreaterThan(60);
    }
    expect(found.map(([, id]) => id.replace(/^Annotation::/, ''))).toEqual(
      expect.arrayContaining([
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-L1',
        'AwsSolutions-SNS2',
        'AwsSolutions-SQS3',
        'AwsSolutions-TS3',
        'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
        'cdk-validator-cfnguard::sqs_dlq_check',
      ]),
    );
  });

  it('acknowledges wildcard resources only on the two policies that AWS forces to use them', () => {
    const { app } = synthValidated(VARIANTS[1]?.[1]);

    const wildcardAcks = acknowledgements(app)
      .filter(([, id]) => id.includes('AwsSolutions-IAM5'))
      .map(([path]) => path.replace(/^LicenseSteward\//, ''))
      .sort();
    expect(wildcardAcks).toEqual([
      'Monitor/TimestreamEndpointDiscovery',
      'Monitor/VpcNetworkInterfaces',
      'Release/TimestreamEndpointDiscovery',
      'Release/VpcNetworkInterfaces',
    ]);
  });
});

describe('cfn-guard (AWS Control Tower proactive controls)', VALIDATORS, () => {
  it('runs the bundled cfn-guard binary offline and finds what it should', () => {
    // A stack of the app plus one log group nobody acknowledged.
    const app = testApp();
    const stack = addStack(app, deploymentOf());
    new LogGroup(stack, 'Unacknowledged');
    // The plugin prints the finding this test plants: expected, so kept out of a green run.
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);

    const findings = unacknowledgedFindings(app.synth().directory);
    expect(printed.mock.calls.join('\n')).toMatch(/CT\.CLOUDWATCH\.PR\.3/);

    expect(findings).toEqual([
      expect.stringMatching(
        /^cdk-validator-cfnguard: cloudwatch_log_group_encrypted_check at LicenseSteward\/Unacknowledged\/Resource \(\[CT\.CLOUDWATCH\.PR\.3\]/,
      ),
    ]);
    expect(new CfnGuardValidator().ruleIds?.length).toBeGreaterThan(100);
  });

  it('acknowledges only the two Control Tower rules, where they apply', () => {
    const { app } = synthValidated(VARIANTS[2]?.[1]);

    const guardAcks = acknowledgements(app)
      .filter(([, id]) => id.startsWith('cdk-validator-cfnguard::'))
      .map(([path, id]) => `${path.replace(/^LicenseSteward\//, '')} ${id}`)
      .sort();
    expect(guardAcks).toEqual([
      'FailedInvocations cdk-validator-cfnguard::sqs_dlq_check',
      'Monitor/Logs cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
      'Network/FlowLogGroup cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
      'Release/Logs cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    ]);
  });
});
