import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { configWith, logicalId, parameterArnJoin, synth } from './helpers.ts';

const KMS_KEY = 'arn:aws:kms:eu-north-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

describe('the Lambda functions', () => {
  const { template } = synth();
  const monitorRole = logicalId(template, 'AWS::IAM::Role', 'MonitorRole');
  const releaseRole = logicalId(template, 'AWS::IAM::Role', 'ReleaseRole');

  it('run on Node.js 22, arm64, with the configured memory and timeouts', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('collects Qlik Sense license usage'),
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 240,
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('releases inactive'),
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 600,
    });
  });

  it('gives the release function a reserved concurrency of 1 and the monitor none', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('releases inactive'),
      ReservedConcurrentExecutions: 1,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('collects Qlik Sense license usage'),
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  it('writes to its own log group with the configured retention, kept on stack deletion', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.allResources('AWS::Logs::LogGroup', {
      Properties: Match.objectLike({ RetentionInDays: 365 }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('releases inactive'),
      LoggingConfig: {
        LogGroup: { Ref: logicalId(template, 'AWS::Logs::LogGroup', 'ReleaseLogs') },
      },
    });
  });

  it('sends invocations that still fail after the set retries to the failure queue', () => {
    const queue = {
      'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'FailedInvocations'), 'Arn'],
    };
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(template, 'AWS::Lambda::Function', 'MonitorFunction') },
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 600,
      DestinationConfig: { OnFailure: { Destination: queue } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(template, 'AWS::Lambda::Function', 'ReleaseFunction') },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: queue } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('lets each function read exactly the certificate parameters of the sites it runs for', () => {
    const names = (site: string) =>
      ['client-cert', 'client-key', 'root-ca'].map((part) =>
        parameterArnJoin(`/license-steward/${site}/${part}`),
      );
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: monitorRole }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'ReadQrsCertificates',
            Effect: 'Allow',
            Action: 'ssm:GetParameters',
            Resource: [...names('prod'), ...names('lab')],
          },
        ]),
      },
    });
    // lab has no release job: the release function cannot read its certificates.
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: releaseRole }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'ReadQrsCertificates',
            Effect: 'Allow',
            Action: 'ssm:GetParameters',
            Resource: names('prod'),
          },
        ]),
      },
    });
  });

  it('adds no KMS statement for the default aws/ssm key (its key policy already allows SSM use)', () => {
    const kmsStatements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).filter(
          (statement) => [statement.Action].flat().some((action) => action.startsWith('kms:')),
        ),
    );

    expect(kmsStatements).toEqual([]);
  });

  it('grants kms:Decrypt on a configured key, only through SSM and only for the site parameters', () => {
    const { template: withKey } = synth(
      configWith((config) => {
        (config.aws as Record<string, unknown>).certificatesKmsKeyArn = KMS_KEY;
      }),
    );

    withKey.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(withKey, 'AWS::IAM::Role', 'ReleaseRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'DecryptQrsCertificates',
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: KMS_KEY,
            Condition: {
              StringEquals: {
                'kms:ViaService': {
                  'Fn::Join': [
                    '',
                    ['ssm.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }],
                  ],
                },
                'kms:EncryptionContext:PARAMETER_ARN': ['client-cert', 'client-key', 'root-ca'].map(
                  (part) => parameterArnJoin(`/license-steward/prod/${part}`),
                ),
              },
            },
          },
        ]),
      },
    });
  });

  it('uses no AWS managed policies', () => {
    template.allResources('AWS::IAM::Role', {
      Properties: Match.objectLike({ ManagedPolicyArns: Match.absent() }),
    });
  });
});
