/**
 * The scheduled event, parsed once at the start of a run: EventBridge Scheduler passes
 * `{ "site": "<name>" }` as the input, and release adds `"scheduledTime"` (the schedule fills it
 * from `<aws.scheduler.scheduled-time>`; the run ledger keys on it, run-ledger.ts).
 */
import { z } from 'zod';
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import { StewardError } from '#shared/errors.ts';

export interface SiteEvent {
  site: string;
  /** Normalised ISO time (the same instant written two ways is one run); absent when not sent. */
  scheduledTime?: string;
  /** Why `scheduledTime` could not be read: only a run that needs it (release) refuses. */
  scheduledTimeProblem?: string;
}

const scheduledTime = z.unknown().transform((value): Omit<SiteEvent, 'site'> => {
  if (value === undefined || value === null || value === '') return {};
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(time))
    return {
      scheduledTimeProblem: `the event's scheduledTime must be an ISO time such as "2026-01-31T02:00:00Z", not ${JSON.stringify(value)}`,
    };
  return { scheduledTime: new Date(time).toISOString() };
});

export const siteEventSchema = z
  .looseObject({ site: z.string().min(1), scheduledTime: scheduledTime.optional() })
  .transform(({ site, scheduledTime }): SiteEvent => ({ site, ...scheduledTime }));

export class UnknownSiteError extends StewardError {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownSiteError';
  }
}

/** The event and the configured site it names. */
export function siteForEvent(
  config: Config,
  event: unknown,
): { site: SiteConfig; event: SiteEvent } {
  const parsed = siteEventSchema.safeParse(event);
  if (!parsed.success)
    throw new UnknownSiteError('the event must be {"site": "<name>"} (the schedule input)');
  const site = config.sites.find((candidate) => candidate.name === parsed.data.site);
  if (!site)
    throw new UnknownSiteError(`site "${parsed.data.site}" is not in the deployed configuration`);
  return { site, event: parsed.data };
}
