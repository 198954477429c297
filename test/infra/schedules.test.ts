import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { configWith, logicalId, synth } from './helpers.ts';

describe('schedules', () => {
  const { template } = synth(
    configWith((config) => {
      // Butler's form, normalised by the schema.
      (config.sites[1] as Record<string, unknown>).licenseMonitor = {
        schedule: 'every 30 minutes',
      };
    }),
  );
  const monitor = {
    'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', 'MonitorFunction'), 'Arn'],
  };
  const release = {
    'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', 'ReleaseFunction'), 'Arn'],
  };
  const queue = {
    'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'FailedInvocations'), 'Arn'],
  };

  it('creates one schedule per site and enabled job, in one schedule group', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    // prod: monitor + release; lab: monitor (no licenseRelease block).
    template.resourceCountIs('AWS::Scheduler::Schedule', 3);
    const groupName = Object.values(template.findResources('AWS::Scheduler::ScheduleGroup'))[0]
      ?.Properties.Name;
    template.allResourcesProperties('AWS::Scheduler::Schedule', {
      GroupName: groupName,
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
    });
  });

  it.each([
    ['prod', 'monitor', 'rate(15 minutes)', 'Europe/Stockholm'],
    ['prod', 'release', 'cron(0 4 * * ? *)', 'Europe/Stockholm'],
    ['lab', 'monitor', 'rate(30 minutes)', 'America/New_York'],
  ])('runs the %s %s job at %s in %s with the site as input', (site, job, expression, zone) => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: zone,
      Target: Match.objectLike({
        Arn: job === 'monitor' ? monitor : release,
        // Release runs carry the time they were scheduled for: the run ledger's key.
        Input: JSON.stringify(
          job === 'release' ? { site, scheduledTime: '<aws.scheduler.scheduled-time>' } : { site },
        ),
      }),
    });
  });

  it('sets retries and event age on purpose, with undeliverable events in the failure queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({
        Arn: monitor,
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600 },
        DeadLetterConfig: { Arn: queue },
      }),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({
        Arn: release,
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: queue },
      }),
    });
  });

  it('creates no schedule for a disabled job', () => {
    const { template: disabled } = synth(
      configWith((config) => {
        const prod = config.sites[0] as Record<string, Record<string, unknown>>;
        (prod.licenseRelease as Record<string, unknown>).enable = false;
        (prod.licenseMonitor as Record<string, unknown>).enable = false;
      }),
    );

    const targets = Object.values(disabled.findResources('AWS::Scheduler::Schedule')).map(
      (schedule) => schedule.Properties.Target.Input,
    );
    expect(targets).toEqual([JSON.stringify({ site: 'lab' })]);
  });

  it('lets only the scheduler of this account and schedule group assume its role', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: Match.objectLike({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }),
            },
          }),
        ],
      },
    });
  });
});
