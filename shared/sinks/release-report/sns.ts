/**
 * The release report as a release sink: after a run, one message per site to the report topic
 * (SNS; e-mail subscriptions of the admins), formatted by report-message.ts. Real runs report
 * when they released or failed anything; dry runs only with `licenseRelease.report.dryRuns`.
 * The CDK app gives the Lambda the topic's ARN in LICENSE_STEWARD_REPORT_TOPIC_ARN; without it
 * (the CLI, tests) there is no report sink. A failed publish is a sink error of the run, never a
 * failed run.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { awsClientDeadlines, type ClientProvider, lazyClient } from '#shared/aws-clients.ts';
import { REPORT_TOPIC_ENV } from '#shared/env-names.ts';
import {
  DEFAULT_MAX_LISTED,
  formatReportMessage,
  shouldReport,
} from '#shared/licensing/release/report-message.ts';
import type { ReleaseSink } from '#shared/licensing/sinks.ts';

export interface SnsReportOptions {
  client: ClientProvider<Pick<SNSClient, 'send'>>;
  topicArn: string;
  /** `licenseRelease.report.dryRuns` of the run's site. */
  reportDryRuns: (site: string) => boolean;
  /** `licenseRelease.mode: review` for the run's site: its dry runs are plans, always reported. */
  review?: (site: string) => boolean;
  maxListed?: number;
}

export function snsReportSink(options: SnsReportOptions): ReleaseSink {
  return {
    name: 'report',
    async write(run) {
      const site = run.result.site;
      const review = options.review?.(site) === true;
      if (!shouldReport(run.result, review || options.reportDryRuns(site))) return;
      const message = formatReportMessage(run, options.maxListed ?? DEFAULT_MAX_LISTED, { review });
      await options.client().send(
        new PublishCommand({
          TopicArn: options.topicArn,
          Subject: message.subject,
          Message: message.body,
        }),
      );
    },
  };
}

/** Short timeouts: the publish must fit the sinks' share of the Lambda's time (time-budget.ts). */
export function createSnsClient(): SNSClient {
  return new SNSClient(awsClientDeadlines({ connectionTimeout: 3_000, requestTimeout: 5_000 }, 2));
}

/** The report sink when the topic is configured (Lambda), else none. */
export type ReportSites = ReadonlyArray<{
  name: string;
  licenseRelease?: { report: { dryRuns: boolean }; mode?: 'release' | 'review' };
}>;

export function reportSinksFromEnv(
  sites: ReportSites,
  env: NodeJS.ProcessEnv = process.env,
  client: ClientProvider<Pick<SNSClient, 'send'>> = createSnsClient,
): ReleaseSink[] {
  const topicArn = env[REPORT_TOPIC_ENV];
  if (!topicArn) return [];
  const dryRuns = new Map(sites.map((site) => [site.name, site.licenseRelease?.report.dryRuns]));
  const reviewing = new Set(
    sites.filter((site) => site.licenseRelease?.mode === 'review').map((site) => site.name),
  );
  return [
    snsReportSink({
      client: lazyClient(client),
      topicArn,
      reportDryRuns: (site) => dryRuns.get(site) === true,
      review: (site) => reviewing.has(site),
    }),
  ];
}
