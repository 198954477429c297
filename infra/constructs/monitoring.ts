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
  Metric,
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
import { CLOUDWATCH_DIMENSION, CLOUDWATCH_METRIC, LICENSE_TYPE } from '#shared/names.ts';
import { createAlarmTopic } from './alarm-topic.ts';
import { releaseMetrics } from './release-metrics.ts';
import { silentMinutesFor } from './silent-minutes.ts';
import {
  type AlarmSpec,
  expiryUnreadableAlarm,
  releaseAlarms,
  usageAlarms,
} from './site-alarms.ts';

export interface StewardMonitoringProps {
  /** Prefix of the dashboard and alarm names (the stack name). */
  name: string;
  sites: readonly SiteConfig[];
  /** CloudWatch metrics from the functions (destinations.cloudwatch); off: function health only. */
  namespace: string | undefined;
  monitor: IFunction;
  release: IFunction;
  failureQueue: IQueue;
  emails: readonly string[];
  /** aws.alarms.monitorSilentMinutes (default: from each site's monitor schedule). */
  monitorSilentMinutes: number | undefined;
}

const LEVEL_PERIOD = Duration.hours(1);
const FUNCTION_PERIOD = Duration.minutes(5);

export class StewardMonitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  private readonly props: StewardMonitoringProps;

  constructor(scope: Construct, id: string, props: StewardMonitoringProps) {
    super(scope, id);
    this.props = props;
    this.topic = createAlarmTopic(this, 'AlarmTopic', {
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
    const metric = (
      metricName: string,
      licenseType: string,
      statistic: string,
      period: Duration,
      label?: string,
    ) =>
      new Metric({
        namespace,
        metricName,
        dimensionsMap: {
          [CLOUDWATCH_DIMENSION.site]: site.name,
          [CLOUDWATCH_DIMENSION.licenseType]: licenseType,
        },
        statistic,
        period,
        ...(label ? { label } : {}),
      });
    const level = (name: string, type: string, label: string) =>
      metric(name, type, Stats.MINIMUM, LEVEL_PERIOD, label);

    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `## Site ${site.name}\nMonitor: ${scheduleText(site, 'monitor')} · Release: ${scheduleText(site, 'release')} · ${site.timezone}`,
        width: 24,
        height: 2,
      }),
    );

    const typeWidgets = (['professional', 'analyzer'] as const).map((type) => {
      const threshold = site.alarms.availableBelow[type];
      return new GraphWidget({
        title: `${site.name} ${type}: allocated vs total, available`,
        left: [
          level(CLOUDWATCH_METRIC.total, LICENSE_TYPE[type], 'Total'),
          level(CLOUDWATCH_METRIC.allocated, LICENSE_TYPE[type], 'Allocated'),
          level(CLOUDWATCH_METRIC.available, LICENSE_TYPE[type], 'Available'),
        ],
        leftAnnotations: [
          { value: threshold, label: `alarm below ${threshold}`, color: '#d62728' },
        ],
        leftYAxis: { min: 0 },
        width: 8,
      });
    });
    this.dashboard.addWidgets(
      ...typeWidgets,
      new GraphWidget({
        title: `${site.name}: days until license expiry`,
        left: [level(CLOUDWATCH_METRIC.daysUntilExpiry, LICENSE_TYPE.license, 'Days until expiry')],
        leftAnnotations: [
          {
            value: site.alarms.expiryWithinDays,
            label: `alarm within ${site.alarms.expiryWithinDays} days`,
            color: '#d62728',
          },
        ],
        leftYAxis: { min: 0 },
        width: 8,
      }),
    );

    const day = Duration.days(1);
    this.dashboard.addWidgets(
      new GraphWidget({
        title: `${site.name}: analyzer capacity (minutes)`,
        left: [
          level(CLOUDWATCH_METRIC.allocatedMinutes, LICENSE_TYPE.analyzerCapacity, 'Allocated'),
          level(CLOUDWATCH_METRIC.usedMinutes, LICENSE_TYPE.analyzerCapacity, 'Used'),
          level(CLOUDWATCH_METRIC.unavailableMinutes, LICENSE_TYPE.analyzerCapacity, 'Unavailable'),
        ],
        leftYAxis: { min: 0 },
        // The forecast: the alarm fires when the minutes' days left fall below the days to reset.
        right: [
          level(
            CLOUDWATCH_METRIC.analyzerCapacityDaysLeft,
            LICENSE_TYPE.analyzerCapacity,
            'Days left',
          ),
          level(
            CLOUDWATCH_METRIC.analyzerCapacityDaysToReset,
            LICENSE_TYPE.analyzerCapacity,
            'Days to reset',
          ),
        ],
        rightYAxis: { min: 0, label: 'days' },
        width: 8,
      }),
      new GraphWidget({
        title: `${site.name}: tokens (empty when the site has no tokens)`,
        left: [
          level(CLOUDWATCH_METRIC.total, LICENSE_TYPE.tokens, 'Total'),
          level(CLOUDWATCH_METRIC.available, LICENSE_TYPE.tokens, 'Available'),
        ],
        leftYAxis: { min: 0 },
        width: 8,
      }),
      new GraphWidget({
        title: `${site.name}: releases per day`,
        left: releaseMetrics(site, metric, day),
        leftYAxis: { min: 0 },
        period: day,
        width: 8,
      }),
    );

    if (siteJob(site, 'monitor').enabled) {
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
      for (const spec of usageAlarms(site, metric)) this.alarm(spec);
      this.addSilenceAlarm(site, metric);
    }

    if (siteJob(site, 'release').enabled) {
      for (const spec of releaseAlarms(site, metric)) this.alarm(spec);
    }
  }

  /**
   * No usage data from the site for a while: the monitor is failing, QRS is unreachable or the
   * schedule is off. Any of professional, analyzer or tokens counts (a site has at least one).
   */
  private addSilenceAlarm(
    site: SiteConfig,
    metric: (name: string, type: string, statistic: string, period: Duration) => Metric,
  ): void {
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

/**
 * `rate(15 minutes)`, `cron(0 2 * * ? *) (dry run)`, `… (review: plans only)` or `off`, for the
 * dashboard's site header.
 */
function scheduleText(site: SiteConfig, job: 'monitor' | 'release'): string {
  const state = siteJob(site, job);
  if (!state.enabled) return 'off';
  if (job === 'release' && site.licenseRelease?.mode === 'review')
    return `${state.schedule} (review: plans only)`;
  return job === 'release' && site.licenseRelease?.dryRun
    ? `${state.schedule} (dry run)`
    : state.schedule;
}
