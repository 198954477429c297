/**
 * Every name the InfluxDB destination writes, in one place: Grafana dashboards built on Butler's
 * measurements depend on them (docs/influxdb.md has the mapping). Constants only, so the config
 * schema can refuse static tags that would collide with them.
 */

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
