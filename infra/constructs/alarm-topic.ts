/**
 * The SNS topic every alarm notifies. Its policy is written by the stack (`enforceSSL` adds a
 * TLS-only Deny), and a topic policy replaces SNS's default one: without an Allow for
 * CloudWatch, no alarm would ever be delivered. So CloudWatch may publish, but only for this
 * account's alarms whose names start with the deployment's prefix.
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Alarm names start with `${alarmPrefix}-` (the stack name). */
  readonly alarmPrefix: string;
  /** aws.alarms.emails: each receives a confirmation e-mail once. */
  readonly emails: readonly string[];
}

/** A topic of its own kind (not a wrapper), so its place in the construct tree is the topic's. */
export class AlarmTopic extends Topic {
  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id, {
      displayName: `license-steward alarms (${props.alarmPrefix})`,
      enforceSSL: true,
    });
    const stack = Stack.of(this);
    this.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${props.alarmPrefix}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications only (alarm name, metric value, site name; never certificates or user data). CloudWatch alarms cannot publish to a topic encrypted with the AWS managed aws/sns key, and a customer managed key would add USD 1 per month per deployment for nothing secret.',
    });
    for (const email of props.emails) this.addSubscription(new EmailSubscription(email));
  }
}
