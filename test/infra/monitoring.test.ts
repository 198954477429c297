import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { silentMinutesFor } from '../../infra/constructs/silent-minutes.ts';
import { configWith, logicalId, synth } from './helpers.ts';

function alarmNames(template: Template): string[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((alarm) => alarm.Properties.AlarmName as string)
    .sort();
}

/** The dashboard body with its tokens (function names, region) left as `{...}`. */
function dashboardBody(template: Template): string {
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
  const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  return parts.map((part) => (typeof part === 'string' ? part : '{...}')).join('');
}

describe('dashboard and alarms', () => {
  const { template } = synth();
  const topic = { Ref: logicalId(template, 'AWS::SNS::Topic', 'MonitoringAlarmTopic') };

  it('creates one dashboard named after the stack, with the license and function widgets', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'LicenseSteward',
    });
    const body = dashboardBody(template);
    for (const title of [
      'prod professional: allocated vs total, available',
      'prod analyzer: allocated vs total, available',
      'prod: days until license expiry',
      'prod: analyzer capacity (minutes)',
      'prod: tokens',
      'prod: releases per day',
      'lab professional: allocated vs total, available',
      'Function errors and throttles',
      'Function duration (ms)',
      'Failed invocations (queue)',
    ]) {
      expect(body).toContain(`"title":"${title}`);
    }
    for (const [metric, type] of [
      ['Total', 'professional'],
      ['Allocated', 'professional'],
      ['Available', 'analyzer'],
      ['AllocatedMinutes', 'analyzer_capacity'],
      ['UsedMinutes', 'analyzer_capacity'],
      ['AnalyzerCapacityDaysLeft', 'analyzer_capacity'],
      ['AnalyzerCapacityDaysToReset', 'analyzer_capacity'],
      ['Total', 'tokens'],
      ['DaysUntilExpiry', 'license'],
      ['Released', 'analyzer'],
      ['ReleaseFailed', 'professional'],
    ]) {
      expect(body).toContain(`["LicenseSteward","${metric}","LicenseType","${type}","Site","prod"`);
    }
  });

  it('creates the license alarms per site and the function alarms', () => {
    expect(alarmNames(template)).toEqual([
      'LicenseSteward-failed-invocations',
      'LicenseSteward-lab-analyzer-available-low',
      'LicenseSteward-lab-analyzer-capacity-runs-out',
      'LicenseSteward-lab-analyzer-excess',
      'LicenseSteward-lab-license-expiry',
      'LicenseSteward-lab-license-expiry-unreadable',
      'LicenseSteward-lab-monitor-silent',
      'LicenseSteward-lab-professional-available-low',
      'LicenseSteward-lab-professional-excess',
      'LicenseSteward-monitor-function-errors',
      'LicenseSteward-prod-analyzer-available-low',
      'LicenseSteward-prod-analyzer-capacity-runs-out',
      'LicenseSteward-prod-analyzer-excess',
      'LicenseSteward-prod-license-expiry',
      'LicenseSteward-prod-license-expiry-unreadable',
      'LicenseSteward-prod-monitor-silent',
      'LicenseSteward-prod-professional-available-low',
      'LicenseSteward-prod-professional-excess',
      'LicenseSteward-prod-release-deferred',
      'LicenseSteward-prod-release-failed',
      'LicenseSteward-release-function-errors',
    ]);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  it.each([
    ['professional', 3],
    ['analyzer', 7],
  ])('alarms when fewer %s allocations than configured are available', (type, threshold) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `LicenseSteward-prod-${type}-available-low`,
      Namespace: 'LicenseSteward',
      MetricName: 'Available',
      Dimensions: [
        { Name: 'LicenseType', Value: type },
        { Name: 'Site', Value: 'prod' },
      ],
      Statistic: 'Minimum',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: threshold,
      TreatMissingData: 'ignore',
    });
  });

  it('alarms when the license expires within the configured days', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LicenseSteward-prod-license-expiry',
      MetricName: 'DaysUntilExpiry',
      Dimensions: [
        { Name: 'LicenseType', Value: 'license' },
        { Name: 'Site', Value: 'prod' },
      ],
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 45,
    });
    // lab keeps the schema default.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LicenseSteward-lab-license-expiry',
      Threshold: 30,
    });
  });

  it('alarms when the license expiry cannot be read, so "no limit" is never silent', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LicenseSteward-prod-license-expiry-unreadable',
      MetricName: 'LicenseExpiryUnreadable',
      Dimensions: [
        { Name: 'LicenseType', Value: 'license' },
        { Name: 'Site', Value: 'prod' },
      ],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
  });

  it.each(['professional', 'analyzer'])('alarms when any %s allocation is in excess', (type) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `LicenseSteward-prod-${type}-excess`,
      MetricName: 'Excess',
      Dimensions: [
        { Name: 'LicenseType', Value: type },
        { Name: 'Site', Value: 'prod' },
      ],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      TreatMissingData: 'ignore',
    });
  });

  it('alarms when the analyzer capacity is projected to run out before the monthly reset', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LicenseSteward-prod-analyzer-capacity-runs-out',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 0,
      TreatMissingData: 'ignore',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(daysLeft, 1000) - daysToReset' }),
        Match.objectLike({
          Id: 'daysLeft',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'AnalyzerCapacityDaysLeft' }),
          }),
        }),
        Match.objectLike({
          Id: 'daysToReset',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'AnalyzerCapacityDaysToReset' }),
          }),
        }),
      ]),
    });
  });

  it('alarms on any failed release of either license type', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LicenseSteward-prod-release-failed',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(professional, 0) + FILL(analyzer, 0)' }),
        Match.objectLike({
          Id: 'professional',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'ReleaseFailed' }),
            Stat: 'Sum',
          }),
        }),
      ]),
    });
  });

  it('graphs and alarms on user access pass releases of a token site that enables them', () => {
    // Prepare
    const { template: tokens } = synth(
      configWith((config) => {
        const prod = config.sites[0] as Record<string, unknown>;
        prod.licenseRelease = {
          schedule: 'cron(0 2 * * ? *)',
          licenseType: {
            professional: { enable: false },
            analyzer: { enable: false },
            userAccess: { enable: true, releaseThresholdDays: 45 },
          },
        };
      }),
    );

    // Assess
    tokens.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LicenseSteward-prod-release-failed',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(userAccess, 0)' }),
        Match.objectLike({
          Id: 'userAccess',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({
              MetricName: 'ReleaseFailed',
              Dimensions: Match.arrayWith([{ Name: 'LicenseType', Value: 'userAccess' }]),
            }),
          }),
        }),
      ]),
    });
    const body = dashboardBody(tokens);
    expect(body).toContain('["LicenseSteward","Released","LicenseType","userAccess","Site","prod"');
    expect(body).not.toContain(
      '["LicenseSteward","Released","LicenseType","professional","Site","prod"',
    );
  });

  it('alarms on releases deferred because the run ran out of time', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LicenseSteward-prod-release-deferred',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp('aws.functions.release.timeoutSeconds'),
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(professional, 0) + FILL(analyzer, 0)' }),
        Match.objectLike({
          Id: 'analyzer',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'ReleaseDeferred' }),
            Stat: 'Sum',
          }),
        }),
      ]),
    });
  });

  it("alarms when the signed key's expiry cannot be read", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LicenseSteward-prod-license-expiry-unreadable',
      Namespace: 'LicenseSteward',
      MetricName: 'LicenseExpiryUnreadable',
      Dimensions: [
        { Name: 'LicenseType', Value: 'license' },
        { Name: 'Site', Value: 'prod' },
      ],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'ignore',
    });
  });

  it('alarms when no monitor data arrives for three schedule intervals (at least an hour)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LicenseSteward-prod-monitor-silent',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'breaching',
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression: 'FILL(professional, 0) + FILL(analyzer, 0) + FILL(tokens, 0)',
        }),
        Match.objectLike({
          Id: 'tokens',
          MetricStat: Match.objectLike({ Period: 3600, Stat: 'SampleCount' }),
        }),
      ]),
    });
    // lab runs hourly: three hours of silence.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LicenseSteward-lab-monitor-silent',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it('alarms on function errors and on failed invocations in the queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LicenseSteward-release-function-errors',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [
        {
          Name: 'FunctionName',
          Value: { Ref: logicalId(template, 'AWS::Lambda::Function', 'ReleaseFunction') },
        },
      ],
      Statistic: 'Sum',
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LicenseSteward-failed-invocations',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
    });
  });

  it('subscribes the configured e-mail addresses to an SSL-only topic', () => {
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).filter(
      (subscription) => JSON.stringify(subscription.Properties.TopicArn) === JSON.stringify(topic),
    );
    expect(subscriptions).toHaveLength(2);
    for (const email of ['qlik-admins@example.com', 'oncall@example.com']) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: topic,
      });
    }
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets CloudWatch publish to the alarm topic, only for this account and these alarms', () => {
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')).filter(
      (policy) => JSON.stringify(policy.Properties.Topics) === JSON.stringify([topic]),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0]?.Properties.PolicyDocument.Statement as Array<
      Record<string, unknown>
    >;
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Sid: 'AllowCloudWatchAlarms',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: topic,
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: {
              'aws:SourceArn': {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':cloudwatch:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':alarm:LicenseSteward-*',
                  ],
                ],
              },
            },
          },
        },
        expect.objectContaining({
          Effect: 'Deny',
          Principal: '*',
          Sid: 'AllowPublishThroughSSLOnly',
        }),
      ]),
    );
    // Every alarm's ARN falls under that ArnLike pattern.
    for (const name of alarmNames(template)) expect(name).toMatch(/^LicenseSteward-/);
  });

  it('keeps only function health when CloudWatch metrics are disabled', () => {
    const { template: off } = synth(
      configWith((config) => {
        config.destinations = { cloudwatch: { enable: false } };
      }),
    );

    expect(alarmNames(off)).toEqual([
      'LicenseSteward-failed-invocations',
      'LicenseSteward-monitor-function-errors',
      'LicenseSteward-release-function-errors',
    ]);
  });

  it('uses aws.alarms.monitorSilentMinutes when set', () => {
    const { template: custom } = synth(
      configWith((config) => {
        (config.aws as Record<string, unknown>).alarms = { monitorSilentMinutes: 30 };
      }),
    );

    custom.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LicenseSteward-lab-monitor-silent',
      EvaluationPeriods: 1,
      Metrics: Match.arrayWith([
        Match.objectLike({ Id: 'professional', MetricStat: Match.objectLike({ Period: 1800 }) }),
      ]),
    });
  });
});

describe('silentMinutesFor', () => {
  it.each([
    ['rate(15 minutes)', 60],
    ['rate(1 hour)', 180],
    ['rate(2 days)', 6 * 1440],
    ['rate(7 days)', 7 * 1440],
    ['cron(0 2 * * ? *)', 25 * 60],
  ])('gives %s %i minutes', (schedule, minutes) => {
    expect(silentMinutesFor(schedule)).toBe(minutes);
  });
});
