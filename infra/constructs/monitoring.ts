/**
 * The operator's view: one CloudWatch dashboard per deployment and the alarms, all notifying one
 * SNS topic (alarm-topic.ts; e-mail subscriptions from aws.alarms.emails). Metric names and dimensions come from
 * the sinks that publish them (shared/sinks), so the dashboard cannot drift from the functions.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SiteConfig } from '#shared/config/schema.ts';
import { siteJob } from '#shared/config/site-job.ts';
import { CLOUDWATCH_METRIC, LICENSE_TYPE } from '#shared/names.ts';
import { AlarmTopic } from './alarm-topic.ts';
import { silentMinutesFor } from './silent-minutes.ts';
import { type AlarmSpec, expiryUnreadableAlarm, releaseAlarms } from './site-alarms.ts';
import { siteDashboardRows } from './site-dashboard.ts';
import { LEVEL_PERIOD, type SiteMetric, siteMetric } from './site-metric.ts';

export interface StewardMonitoringProps {
  /** Prefix of the dashboard and alarm names (the stack name). */
  readonly name: string;
  readonly sites: readonly SiteConfig[];
  /**
   * The namespace of the functions' CloudWatch metrics (destinations.cloudwatch).
   * @default - no license metrics: the dashboard and alarms cover function health only
   */
  readonly namespace?: string;
  readonly monitor: IFunction;
  readonly release: IFunction;
  readonly failureQueue: IQueue;
  readonly emails: readonly string[];
  /**
   * How long without usage data before the silence alarm (aws.alarms.monitorSilentMinutes).
   * @default - from each site's monitor schedule (silent-minutes.ts)
   */
  readonly monitorSilentMinutes?: number;
}

const FUNCTION_PERIOD = Duration.minutes(5);

