import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { configWith, synth } from './helpers.ts';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every allowed action whose resource contains a wildcard, as `action on resource`. */
function wildcardGrants(template: Template): string[] {
  const grants: string[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
      const resources = [statement.Resource].flat();
      const wild = resources.filter((resource) => JSON.stringify(resource).includes('*'));
      for (const action of [statement.Action].flat()) {
        if (action.includes('*')) grants.push(`${action} (wildcard action)`);
        for (const resource of wild) grants.push(`${action} on ${JSON.stringify(resource)}`);
      }
    }
  }
  return grants.sort();
}

/** What AWS itself requires on "*": Lambda's VPC network interfaces and Timestream discovery. */
const LAMBDA_VPC_ACTIONS = [
  'ec2:AssignPrivateIpAddresses',
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:UnassignPrivateIpAddresses',
];

describe('IAM', () => {
  it('grants nothing on a wildcard beyond the Lambda VPC network-interface actions', () => {
    const { template } = synth();

    // Two functions, each with the six actions AWS only allows on "*".
    expect(wildcardGrants(template)).toEqual(
      LAMBDA_VPC_ACTIONS.flatMap((action) => [`${action} on "*"`, `${action} on "*"`]).sort(),
    );
  });

  it('adds only timestream:DescribeEndpoints on a wildcard when Timestream is enabled', () => {
    const { template } = synth(
      configWith((config) => {
        config.destinations = { timestream: { enable: true } };
      }),
    );

    const beyondVpc = wildcardGrants(template).filter(
      (grant) => !LAMBDA_VPC_ACTIONS.some((action) => grant.startsWith(`${action} `)),
    );
    expect(beyondVpc).toEqual([
      'timestream:DescribeEndpoints on "*"',
      'timestream:DescribeEndpoints on "*"',
    ]);
  });

  it('lets the scheduler invoke exactly the two functions, unqualified', () => {
    const { template } = synth();
    const invokes = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as Statement[]).filter(
        (statement) => statement.Action === 'lambda:InvokeFunction',
      ),
    );

    expect(invokes.map((statement) => statement.Resource)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^MonitorFunction/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^ReleaseFunction/), 'Arn'] },
    ]);
  });
});
