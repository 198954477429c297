/**
 * The scheduled event: EventBridge Scheduler passes `{ "site": "<name>" }` as the input (release
 * adds `"scheduledTime"`, read by the run ledger in run-ledger.ts).
 */
import { z } from 'zod';
import type { Config, SiteConfig } from '#shared/config/schema.ts';

export const siteEventSchema = z.looseObject({ site: z.string().min(1) });

export class UnknownSiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownSiteError';
  }
}

export function siteForEvent(config: Config, event: unknown): SiteConfig {
  const parsed = siteEventSchema.safeParse(event);
  if (!parsed.success)
    throw new UnknownSiteError('the event must be {"site": "<name>"} (the schedule input)');
  const site = config.sites.find((candidate) => candidate.name === parsed.data.site);
  if (!site)
    throw new UnknownSiteError(`site "${parsed.data.site}" is not in the deployed configuration`);
  return site;
}
