/**
 * The names the monitor stores under, in one place: the CloudWatch dashboard and alarms (infra)
 * and the Timestream queries depend on them. Documented in docs/monitor.md; change both together.
 */

/** The `LicenseType` dimension (CloudWatch) and `license_type` dimension (Timestream) values. */
export const LICENSE_TYPE = {
  professional: 'professional',
  analyzer: 'analyzer',
  analyzerCapacity: 'analyzer_capacity',
  tokens: 'tokens',
  license: 'license',
} as const;
export type LicenseTypeDimension = (typeof LICENSE_TYPE)[keyof typeof LICENSE_TYPE];

/** CloudWatch dimension names: every metric carries exactly these two (no `service`). */
export const CLOUDWATCH_DIMENSION = {
  site: 'Site',
  licenseType: 'LicenseType',
} as const;

/** CloudWatch metric names (namespace from `destinations.cloudwatch.namespace`). */
export const CLOUDWATCH_METRIC = {
  /** professional, analyzer, tokens */
  total: 'Total',
  /** professional, analyzer, tokens */
  available: 'Available',
  /** professional, analyzer */
  allocated: 'Allocated',
  used: 'Used',
  quarantined: 'Quarantined',
  excess: 'Excess',
  /** analyzer_capacity */
  allocatedMinutes: 'AllocatedMinutes',
  usedMinutes: 'UsedMinutes',
  unavailableMinutes: 'UnavailableMinutes',
  /** license */
  daysUntilExpiry: 'DaysUntilExpiry',
  /** license: 1 when the signed key's expiry could not be read (the expiry alarm is then blind) */
  expiryUnreadable: 'LicenseExpiryUnreadable',
} as const;
export type CloudWatchMetricName = (typeof CLOUDWATCH_METRIC)[keyof typeof CLOUDWATCH_METRIC];

/** Timestream dimension names (plus the static tags of `destinations.tags`). */
export const TIMESTREAM_DIMENSION = {
  site: 'site',
  licenseType: 'license_type',
} as const;

/** The multi-measure record name of every usage record in the usage table. */
export const USAGE_MEASURE_NAME = 'license_usage';

/** Measure names inside a usage record (each present only when the server reported it). */
export const USAGE_MEASURE = {
  enabled: 'enabled',
  total: 'total',
  allocated: 'allocated',
  used: 'used',
  quarantined: 'quarantined',
  excess: 'excess',
  available: 'available',
  allocatedMinutes: 'allocated_minutes',
  usedMinutes: 'used_minutes',
  unavailableMinutes: 'unavailable_minutes',
  userAccessAllocated: 'user_access_allocated',
  userAccessUsed: 'user_access_used',
  userAccessQuarantined: 'user_access_quarantined',
  loginAccessAllocated: 'login_access_allocated',
  loginAccessUsed: 'login_access_used',
  loginAccessUnavailable: 'login_access_unavailable',
  model: 'model',
  expiresAt: 'expires_at',
  daysUntilExpiry: 'days_until_expiry',
  licensedProfessional: 'licensed_professional',
  licensedAnalyzer: 'licensed_analyzer',
  licensedTokens: 'licensed_tokens',
} as const;
