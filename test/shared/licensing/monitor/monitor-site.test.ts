import { describe, expect, it, vi } from 'vitest';
import { monitorSite } from '#shared/licensing/monitor/monitor-site.ts';
import type { LicenseSnapshot, SnapshotSource } from '#shared/licensing/monitor/snapshot.ts';
import type { SinkName, UsageSink } from '#shared/licensing/sinks.ts';
import { StderrLogger } from '#shared/observability/logger.ts';
import { QrsHttpError } from '#shared/qrs/errors.ts';
import { NOW } from '#test/support/monitor.ts';

const SOURCE: SnapshotSource = {
  getAccessTypeOverview: async () => ({
    professionalAccess: {
      enabled: true,
      total: 10,
      allocated: 5,
      used: 5,
      quarantined: 0,
      excess: 0,
      available: 5,
    },
  }),
  getLicense: async () => ({ lef: '1\r\nTIMELIMIT;;;2026-12-31\r\nX' }),
};

function recordingSink(name: SinkName, fail?: Error): UsageSink & { written: LicenseSnapshot[] } {
  const written: LicenseSnapshot[] = [];
  return {
    name,
    written,
    write: vi.fn(async (snapshot: LicenseSnapshot) => {
      if (fail) throw fail;
      written.push(snapshot);
    }),
  };
}

function logLines(): { logger: StderrLogger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new StderrLogger({ json: true, write: (line) => lines.push(line) }), lines };
}

describe('monitorSite', () => {
  it('hands the snapshot to every sink and reports success', async () => {
    // Prepare
    const timestream = recordingSink('timestream');
    const cloudwatch = recordingSink('cloudwatch');

    // Act
    const outcome = await monitorSite({
      source: SOURCE,
      site: 'prod',
      now: NOW,
      sinks: [timestream, cloudwatch],
      logger: logLines().logger,
    });

    // Assess
    expect(outcome.ok).toBe(true);
    expect(timestream.written).toHaveLength(1);
    expect(cloudwatch.written[0]?.professional?.available).toBe(5);
  });

  it('writes nothing at all when QRS fails, so no metric reads as zero', async () => {
    // Prepare
    const timestream = recordingSink('timestream');
    const cloudwatch = recordingSink('cloudwatch');
    const { logger, lines } = logLines();
    const failing: SnapshotSource = {
      ...SOURCE,
      getAccessTypeOverview: async () => {
        throw new QrsHttpError(503, 'GET', '/license/accesstypeoverview');
      },
    };

    // Act
    const outcome = await monitorSite({
      source: failing,
      site: 'prod',
      now: NOW,
      sinks: [timestream, cloudwatch],
      logger,
    });

    // Assess
    expect(outcome).toMatchObject({
      ok: false,
      snapshot: null,
      error: expect.stringMatching(/HTTP 503/),
    });
    expect(timestream.write).not.toHaveBeenCalled();
    expect(cloudwatch.write).not.toHaveBeenCalled();
    expect(lines.join('\n')).toMatch(/no metrics written/);
  });

  it('still writes to the other sink when one fails, and reports the failing one', async () => {
    // Prepare
    const timestream = recordingSink(
      'timestream',
      new Error('Timestream write failed (AccessDeniedException)'),
    );
    const cloudwatch = recordingSink('cloudwatch');
    const { logger, lines } = logLines();

    // Act
    const outcome = await monitorSite({
      source: SOURCE,
      site: 'prod',
      now: NOW,
      sinks: [timestream, cloudwatch],
      logger,
    });

    // Assess
    expect(outcome.ok).toBe(false);
    expect(cloudwatch.written).toHaveLength(1);
    expect(outcome.sinks).toEqual([
      { sink: 'timestream', ok: false, error: expect.any(Error) },
      { sink: 'cloudwatch', ok: true },
    ]);
    expect(!outcome.ok && outcome.error).toMatch(/^timestream: .*AccessDeniedException/);
    expect(
      lines.some(
        (line) => JSON.parse(line).message === 'writing license usage to timestream failed',
      ),
    ).toBe(true);
  });
});
