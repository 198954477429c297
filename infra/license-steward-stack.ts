/**
 * The whole deployment in one stack: network, the two functions, their schedules, Timestream
 * (when enabled), the dashboard and the alarms. Everything comes from the validated config.
 */
import path from 'node:path';
import { CfnOutput, Duration, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type JobName, siteJob } from '#shared/config/site-job.ts';
import { RUNS_TABLE_ENV } from '#shared/env-names.ts';
import { StewardMonitoring } from './constructs/monitoring.ts';
import { type QrsDestination, StewardNetwork } from './constructs/network.ts';
import { ReleaseReportTopic } from './constructs/report-topic.ts';
import { RunLedgerTable } from './constructs/run-ledger-table.ts';
import { SCHEDULE_DELIVERY, StewardSchedules } from './constructs/schedules.ts';
import { StewardFunction } from './constructs/steward-function.ts';
import { TimestreamStore } from './constructs/timestream-store.ts';
import type { DeployedSite, Deployment } from './deployment.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/** The Lambda entry points (each `export const handler`). */
export const HANDLER_ENTRIES = {
  monitor: path.join(REPO_ROOT, 'functions/license-monitor/handler.ts'),
  release: path.join(REPO_ROOT, 'functions/license-release/handler.ts'),
} as const;

export interface LicenseStewardStackProps extends StackProps {
  deployment: Deployment;
}

export class LicenseStewardStack extends Stack {
  readonly network: StewardNetwork;
  readonly monitorFunction: StewardFunction;
  readonly releaseFunction: StewardFunction;
  readonly schedules: StewardSchedules;
  readonly monitoring: StewardMonitoring;
  readonly timestream?: TimestreamStore;
  /** Present when a site releases licenses. */
  readonly report?: ReleaseReportTopic;
  readonly runLedger: RunLedgerTable;

