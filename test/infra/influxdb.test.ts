/**
 * The stack with the InfluxDB destination on (CDK assertions, bundling skipped as in test/infra;
 * cdk-nag runs in synth and fails it on any finding): both functions may read the token parameter
 * and connect to the InfluxDB address and port; with the destination off, neither.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { configWith, logicalId, parameterArnJoin, synth } from './helpers.ts';

const TOKEN_PARAMETER = '/license-steward/influxdb-token';
const PASSWORD_PARAMETER = '/license-steward/influxdb-password';
const KMS_KEY = 'arn:aws:kms:eu-north-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

function egressOf(template: Template, prefix: string): unknown[] {
  const id = logicalId(template, 'AWS::EC2::SecurityGroup', prefix);
  return template.toJSON().Resources[id].Properties.SecurityGroupEgress;
}

function withInfluxDb(aws: Record<string, unknown> = {}) {
  return configWith((config) => {
    config.destinations = {
      influxdb: {
        enable: true,
        url: 'https://db-0a1b2c3d.timestream-influxdb.eu-north-1.on.aws:8086',
        org: 'qlik',
        bucket: 'butler',
        token: { ssmParameter: TOKEN_PARAMETER },
      },
    };
    Object.assign(config.aws as object, { influxdbCidr: '10.40.0.0/24', ...aws });
  });
}

describe('infrastructure: the InfluxDB destination', () => {
  const { template } = synth(withInfluxDb());

  it('lets both functions read the token parameter (ssm:GetParameters), nothing more', () => {
    for (const fn of ['MonitorRole', 'ReleaseRole']) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: logicalId(template, 'AWS::IAM::Role', fn) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: 'ReadInfluxDbToken',
              Effect: 'Allow',
              Action: 'ssm:GetParameters',
              Resource: parameterArnJoin(TOKEN_PARAMETER),
            },
          ]),
        },
      });
    }
  });

  it('opens egress to the InfluxDB address and port from both functions', () => {
    const influx = {
      CidrIp: '10.40.0.0/24',
      Description: 'InfluxDB (destinations.influxdb)',
      FromPort: 8086,
      ToPort: 8086,
      IpProtocol: 'tcp',
    };
    expect(egressOf(template, 'NetworkMonitorSecurityGroup')).toContainEqual(influx);
    expect(egressOf(template, 'NetworkReleaseSecurityGroup')).toContainEqual(influx);
  });

  it('decrypts the token with a configured customer managed key only through SSM, for that parameter', () => {
    const { template: withKey } = synth(withInfluxDb({ certificatesKmsKeyArn: KMS_KEY }));

    withKey.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(withKey, 'AWS::IAM::Role', 'MonitorRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DecryptInfluxDbToken',
            Action: 'kms:Decrypt',
            Resource: KMS_KEY,
            Condition: {
              StringEquals: Match.objectLike({
                'kms:EncryptionContext:PARAMETER_ARN': [parameterArnJoin(TOKEN_PARAMETER)],
              }),
            },
          }),
        ]),
      },
    });
  });

  it('adds neither grant nor egress while the destination is off', () => {
    const { template: off } = synth();
    const statements = Object.values(off.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Sid?: string }>,
    );

    expect(statements.map((statement) => statement.Sid)).not.toContain('ReadInfluxDbToken');
    expect(egressOf(off, 'NetworkMonitorSecurityGroup')).not.toContainEqual(
      expect.objectContaining({ Description: 'InfluxDB (destinations.influxdb)' }),
    );
  });
});

describe('infrastructure: InfluxDB 1 with a password', () => {
  const withV1 = (influxdb: Record<string, unknown>) =>
    configWith((config) => {
      config.destinations = {
        influxdb: {
          enable: true,
          version: 1,
          url: 'https://influxdb.corp.example.com:8086',
          database: 'butler',
          ...influxdb,
        },
      };
      Object.assign(config.aws as object, { influxdbCidr: '10.40.0.0/24' });
    });

  it('lets both functions read the password parameter, like the token', () => {
    // Act
    const { template } = synth(
      withV1({ username: 'steward', password: { ssmParameter: PASSWORD_PARAMETER } }),
    );

    // Assess
    for (const role of ['MonitorRole', 'ReleaseRole'])
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: logicalId(template, 'AWS::IAM::Role', role) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: 'ReadInfluxDbToken',
              Effect: 'Allow',
              Action: 'ssm:GetParameters',
              Resource: parameterArnJoin(PASSWORD_PARAMETER),
            },
          ]),
        },
      });
  });
});
