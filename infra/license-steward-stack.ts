/**
 * The whole deployment in one stack: network, the two functions, their schedules, Timestream
 * (when enabled), the dashboard and the alarms. Everything comes from the validated config.
 *
 * One wiring rule: a resource this stack creates and a function uses (the run ledger, the release
 * report topic, the Timestream tables) offers `bind(fn)`, which grants exactly what the function
 * calls and sets the environment variable the runtime finds it by; what the stack does not own
 * (the SSM parameters) the function grants itself (`grantParameters`).
 */
import path from 'node:path';
import { CfnOutput, Duration, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type JobName, siteJob } from '#shared/config/site-job.ts';
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
  /** The validated configuration, checked for deployment (deployment.ts). */
  readonly deployment: Deployment;
}

/** What differs between the two functions; the rest comes from the deployment. */
const FUNCTIONS: Record<
  JobName,
  {
    id: string;
    description: string;
    securityGroupId: string;
    securityGroupDescription: string;
    retryAttempts: number;
    reservedConcurrency?: number;
  }
> = {
  monitor: {
    id: 'Monitor',
    description: 'license-steward: collects Qlik Sense license usage (one site per event)',
    securityGroupId: 'MonitorSecurityGroup',
    securityGroupDescription: 'license-monitor: QRS of its sites, HTTPS to AWS APIs',
    // A failed reading is retried once; after that the next scheduled run is the retry.
    retryAttempts: 1,
  },
  release: {
    id: 'Release',
    description: 'license-steward: releases inactive Qlik Sense allocations (one site per event)',
    securityGroupId: 'ReleaseSecurityGroup',
    securityGroupDescription: 'license-release: QRS of its sites, HTTPS to AWS APIs',
    // Two retries on purpose: the handler throws only before its first DELETE (the run ledger
    // then lets the retry run), and a retry of a run that sent DELETEs gets the recorded answer.
    retryAttempts: 2,
    // One run at a time across all sites: runs never overlap (a second one is throttled and
    // retried by Lambda's asynchronous queue).
    reservedConcurrency: 1,
  },
};

export class LicenseStewardStack extends Stack {
  readonly network: StewardNetwork;
  /** Scheduled runs that failed after their retries, or that the scheduler could not deliver. */
  readonly failureQueue: Queue;
  readonly monitorFunction: StewardFunction;
  readonly releaseFunction: StewardFunction;
  readonly schedules: StewardSchedules;
  readonly monitoring: StewardMonitoring;
  readonly timestream?: TimestreamStore;
  /** Present when a site releases licenses. */
  readonly report?: ReleaseReportTopic;
  readonly runLedger: RunLedgerTable;
  private readonly deployment: Deployment;

  constructor(scope: Construct, id: string, props: LicenseStewardStackProps) {
    super(scope, id, {
      description:
        'license-steward: monitoring and automatic release of Qlik Sense Enterprise licenses',
      ...props,
    });
    this.deployment = props.deployment;
    const { config, aws, sites } = props.deployment;
    Tags.of(this).add('project', 'license-steward');
    const destinations = config.destinations;
    const releasing = sites.some(({ site }) => site.licenseRelease?.enable === true);

    this.network = new StewardNetwork(this, 'Network', {
      network: aws.network,
      vpcEndpoints: aws.vpcEndpoints,
      logRetention: aws.logRetentionDays as RetentionDays,
      timestream: destinations.timestream.enable,
      report: releasing,
    });
    this.failureQueue = createFailureQueue(this);

    this.runLedger = new RunLedgerTable(this, 'RunLedger');
    this.monitorFunction = this.createFunction('monitor');
    this.releaseFunction = this.createFunction('release');
    this.runLedger.bind(this.releaseFunction);
    this.grantSecrets();

    if (destinations.timestream.enable) {
      this.timestream = new TimestreamStore(this, 'Timestream', {
        destination: destinations.timestream,
        settings: aws.timestream,
      });
      this.timestream.bind(this.monitorFunction, 'usage');
      this.timestream.bind(this.releaseFunction, 'release');
    }

    this.schedules = new StewardSchedules(this, 'Schedules', {
      sites: config.sites,
      monitor: this.monitorFunction.function,
      release: this.releaseFunction.function,
      deadLetterQueue: this.failureQueue,
    });

    this.monitoring = new StewardMonitoring(this, 'Monitoring', {
      name: this.stackName,
      sites: config.sites,
      namespace: destinations.cloudwatch.enable ? destinations.cloudwatch.namespace : undefined,
      monitor: this.monitorFunction.function,
      release: this.releaseFunction.function,
      failureQueue: this.failureQueue,
      emails: aws.alarms.emails,
      monitorSilentMinutes: aws.alarms.monitorSilentMinutes,
    });

    if (releasing) {
      this.report = new ReleaseReportTopic(this, 'ReleaseReport', {
        name: this.stackName,
        emails: aws.alarms.reportEmails ?? aws.alarms.emails,
      });
      this.report.bind(this.releaseFunction);
    }

    this.addOutputs();
  }

