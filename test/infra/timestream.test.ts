import { Match } from 'aws-cdk-lib/assertions';
import { describe, it } from 'vitest';
import { configWith, logicalId, synth } from './helpers.ts';

describe('Timestream', () => {
  it('is absent when destinations.timestream.enable is false (the default)', () => {
    const { template } = synth();

    template.resourceCountIs('AWS::Timestream::Database', 0);
    template.resourceCountIs('AWS::Timestream::Table', 0);
  });

  describe('when enabled', () => {
    const { template } = synth(
      configWith((config) => {
        config.destinations = {
          timestream: { enable: true, database: 'qlik_licenses', usageTable: 'usage' },
        };
        (config.aws as Record<string, unknown>).timestream = { releaseRetentionDays: 3650 };
      }),
    );
    const database = logicalId(template, 'AWS::Timestream::Database', 'TimestreamDatabase');

    it('creates the database and both tables with deliberate retention, kept on stack deletion', () => {
      template.hasResource('AWS::Timestream::Database', {
        Properties: { DatabaseName: 'qlik_licenses' },
        DeletionPolicy: 'Retain',
      });
      template.hasResource('AWS::Timestream::Table', {
        Properties: {
          DatabaseName: { Ref: database },
          TableName: 'usage',
          RetentionProperties: {
            MemoryStoreRetentionPeriodInHours: '24',
            MagneticStoreRetentionPeriodInDays: '731',
          },
          MagneticStoreWriteProperties: { EnableMagneticStoreWrites: false },
        },
        DeletionPolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::Timestream::Table', {
        TableName: 'license_release',
        RetentionProperties: {
          MemoryStoreRetentionPeriodInHours: '24',
          MagneticStoreRetentionPeriodInDays: '3650',
        },
      });
    });

    it('lets the monitor write the usage table and the release function the release table', () => {
      const grant = (role: string, table: string) =>
        template.hasResourceProperties('AWS::IAM::Policy', {
          Roles: [{ Ref: logicalId(template, 'AWS::IAM::Role', role) }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              {
                Sid: 'WriteTimestream',
                Effect: 'Allow',
                Action: 'timestream:WriteRecords',
                Resource: {
                  'Fn::GetAtt': [logicalId(template, 'AWS::Timestream::Table', table), 'Arn'],
                },
              },
            ]),
          },
        });
      grant('MonitorRole', 'TimestreamUsageTable');
      grant('ReleaseRole', 'TimestreamReleaseTable');
    });

    it('allows endpoint discovery in a policy of its own', () => {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: logicalId(template, 'AWS::IAM::Role', 'MonitorRole') }],
        PolicyDocument: {
          Statement: [{ Effect: 'Allow', Action: 'timestream:DescribeEndpoints', Resource: '*' }],
        },
      });
    });
  });

  it('writes to an existing database when createDatabase is false, creating nothing', () => {
    const { template } = synth(
      configWith((config) => {
        config.destinations = { timestream: { enable: true } };
        (config.aws as Record<string, unknown>).timestream = { createDatabase: false };
      }),
    );

    template.resourceCountIs('AWS::Timestream::Database', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(template, 'AWS::IAM::Role', 'ReleaseRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'timestream:WriteRecords',
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':timestream:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':database/license_steward/table/license_release',
                ],
              ],
            },
          }),
        ]),
      },
    });
  });
});