export class StewardMonitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  private readonly props: StewardMonitoringProps;

  constructor(scope: Construct, id: string, props: StewardMonitoringProps) {
    super(scope, id);
    this.props = props;
    this.topic = new AlarmTopic(this, 'AlarmTopic', {
      alarmPrefix: props.name,
      emails: props.emails,
    });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.name,
      defaultInterval: Duration.days(14),
    });

    const namespace = props.namespace;
    if (namespace) {
      for (const site of props.sites) this.addSite(site, namespace);
    } else {
      this.dashboard.addWidgets(
        new TextWidget({
          markdown:
            '**destinations.cloudwatch.enable is false**: no license metrics in CloudWatch, so no license widgets or license alarms. Function health is below.',
          width: 24,
          height: 2,
        }),
      );
    }
    this.addFunctionHealth();
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 6 }),
    );
  }

  private addSite(site: SiteConfig, namespace: string): void {
    const metric = siteMetric(namespace, site.name);
    for (const row of siteDashboardRows(site, metric)) this.dashboard.addWidgets(...row);
    if (siteJob(site, 'monitor').enabled) this.addUsageAlarms(site, metric);
    if (siteJob(site, 'release').enabled) {
      for (const spec of releaseAlarms(site, metric)) this.alarm(spec);
    }
  }

  /** Pool low per type, expiry near, expiry unreadable, and no data at all. */
  private addUsageAlarms(site: SiteConfig, metric: SiteMetric): void {
    for (const type of ['professional', 'analyzer'] as const) {
      const threshold = site.alarms.availableBelow[type];
      this.alarm({
        id: `${site.name}-${type}-available-low`,
        metric: metric(
          CLOUDWATCH_METRIC.available,
          LICENSE_TYPE[type],
          Stats.MINIMUM,
          LEVEL_PERIOD,
        ),
        threshold,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        // Missing data keeps the state: a daily monitor must not flap back to OK in between.
        treatMissingData: TreatMissingData.IGNORE,
        description: `Site ${site.name}: fewer than ${threshold} ${type} allocations available (sites[].alarms.availableBelow.${type}). Release inactive allocations or buy more.`,
      });
    }
    const days = site.alarms.expiryWithinDays;
    this.alarm({
      id: `${site.name}-license-expiry`,
      metric: metric(
        CLOUDWATCH_METRIC.daysUntilExpiry,
        LICENSE_TYPE.license,
        Stats.MINIMUM,
        LEVEL_PERIOD,
      ),
      threshold: days,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.IGNORE,
      description: `Site ${site.name}: the Qlik Sense license expires within ${days} days (sites[].alarms.expiryWithinDays).`,
    });
    this.alarm(expiryUnreadableAlarm(site, metric));
    this.addSilenceAlarm(site, metric);
  }

  /**
   * No usage data from the site for a while: the monitor is failing, QRS is unreachable or the
   * schedule is off. Any of professional, analyzer or tokens counts (a site has at least one).
   */
  private addSilenceAlarm(site: SiteConfig, metric: SiteMetric): void {
    const minutes =
      this.props.monitorSilentMinutes ?? silentMinutesFor(site.licenseMonitor.schedule);
    const period = minutes >= 60 ? Duration.hours(1) : Duration.minutes(minutes);
    const periods = minutes >= 60 ? Math.ceil(minutes / 60) : 1;
    const samples = (type: string) =>
      metric(CLOUDWATCH_METRIC.total, type, Stats.SAMPLE_COUNT, period);
    this.alarm({
      id: `${site.name}-monitor-silent`,
      metric: new MathExpression({
        expression: 'FILL(professional, 0) + FILL(analyzer, 0) + FILL(tokens, 0)',
        usingMetrics: {
          professional: samples(LICENSE_TYPE.professional),
          analyzer: samples(LICENSE_TYPE.analyzer),
          tokens: samples(LICENSE_TYPE.tokens),
        },
        period,
        label: 'Monitor data points',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: periods,
      treatMissingData: TreatMissingData.BREACHING,
      description: `Site ${site.name}: no license usage data for ${minutes} minutes. Check the license-monitor log and errors, the QRS route and the certificates.`,
    });
  }

  private addFunctionHealth(): void {
    const { monitor, release, failureQueue } = this.props;
    const functions: Array<[string, IFunction]> = [
      ['monitor', monitor],
      ['release', release],
    ];
    for (const [job, fn] of functions) {
      this.alarm({
        id: `${job}-function-errors`,
        metric: fn.metricErrors({ period: FUNCTION_PERIOD, statistic: Stats.SUM }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        description: `The license-${job} function failed (an error or a timeout). Its log names the site and the reason.`,
      });
    }
    const queueDepth = failureQueue.metricApproximateNumberOfMessagesVisible({
      period: FUNCTION_PERIOD,
      statistic: Stats.MAXIMUM,
    });
    this.alarm({
      id: 'failed-invocations',
      metric: queueDepth,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description:
        'A scheduled run was dropped after its retries (function error, or the scheduler could not deliver it). The message in the failure queue holds the event and the reason.',
    });

    this.dashboard.addWidgets(
      new TextWidget({ markdown: '## Functions', width: 24, height: 1 }),
      new GraphWidget({
        title: 'Function errors and throttles',
        left: functions.flatMap(([job, fn]) => [
          fn.metricErrors({ period: FUNCTION_PERIOD, label: `${job} errors` }),
          fn.metricThrottles({ period: FUNCTION_PERIOD, label: `${job} throttles` }),
        ]),
        leftYAxis: { min: 0 },
        width: 8,
      }),
      new GraphWidget({
        title: 'Function duration (ms)',
        left: functions.flatMap(([job, fn]) => [
          fn.metricDuration({
            period: FUNCTION_PERIOD,
            statistic: Stats.AVERAGE,
            label: `${job} avg`,
          }),
          fn.metricDuration({
            period: FUNCTION_PERIOD,
            statistic: Stats.MAXIMUM,
            label: `${job} max`,
          }),
        ]),
        leftYAxis: { min: 0 },
        width: 8,
      }),
      new GraphWidget({
        title: 'Failed invocations (queue)',
        left: [queueDepth.with({ label: 'Failed invocations waiting' })],
        leftYAxis: { min: 0 },
        width: 8,
      }),
    );
  }

  private alarm(options: AlarmSpec & { evaluationPeriods?: number }): Alarm {
    const id = options.id;
    const alarm = new Alarm(this, id, {
      alarmName: `${this.props.name}-${id}`,
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: options.comparisonOperator,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      datapointsToAlarm: options.evaluationPeriods ?? 1,
      treatMissingData: options.treatMissingData,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }
}
