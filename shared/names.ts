/**
 * Every name license-steward writes under, in one leaf module that config, sinks and infra import:
 * CloudWatch metrics and dimensions (the dashboard and alarms depend on them), Timestream record
 * and measure names, and InfluxDB measurements, tags and fields (Grafana dashboards built on
 * Butler's measurements depend on those). Documented in docs/monitor.md, docs/release.md and
 * docs/influxdb.md: change the docs together with a name. Constants only, no imports.
 */

/** The `LicenseType` dimension (CloudWatch) and `license_type` dimension (Timestream) values. */
export const LICENSE_TYPE = {
  professional: 'professional',
  analyzer: 'analyzer',
  analyzerCapacity: 'analyzer_capacity',
  tokens: 'tokens',
  license: 'license',
  /** Release metrics and records of user access passes (token sites): the release output's word. */
  userAccess: 'userAccess',
} as const;
export type LicenseTypeDimension = (typeof LICENSE_TYPE)[keyof typeof LICENSE_TYPE];

/** CloudWatch dimension names: every metric carries exactly these two (no `service`). */
export const CLOUDWATCH_DIMENSION = {
  site: 'Site',
  licenseType: 'LicenseType',
} as const;

/** CloudWatch usage metric names (namespace from `destinations.cloudwatch.namespace`). */
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
  /** license: 1 when `license.problem` is set (expiry unreadable, or QRS says expired/invalid), else 0 */
  licenseExpiryUnreadable: 'LicenseExpiryUnreadable',
} as const;
export type CloudWatchMetricName = (typeof CLOUDWATCH_METRIC)[keyof typeof CLOUDWATCH_METRIC];

/** The release types (docs/release.md): the word `licenseType` holds in the release output. */
export const RELEASE_LICENSE_TYPES = [
  LICENSE_TYPE.professional,
  LICENSE_TYPE.analyzer,
  LICENSE_TYPE.userAccess,
] as const;
export type ReleaseLicenseType = (typeof RELEASE_LICENSE_TYPES)[number];

/** The outcome of one allocation in a release run, as the release records store it. */
export const RELEASE_ACTION = {
  released: 'released',
  alreadyGone: 'already_gone',
  failed: 'failed',
  wouldRelease: 'would_release',
} as const;

/** Timestream dimension names (plus the static tags of `destinations.tags`). */
export const TIMESTREAM_DIMENSION = {
  site: 'site',
  licenseType: 'license_type',
  /** Release records only. */
  userDirectory: 'user_directory',
  userId: 'user_id',
  accessTypeId: 'access_type_id',
} as const;

/** Dimension names Timestream rejects or reserves: `time`, `measure_name`, `measure_value*`, `ts_*`. */
export const TIMESTREAM_RESERVED_DIMENSION = /^(time|measure_name|measure_value.*|ts_.*)$/i;

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

/** CloudWatch release metrics (dimensions `Site` and `LicenseType`, like the usage metrics). */
/** Allocations the run selected for release (in a dry run: would have released). */
export const RELEASE_CANDIDATES_METRIC = 'ReleaseCandidates';
/** Allocations freed by the run (404 "already gone" included). */
export const RELEASED_METRIC = 'Released';
/** DELETEs that failed: alarm on `Sum > 0`. */
export const RELEASE_FAILED_METRIC = 'ReleaseFailed';
/** Candidates not attempted because the Lambda's time ran short (released by the next run). */
export const RELEASE_DEFERRED_METRIC = 'ReleaseDeferred';
/**
 * 1 when the run did not trust the bulk user table (an unknown List cell form, the cross-check
 * disagreed, no table answer) and read users by id instead, else 0; the same for each type.
 */
export const USER_TABLE_NOT_TRUSTED_METRIC = 'UserTableNotTrusted';

export const RELEASE_METRIC_NAMES = [
  RELEASE_CANDIDATES_METRIC,
  RELEASED_METRIC,
  RELEASE_FAILED_METRIC,
  RELEASE_DEFERRED_METRIC,
  USER_TABLE_NOT_TRUSTED_METRIC,
] as const;
export type ReleaseMetricName = (typeof RELEASE_METRIC_NAMES)[number];

