/**
 * The run ledger table (infra/constructs/run-ledger-table.ts): the DynamoDB table the release
 * function's Powertools Idempotency records go to, its settings, and who may use it.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { RUNS_TABLE_ENV } from '#shared/env-names.ts';
import { LEDGER_ACTIONS } from '../../infra/constructs/run-ledger-table.ts';
import { logicalId, synth } from './helpers.ts';

describe('the run ledger table', () => {
  const { template } = synth();
  const table = logicalId(template, 'AWS::DynamoDB::Table', 'RunLedger');
  const tableArn = { 'Fn::GetAtt': [table, 'Arn'] };

  it('is one on-demand table keyed by id, with PITR, TTL on expiration and KMS encryption', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      // SSEEnabled without a key: the AWS managed key aws/dynamodb (not the AWS owned key).
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('is removed with the stack (its records matter for hours; the log is the audit trail)', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  it('is named to the release function only, in LICENSE_STEWARD_RUNS_TABLE', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('releases inactive'),
      Environment: { Variables: Match.objectLike({ [RUNS_TABLE_ENV]: { Ref: table } }) },
    });
    const monitor = Object.values(template.findResources('AWS::Lambda::Function')).find((fn) =>
      String(fn.Properties.Description).includes('collects'),
    );
    expect(monitor?.Properties.Environment.Variables).not.toHaveProperty(RUNS_TABLE_ENV);
  });

  it('grants the release role exactly the four item actions Powertools calls, on this table', () => {
    expect([...LEDGER_ACTIONS].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    const statements = Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(
      ([id, policy]) =>
        (policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>)
          .filter((statement) => JSON.stringify(statement).includes('dynamodb:'))
          .map((statement) => ({ id, statement, roles: policy.Properties.Roles })),
    );
    expect(statements).toHaveLength(1);
    const { statement, roles } = statements[0] as (typeof statements)[number];
    expect(roles).toEqual([{ Ref: logicalId(template, 'AWS::IAM::Role', 'ReleaseRole') }]);
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Action: [...LEDGER_ACTIONS],
      Resource: [tableArn],
    });
  });

  it('lets Lambda retry a failed release twice (safe with the ledger)', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(template, 'AWS::Lambda::Function', 'ReleaseFunction') },
      MaximumRetryAttempts: 2,
    });
  });
});
