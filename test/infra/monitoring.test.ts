import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { silentMinutesFor } from '../../infra/constructs/monitoring.ts';
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
      'LicenseSteward-lab-license-expiry',
      'LicenseSteward-lab-monitor-silent',
      'LicenseSteward-lab-professional-available-low',
      'LicenseSteward-monitor-function-errors',
      'LicenseSteward-prod-analyzer-available-low',
      'LicenseSteward-prod-license-expiry',
      'LicenseSteward-prod-monitor-silent',
      'LicenseSteward-prod-professional-available-low',
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

  it('alarms when a release run deferred releases for lack of time', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LicenseSteward-prod-release-deferred',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp('ran short of time'),
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
    template.resourceCountIs('AWS::SNS::Subscription', 2);
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
