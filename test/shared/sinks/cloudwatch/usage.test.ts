import { describe, expect, it } from 'vitest';
import type { LicenseSnapshot } from '#shared/licensing/monitor/snapshot.ts';
import { CLOUDWATCH_METRIC } from '#shared/names.ts';
import { createServiceMetrics } from '#shared/observability/metrics.ts';
import { cloudWatchUsageSink } from '#shared/sinks/cloudwatch/usage.ts';
import { captureOutput, emfDocuments } from '#test/support/monitor.ts';
import { sampleSnapshot } from '#test/support/snapshot.ts';

// Within CloudWatch's accepted window (14 days back), so Powertools prints no timestamp warning.
const COLLECTED_AT = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString();

const SNAPSHOT: LicenseSnapshot = sampleSnapshot({
  collectedAt: COLLECTED_AT,
  license: {
    model: 'lef',
    expiresAt: '2026-04-15T00:00:00.000Z',
    daysUntilExpiry: 44.5,
    licensed: null,
    problem: null,
  },
});

function byType(documents: Array<Record<string, unknown>>): Map<unknown, Record<string, unknown>> {
  return new Map(documents.map((doc) => [doc.LicenseType, doc]));
}

describe('CloudWatch usage sink (EMF)', () => {
  it('prints one EMF document per license type in the configured namespace, dimensions Site and LicenseType only', async () => {
    // Prepare
    const stdout = captureOutput();
    const sink = cloudWatchUsageSink(createServiceMetrics('LicenseStewardTest'));

    // Act
    await sink.write(SNAPSHOT);

    // Assess
    const documents = emfDocuments(stdout.lines());
    expect(documents.map((doc) => doc.LicenseType)).toEqual([
      'professional',
      'analyzer',
      'analyzer_capacity',
      'license',
    ]);
    for (const doc of documents) {
      const aws = doc._aws as {
        Timestamp: number;
        CloudWatchMetrics: Array<Record<string, unknown>>;
      };
      expect(aws.Timestamp).toBe(Date.parse(COLLECTED_AT));
      expect(aws.CloudWatchMetrics).toHaveLength(1);
      expect(aws.CloudWatchMetrics[0]?.Namespace).toBe('LicenseStewardTest');
      expect(aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Site', 'LicenseType']]);
      expect(doc.Site).toBe('prod');
      expect(doc).not.toHaveProperty('service');
    }
  });

  it('carries the counts, capacity minutes and days until expiry under the exported metric names', async () => {
    // Prepare
    const stdout = captureOutput();

    // Act
    await cloudWatchUsageSink(createServiceMetrics('LicenseStewardTest')).write(SNAPSHOT);

    // Assess
    const docs = byType(emfDocuments(stdout.lines()));
    expect(docs.get('professional')).toMatchObject({
      [CLOUDWATCH_METRIC.total]: 10,
      [CLOUDWATCH_METRIC.allocated]: 5,
      [CLOUDWATCH_METRIC.used]: 4,
      [CLOUDWATCH_METRIC.quarantined]: 0,
      [CLOUDWATCH_METRIC.excess]: 0,
      [CLOUDWATCH_METRIC.available]: 5,
    });
    expect(docs.get('analyzer')).toMatchObject({ Available: 12, Quarantined: 1 });
    expect(docs.get('analyzer_capacity')).toMatchObject({
      AllocatedMinutes: 700,
      UsedMinutes: 212,
      UnavailableMinutes: 0,
    });
    expect(docs.get('license')).toMatchObject({ DaysUntilExpiry: 44.5 });
    const professionalAws = docs.get('professional')?._aws as
      | { CloudWatchMetrics: Array<{ Metrics: unknown[] }> }
      | undefined;
    const definitions = professionalAws?.CloudWatchMetrics[0]?.Metrics;
    expect(definitions).toContainEqual({ Name: 'Available', Unit: 'Count' });
  });

  it('emits nothing for a disabled type, a block the server did not report, or a missing value', async () => {
    // Prepare
    const stdout = captureOutput();
    const sparse: LicenseSnapshot = {
      ...SNAPSHOT,
      professional: {
        enabled: true,
        total: 10,
        allocated: 5,
        used: null,
        quarantined: null,
        excess: null,
        available: null,
      },
      analyzer: null,
      analyzerCapacity: null,
      license: {
        model: 'lef',
        expiresAt: null,
        daysUntilExpiry: null,
        licensed: null,
        problem: null,
      },
    };

    // Act
    await cloudWatchUsageSink(createServiceMetrics('LicenseStewardTest')).write(sparse);

    // Assess
    const documents = emfDocuments(stdout.lines());
    expect(documents).toHaveLength(2);
    expect(documents[0]).toMatchObject({ LicenseType: 'professional', Total: 10, Allocated: 5 });
    expect(documents[0]).not.toHaveProperty('Available');
    expect(documents.some((doc) => doc.LicenseType === 'tokens')).toBe(false);
    // A license without a time limit: no DaysUntilExpiry, and its expiry was readable.
    expect(documents[1]).toMatchObject({ LicenseType: 'license', LicenseExpiryUnreadable: 0 });
    expect(documents[1]).not.toHaveProperty('DaysUntilExpiry');
  });

  it('emits LicenseExpiryUnreadable 1 when the expiry could not be read (license.problem)', async () => {
    // Prepare
    const stdout = captureOutput();
    const unreadable: LicenseSnapshot = {
      ...SNAPSHOT,
      license: {
        model: 'signedKey',
        expiresAt: null,
        daysUntilExpiry: null,
        licensed: null,
        problem: 'License expiry unknown: no "Valid To" date.',
      },
    };

    // Act
    await cloudWatchUsageSink(createServiceMetrics('LicenseStewardTest')).write(unreadable);

    // Assess
    const license = byType(emfDocuments(stdout.lines())).get('license');
    expect(license).toMatchObject({ LicenseExpiryUnreadable: 1 });
    expect(license).not.toHaveProperty('DaysUntilExpiry');
  });
});