/** The multi-measure record name of every release record in the release table. */
export const RELEASE_MEASURE_NAME = 'license_release';

/** Measure names inside a release record. */
export const RELEASE_MEASURE = {
  /** a `RELEASE_ACTION` value */
  action: 'action',
  dryRun: 'dry_run',
  runId: 'run_id',
  inactiveDays: 'inactive_days',
  lastActivity: 'last_activity',
  error: 'error',
} as const;

// ---------------------------------------------------------------------------------------------
// InfluxDB

/** Measurements. The first three are Butler's, with Butler's tags and field names. */
export const INFLUX_MEASUREMENT = {
  /** Butler: access license usage, one point per license type (`license_type` tag). */
  license: 'qlik_sense_license',
  /** Butler: the server license's expiry. */
  serverLicense: 'qlik_sense_server_license',
  /** Butler: one point per allocation actually released. */
  release: 'qlik_sense_license_release',
  /** license-steward's own: every release event (released, already gone, failed, dry run). */
  releaseEvent: 'license_steward_release',
} as const;

/** Values of the `license_type` tag in `qlik_sense_license`, exactly Butler's. */
export const INFLUX_LICENSE_TYPE = {
  professional: 'professional',
  analyzer: 'analyzer',
  analyzerCapacity: 'analyzer_capacity',
  tokenLogin: 'token_login',
  tokenUser: 'token_user',
  tokensAvailable: 'tokens_available',
} as const;

/**
 * The `license_type` tag of the release measurements, per release type: Butler's words, so a
 * Grafana panel can put a site's user access releases next to its `token_user` usage.
 */
export const INFLUX_RELEASE_LICENSE_TYPE = {
  professional: INFLUX_LICENSE_TYPE.professional,
  analyzer: INFLUX_LICENSE_TYPE.analyzer,
  userAccess: INFLUX_LICENSE_TYPE.tokenUser,
} as const;

/** Tag keys this destination sets itself (a static tag of the same name would be overwritten). */
export const INFLUX_TAG = {
  site: 'site',
  licenseType: 'license_type',
  /** `USERDIRECTORY\userid`, as Butler writes it. */
  user: 'user',
  /** `released`, `already_gone`, `failed`, `would_release` (license_steward_release only). */
  action: 'action',
} as const;

/** Field keys (Butler's snake_case names first, then license-steward's additions). */
export const INFLUX_FIELD = {
  allocated: 'allocated',
  available: 'available',
  excess: 'excess',
  quarantined: 'quarantined',
  total: 'total',
  used: 'used',
  allocatedMinutes: 'allocated_minutes',
  unavailableMinutes: 'unavailable_minutes',
  usedMinutes: 'used_minutes',
  allocatedTokens: 'allocated_tokens',
  tokenCost: 'token_cost',
  usedTokens: 'used_tokens',
  quarantinedTokens: 'quarantined_tokens',
  unavailableTokens: 'unavailable_tokens',
  availableTokens: 'available_tokens',
  totalTokens: 'total_tokens',
  licenseExpired: 'license_expired',
  expiryDate: 'expiry_date',
  daysUntilExpiry: 'days_until_expiry',
  daysSinceLastUse: 'days_since_last_use',
  // Additions (not in Butler):
  model: 'model',
  licensedProfessional: 'licensed_professional',
  licensedAnalyzer: 'licensed_analyzer',
  licensedTokens: 'licensed_tokens',
  accessTypeId: 'access_type_id',
  userDirectory: 'user_directory',
  userId: 'user_id',
  inactiveDays: 'inactive_days',
  lastActivity: 'last_activity',
  runId: 'run_id',
  alreadyGone: 'already_gone',
  dryRun: 'dry_run',
  error: 'error',
} as const;

/**
 * Names a static tag must not have while the InfluxDB destination is on: the tags set here, every
 * field key (InfluxDB 3 stores tags and fields as columns of one table: a tag named like a field
 * makes the write fail), and `time`.
 */
export const INFLUX_RESERVED_TAG_NAMES: readonly string[] = [
  'time',
  ...Object.values(INFLUX_TAG),
  ...Object.values(INFLUX_FIELD),
];
