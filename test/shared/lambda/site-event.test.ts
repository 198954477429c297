/** The scheduled event, parsed once by the chain's first middleware (shared/lambda/site-event.ts). */
import { describe, expect, it } from 'vitest';
import { siteEventSchema } from '#shared/lambda/site-event.ts';

const parse = (event: unknown) => siteEventSchema.safeParse(event);

describe('the site event', () => {
  it('names the site; scheduledTime is absent when not sent (null and "" alike)', () => {
    expect(parse({ site: 'prod' }).data).toEqual({ site: 'prod' });
    expect(parse({ site: 'prod', scheduledTime: null }).data).toEqual({ site: 'prod' });
    expect(parse({ site: 'prod', scheduledTime: '' }).data).toEqual({ site: 'prod' });
  });

  it('normalises scheduledTime, so one instant written two ways is one run', () => {
    const a = parse({ site: 'prod', scheduledTime: '2026-01-31T03:00:00+01:00' }).data;
    const b = parse({ site: 'prod', scheduledTime: '2026-01-31T02:00:00Z' }).data;
    expect(a?.scheduledTime).toBe('2026-01-31T02:00:00.000Z');
    expect(b?.scheduledTime).toBe(a?.scheduledTime);
  });

  it('keeps an unreadable scheduledTime as a problem for the run that needs it', () => {
    const event = parse({ site: 'prod', scheduledTime: 1_769_824_800 }).data;
    expect(event?.scheduledTime).toBeUndefined();
    expect(event?.scheduledTimeProblem).toMatch(/must be an ISO time .* not 1769824800/);
  });

  it('refuses an event without a site', () => {
    expect(parse({ scheduledTime: '2026-01-31T02:00:00Z' }).success).toBe(false);
    expect(parse('prod').success).toBe(false);
  });
});
