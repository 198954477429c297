/**
 * The release report topic: after a real run that released or failed anything, the release
 * function publishes one short message per site (shared/sinks/release-report/sns.ts), and the admins get
 * it by e-mail. Encrypted with the AWS managed aws/sns key, whose key policy lets the account's
 * principals use it through SNS, so the publisher needs sns:Publish on this topic and nothing
 * else. Only the release function publishes: no service principal is allowed.
 */
import { CfnOutput } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { REPORT_TOPIC_ENV } from '#shared/env-names.ts';
import type { StewardFunction } from './steward-function.ts';

export interface ReleaseReportTopicProps {
  /** The stack name, for the display name. */
  readonly name: string;
  /** aws.alarms.reportEmails, default aws.alarms.emails. */
  readonly emails: readonly string[];
}

export class ReleaseReportTopic extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: ReleaseReportTopicProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      displayName: `license-steward release report (${props.name})`,
      enforceSSL: true,
      masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    for (const email of props.emails) this.topic.addSubscription(new EmailSubscription(email));
    new CfnOutput(scope, 'ReleaseReportTopicArn', { value: this.topic.topicArn });
  }

  /**
   * Lets a function (the release function) publish the report: sns:Publish on this topic, and
   * the topic's ARN in its environment, where the report sink looks for it.
   */
  bind(fn: StewardFunction): void {
    fn.role.addToPolicy(
      new PolicyStatement({
        sid: 'PublishReleaseReport',
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );
    fn.function.addEnvironment(REPORT_TOPIC_ENV, this.topic.topicArn);
  }
}
