/**
 * The release report topic: encrypted, TLS only, no service may publish, the admins subscribed,
 * and only the release function may publish to it (the topic ARN in its environment).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { REPORT_TOPIC_ENV } from '#shared/env-names.ts';
import { configWith, logicalId, synth } from './helpers.ts';

describe('the release report topic', () => {
  const { template } = synth();
  const topicId = logicalId(template, 'AWS::SNS::Topic', 'ReleaseReportTopic');
  const topic = { Ref: topicId };

  it('is encrypted with the AWS managed SNS key and accepts only TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'license-steward release report (LicenseSteward)',
      KmsMasterKeyId: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':kms:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':alias/aws/sns',
          ],
        ],
      },
    });
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')).filter(
      (policy) => JSON.stringify(policy.Properties.Topics) === JSON.stringify([topic]),
    );
    expect(policies).toHaveLength(1);
    // Only the TLS Deny: no service principal may publish; the release role's own grant does.
    expect(policies[0]?.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    ]);
  });

  it('subscribes aws.alarms.emails by default', () => {
    for (const email of ['qlik-admins@example.com', 'oncall@example.com'])
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: topic,
      });
  });

  it('subscribes aws.alarms.reportEmails instead when set', () => {
    const { template: own } = synth(
      configWith((config) => {
        (config.aws as { alarms: Record<string, unknown> }).alarms.reportEmails = [
          'license-team@example.com',
        ];
      }),
    );
    const ownTopic = { Ref: logicalId(own, 'AWS::SNS::Topic', 'ReleaseReportTopic') };

    const endpoints = Object.values(own.findResources('AWS::SNS::Subscription'))
      .filter((s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify(ownTopic))
      .map((s) => s.Properties.Endpoint);
    expect(endpoints).toEqual(['license-team@example.com']);
  });

  it('lets only the release function publish, on this topic only, and tells it the ARN', () => {
    const publishers = Object.entries(template.findResources('AWS::IAM::Policy')).filter(
      ([, policy]) => JSON.stringify(policy.Properties.PolicyDocument).includes('sns:Publish'),
    );
    expect(publishers.map(([id]) => id)).toEqual([
      expect.stringMatching(/^ReleaseRoleDefaultPolicy/),
    ]);
    expect(publishers[0]?.[1].Properties.PolicyDocument.Statement).toContainEqual({
      Sid: 'PublishReleaseReport',
      Effect: 'Allow',
      Action: 'sns:Publish',
      Resource: topic,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('releases inactive'),
      Environment: { Variables: Match.objectLike({ [REPORT_TOPIC_ENV]: topic }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('collects Qlik Sense license usage'),
      Environment: {
        Variables: Match.not(Match.objectLike({ [REPORT_TOPIC_ENV]: Match.anyValue() })),
      },
    });
    template.hasOutput('ReleaseReportTopicArn', { Value: topic });
  });

  it('is not created when no site releases licenses', () => {
    const { template: monitorOnly } = synth(
      configWith((config) => {
        delete config.sites[0]?.licenseRelease;
      }),
    );

    expect(
      Object.keys(monitorOnly.findResources('AWS::SNS::Topic')).filter((id) =>
        id.startsWith('ReleaseReport'),
      ),
    ).toEqual([]);
  });
});
