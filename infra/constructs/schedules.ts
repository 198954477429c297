/**
 * EventBridge Scheduler: one schedule per site and enabled job, in the site's time zone, with
 * `{"site": "<name>"}` as the input, plus `"scheduledTime"` for release (the run ledger's key:
 * the scheduler fills in the time the run was scheduled for, the same on every retry). Retries and event age are set on purpose (the target's
 * default is 185 retries over 24 hours): a monitor reading or a release run that is hours late is
 * worth less than the next scheduled one. Events the scheduler cannot deliver go to the
 * failure queue. The scheduler's role may invoke exactly these functions (no `:*` qualifiers).
 */
import { Duration, TimeZone } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleGroup,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SiteConfig } from '#shared/config/schema.ts';
import { siteJob } from '#shared/config/site-job.ts';

/** Delivery policy per job: a couple of retries for throttling/service errors, then the DLQ. */
export const SCHEDULE_DELIVERY = {
  monitor: { retryAttempts: 2, maxEventAge: Duration.minutes(10) },
  release: { retryAttempts: 2, maxEventAge: Duration.hours(1) },
} as const;

export interface StewardSchedulesProps {
  readonly sites: readonly SiteConfig[];
  readonly monitor: IFunction;
  readonly release: IFunction;
  readonly deadLetterQueue: IQueue;
}

export class StewardSchedules extends Construct {
  readonly group: ScheduleGroup;
  /** `prod/monitor` → schedule. */
  readonly schedules = new Map<string, Schedule>();

  constructor(scope: Construct, id: string, props: StewardSchedulesProps) {
    super(scope, id);
    this.group = new ScheduleGroup(this, 'Group');
    for (const site of props.sites) {
      for (const [job, target] of [
        ['monitor', props.monitor],
        ['release', props.release],
      ] as const) {
        const state = siteJob(site, job);
        if (state.enabled) this.add(site, job, state.schedule, target, props);
      }
    }
  }

  private add(
    site: SiteConfig,
    job: 'monitor' | 'release',
    expression: string,
    target: IFunction,
    props: StewardSchedulesProps,
  ): void {
    const schedule = new Schedule(this, `${site.name}-${job}`, {
      scheduleGroup: this.group,
      description: `license-steward ${job} for site ${site.name} (${expression}, ${site.timezone})`,
      schedule: ScheduleExpression.expression(expression, TimeZone.of(site.timezone)),
      target: new ExactLambdaInvoke(target, {
        input: ScheduleTargetInput.fromObject(
          job === 'release'
            ? { site: site.name, scheduledTime: ContextAttribute.scheduledTime }
            : { site: site.name },
        ),
        deadLetterQueue: props.deadLetterQueue,
        ...SCHEDULE_DELIVERY[job],
      }),
    });
    this.schedules.set(`${site.name}/${job}`, schedule);
  }
}

/**
 * LambdaInvoke grants `lambda:InvokeFunction` on the function and on `function:*` (every version
 * and alias). The schedules invoke the unqualified function only, so grant exactly that.
 */
class ExactLambdaInvoke extends LambdaInvoke {
  protected override addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.targetArn] }),
    );
  }
}