  /** The sites a job runs for (its `enable` on). */
  private sitesFor(job: JobName): DeployedSite[] {
    return this.deployment.sites.filter(({ site }) => siteJob(site, job).enabled);
  }

  private createFunction(job: JobName): StewardFunction {
    const { config, aws, influxdb } = this.deployment;
    const settings = FUNCTIONS[job];
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
    return new StewardFunction(this, settings.id, {
      config,
      logRetention: aws.logRetentionDays as RetentionDays,
      vpc: this.network.vpc,
      subnets: this.network.subnets,
      failureQueue: this.failureQueue,
      environment: { POWERTOOLS_METRICS_NAMESPACE: config.destinations.cloudwatch.namespace },
      entry: HANDLER_ENTRIES[job],
      description: settings.description,
      memoryMb: aws.functions[job].memoryMb,
      timeout: Duration.seconds(aws.functions[job].timeoutSeconds),
      securityGroup: this.network.functionSecurityGroup(
        settings.securityGroupId,
        settings.securityGroupDescription,
        qrsOf(this.sitesFor(job)),
        influxEgress,
      ),
      retryAttempts: settings.retryAttempts,
      maxEventAge: SCHEDULE_DELIVERY[job].maxEventAge,
      ...(settings.reservedConcurrency !== undefined
        ? { reservedConcurrency: settings.reservedConcurrency }
        : {}),
    });
  }

  /** Each function reads the certificates of the sites it runs for, and the InfluxDB token. */
  private grantSecrets(): void {
    const { aws, influxdb } = this.deployment;
    const functions: Array<[JobName, StewardFunction]> = [
      ['monitor', this.monitorFunction],
      ['release', this.releaseFunction],
    ];
    for (const [job, fn] of functions)
      fn.grantParameters(
        this.sitesFor(job).flatMap((site) => site.certificateParameters),
        aws.certificatesKmsKeyArn,
      );
    if (influxdb) {
      for (const [, fn] of functions)
        fn.grantParameters(influxdb.parameters, aws.certificatesKmsKeyArn, 'InfluxDbToken');
    }
  }

  private addOutputs(): void {
    new CfnOutput(this, 'DashboardUrl', {
      description: 'The CloudWatch dashboard',
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards/dashboard/${this.monitoring.dashboard.dashboardName}`,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'FailedInvocationsQueueUrl', { value: this.failureQueue.queueUrl });
    new CfnOutput(this, 'MonitorFunctionName', {
      value: this.monitorFunction.function.functionName,
    });
    new CfnOutput(this, 'ReleaseFunctionName', {
      value: this.releaseFunction.function.functionName,
    });
  }
}

/** Encrypted, TLS only, kept 14 days and alarmed on (monitoring.ts). */
function createFailureQueue(scope: Construct): Queue {
  const queue = new Queue(scope, 'FailedInvocations', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      "This queue is the dead-letter destination itself (Lambda on-failure destination and the schedules' DLQ); cdk-nag only recognises queues named in another queue's RedrivePolicy as DLQs. Its messages are kept 14 days and alarmed on.",
  });
  Validations.of(queue).acknowledge({
    id: 'cdk-validator-cfnguard::sqs_dlq_check',
    reason:
      "This queue is the dead-letter destination itself (Lambda on-failure destination and the schedules' DLQ); nothing consumes it, so a message can never fail processing and need a queue of its own. Its messages are kept 14 days and alarmed on.",
  });
  return queue;
}

function qrsOf(sites: readonly DeployedSite[]): QrsDestination[] {
  return sites.map(({ site, qrsCidr, qrsPort }) => ({
    site: site.name,
    cidr: qrsCidr,
    port: qrsPort,
  }));
}