  constructor(scope: Construct, id: string, props: LicenseStewardStackProps) {
    super(scope, id, {
      description:
        'license-steward: monitoring and automatic release of Qlik Sense Enterprise licenses',
      ...props,
    });
    const { config, aws, sites, influxdb } = props.deployment;
    const sitesFor = (job: JobName) => sites.filter(({ site }) => siteJob(site, job).enabled);
    Tags.of(this).add('project', 'license-steward');
    const logRetention = aws.logRetentionDays as RetentionDays;
    const destinations = config.destinations;
    const releasing = sites.some(({ site }) => site.licenseRelease?.enable === true);

    this.network = new StewardNetwork(this, 'Network', {
      network: aws.network,
      vpcEndpoints: aws.vpcEndpoints,
      logRetention,
      timestream: destinations.timestream.enable,
      report: releasing,
    });

    // Scheduled runs that failed after their retries, or that the scheduler could not deliver.
    const failureQueue = new Queue(this, 'FailedInvocations', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the dead-letter destination itself (Lambda on-failure destination and the schedules' DLQ); cdk-nag only recognises queues named in another queue's RedrivePolicy as DLQs. Its messages are kept 14 days and alarmed on.",
    });
    Validations.of(failureQueue).acknowledge({
      id: 'cdk-validator-cfnguard::sqs_dlq_check',
      reason:
        "This queue is the dead-letter destination itself (Lambda on-failure destination and the schedules' DLQ); nothing consumes it, so a message can never fail processing and need a queue of its own. Its messages are kept 14 days and alarmed on.",
    });

    // Both functions write to InfluxDB when it is on (usage and release points).
    const influxEgress = influxdb
      ? [
          {
            cidr: influxdb.cidr,
            port: influxdb.port,
            description: 'InfluxDB (destinations.influxdb)',
          },
        ]
      : [];

    const common = {
      config,
      logRetention,
      vpc: this.network.vpc,
      subnets: this.network.subnets,
      failureQueue,
      environment: { POWERTOOLS_METRICS_NAMESPACE: destinations.cloudwatch.namespace },
    };
    this.runLedger = new RunLedgerTable(this, 'RunLedger');
    this.monitorFunction = new StewardFunction(this, 'Monitor', {
      ...common,
      entry: HANDLER_ENTRIES.monitor,
      description: 'license-steward: collects Qlik Sense license usage (one site per event)',
      memoryMb: aws.functions.monitor.memoryMb,
      timeout: Duration.seconds(aws.functions.monitor.timeoutSeconds),
      securityGroup: this.network.functionSecurityGroup(
        'MonitorSecurityGroup',
        'license-monitor: QRS of its sites, HTTPS to AWS APIs',
        qrsOf(sitesFor('monitor')),
        influxEgress,
      ),
      // A failed reading is retried once; after that the next scheduled run is the retry.
      retryAttempts: 1,
      maxEventAge: SCHEDULE_DELIVERY.monitor.maxEventAge,
    });
    this.releaseFunction = new StewardFunction(this, 'Release', {
      ...common,
      entry: HANDLER_ENTRIES.release,
      description: 'license-steward: releases inactive Qlik Sense allocations (one site per event)',
      memoryMb: aws.functions.release.memoryMb,
      timeout: Duration.seconds(aws.functions.release.timeoutSeconds),
      securityGroup: this.network.functionSecurityGroup(
        'ReleaseSecurityGroup',
        'license-release: QRS of its sites, HTTPS to AWS APIs',
        qrsOf(sitesFor('release')),
        influxEgress,
      ),
      // One run at a time across all sites: runs never overlap (a second one is throttled and
      // retried by Lambda's asynchronous queue).
      reservedConcurrency: 1,
      environment: {
        ...common.environment,
        [RUNS_TABLE_ENV]: this.runLedger.table.tableName,
      },
      // Two retries on purpose: the handler throws only before its first DELETE (the run ledger
      // then lets the retry run), and a retry of a run that sent DELETEs gets the recorded answer.
      retryAttempts: 2,
      maxEventAge: SCHEDULE_DELIVERY.release.maxEventAge,
    });

    this.runLedger.grantRuns(this.releaseFunction.role);

    // Each function reads the certificates of the sites it runs for, nothing else.
    this.monitorFunction.grantParameters(
      sitesFor('monitor').flatMap(certificatesOf),
      aws.certificatesKmsKeyArn,
    );
    this.releaseFunction.grantParameters(
      sitesFor('release').flatMap(certificatesOf),
      aws.certificatesKmsKeyArn,
    );

    if (influxdb) {
      for (const fn of [this.monitorFunction, this.releaseFunction])
        fn.grantParameters(influxdb.parameters, aws.certificatesKmsKeyArn, 'InfluxDbToken');
    }

    if (destinations.timestream.enable) {
      const store = new TimestreamStore(this, 'Timestream', {
        destination: destinations.timestream,
        settings: aws.timestream,
      });
      this.timestream = store;
      this.monitorFunction.grantTimestreamWrite([store.usageTableArn]);
      this.releaseFunction.grantTimestreamWrite([store.releaseTableArn]);
    }

    this.schedules = new StewardSchedules(this, 'Schedules', {
      sites: config.sites,
      monitor: this.monitorFunction.function,
      release: this.releaseFunction.function,
      deadLetterQueue: failureQueue,
    });

    this.monitoring = new StewardMonitoring(this, 'Monitoring', {
      name: this.stackName,
      sites: config.sites,
      namespace: destinations.cloudwatch.enable ? destinations.cloudwatch.namespace : undefined,
      monitor: this.monitorFunction.function,
      release: this.releaseFunction.function,
      failureQueue,
      emails: aws.alarms.emails,
      monitorSilentMinutes: aws.alarms.monitorSilentMinutes,
    });

    if (releasing) {
      this.report = new ReleaseReportTopic(this, 'ReleaseReport', {
        name: this.stackName,
        emails: aws.alarms.reportEmails ?? aws.alarms.emails,
        publisher: this.releaseFunction,
      });
    }

    new CfnOutput(this, 'DashboardUrl', {
      description: 'The CloudWatch dashboard',
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards/dashboard/${this.monitoring.dashboard.dashboardName}`,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'FailedInvocationsQueueUrl', { value: failureQueue.queueUrl });
    new CfnOutput(this, 'MonitorFunctionName', {
      value: this.monitorFunction.function.functionName,
    });
    new CfnOutput(this, 'ReleaseFunctionName', {
      value: this.releaseFunction.function.functionName,
    });
  }
}

function qrsOf(sites: readonly DeployedSite[]): QrsDestination[] {
  return sites.map(({ site, qrsCidr, qrsPort }) => ({
    site: site.name,
    cidr: qrsCidr,
    port: qrsPort,
  }));
}

function certificatesOf(site: DeployedSite): string[] {
  return site.certificateParameters;
}
