/**
 * A snapshot as Timestream records: one multi-measure record per license type the server reported,
 * dimensions `site` and `license_type` plus the configured static tags. A value the server did not
 * report is left out of the record (never written as 0); a block it did not report has no record.
 */
import type { _Record, Dimension, MeasureValue } from '@aws-sdk/client-timestream-write';
import type { LicenseSnapshot } from '#shared/licensing/monitor/snapshot.ts';
import {
  LICENSE_TYPE,
  type LicenseTypeDimension,
  TIMESTREAM_DIMENSION,
  USAGE_MEASURE,
  USAGE_MEASURE_NAME,
} from '#shared/names.ts';

export interface StaticTag {
  name: string;
  value: string;
}

type Measure = [name: string, value: number | boolean | string | null];

export function usageRecords(
  snapshot: LicenseSnapshot,
  tags: readonly StaticTag[] = [],
): _Record[] {
  const time = String(Date.parse(snapshot.collectedAt));
  const record = (licenseType: LicenseTypeDimension, measures: Measure[]): _Record[] => {
    const values = measures.flatMap(([name, value]) => measureValue(name, value));
    if (values.length === 0) return [];
    const dimensions: Dimension[] = [
      { Name: TIMESTREAM_DIMENSION.site, Value: snapshot.site, DimensionValueType: 'VARCHAR' },
      { Name: TIMESTREAM_DIMENSION.licenseType, Value: licenseType, DimensionValueType: 'VARCHAR' },
      ...tags.map(
        (tag): Dimension => ({ Name: tag.name, Value: tag.value, DimensionValueType: 'VARCHAR' }),
      ),
    ];
    return [
      {
        Dimensions: dimensions,
        MeasureName: USAGE_MEASURE_NAME,
        MeasureValueType: 'MULTI',
        MeasureValues: values,
        Time: time,
        TimeUnit: 'MILLISECONDS',
      },
    ];
  };
  const { professional, analyzer, analyzerCapacity, tokens, license } = snapshot;
  const accessType = (usage: NonNullable<LicenseSnapshot['professional']>): Measure[] => [
    [USAGE_MEASURE.enabled, usage.enabled],
    [USAGE_MEASURE.total, usage.total],
    [USAGE_MEASURE.allocated, usage.allocated],
    [USAGE_MEASURE.used, usage.used],
    [USAGE_MEASURE.quarantined, usage.quarantined],
    [USAGE_MEASURE.excess, usage.excess],
    [USAGE_MEASURE.available, usage.available],
  ];
  return [
    ...(professional ? record(LICENSE_TYPE.professional, accessType(professional)) : []),
    ...(analyzer ? record(LICENSE_TYPE.analyzer, accessType(analyzer)) : []),
    ...(analyzerCapacity
      ? record(LICENSE_TYPE.analyzerCapacity, [
          [USAGE_MEASURE.enabled, analyzerCapacity.enabled],
          [USAGE_MEASURE.allocatedMinutes, analyzerCapacity.allocatedMinutes],
          [USAGE_MEASURE.usedMinutes, analyzerCapacity.usedMinutes],
          [USAGE_MEASURE.unavailableMinutes, analyzerCapacity.unavailableMinutes],
        ])
      : []),
    ...(tokens
      ? record(LICENSE_TYPE.tokens, [
          [USAGE_MEASURE.enabled, tokens.enabled],
          [USAGE_MEASURE.total, tokens.total],
          [USAGE_MEASURE.available, tokens.available],
          [USAGE_MEASURE.userAccessAllocated, tokens.userAccess?.allocatedTokens ?? null],
          [USAGE_MEASURE.userAccessUsed, tokens.userAccess?.usedTokens ?? null],
          [USAGE_MEASURE.userAccessQuarantined, tokens.userAccess?.quarantinedTokens ?? null],
          [USAGE_MEASURE.loginAccessAllocated, tokens.loginAccess?.allocatedTokens ?? null],
          [USAGE_MEASURE.loginAccessUsed, tokens.loginAccess?.usedTokens ?? null],
          [USAGE_MEASURE.loginAccessUnavailable, tokens.loginAccess?.unavailableTokens ?? null],
        ])
      : []),
    ...(license
      ? record(LICENSE_TYPE.license, [
          [USAGE_MEASURE.model, license.model],
          [USAGE_MEASURE.expiresAt, license.expiresAt],
          [USAGE_MEASURE.daysUntilExpiry, license.daysUntilExpiry],
          [USAGE_MEASURE.licensedProfessional, license.licensed?.professional ?? null],
          [USAGE_MEASURE.licensedAnalyzer, license.licensed?.analyzer ?? null],
          [USAGE_MEASURE.licensedTokens, license.licensed?.tokens ?? null],
        ])
      : []),
  ];
}

/**
 * Every number is DOUBLE: Timestream fixes a measure's type per table, and `total`/`available`
 * are shared with tokens, which QRS reports as non-integral numbers.
 */
function measureValue(name: string, value: Measure[1]): MeasureValue[] {
  if (value === null) return [];
  if (typeof value === 'boolean') return [{ Name: name, Value: String(value), Type: 'BOOLEAN' }];
  if (typeof value === 'number') return [{ Name: name, Value: String(value), Type: 'DOUBLE' }];
  return [{ Name: name, Value: value, Type: 'VARCHAR' }];
}
