/**
 * The configuration file (DESIGN.md section 4): one schema, unknown keys rejected, defaults here
 * and in the README. The release keys are Butler's (`qlikSenseLicense.licenseRelease`), unchanged.
 */
import { z } from 'zod';
import { parseSchedule } from './schedule.ts';

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** A schedule expression, normalised (Butler's "every N minutes" becomes `rate(N minutes)`). */
const schedule = z.string().transform((text, context) => {
  try {
    return parseSchedule(text);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const timezone = z.string().refine(
  (name) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: name });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not an IANA time zone name (e.g. Europe/Stockholm, UTC)' },
);

/** SSM parameter names as AWS accepts them (a path like /license-steward/prod/client-cert). */
const ssmParameterName = z
  .string()
  .regex(
    /^[a-zA-Z0-9_.\-/]{1,1011}$/,
    'is not a valid SSM parameter name (letters, digits, _ . - /)',
  );

/** A certificate or key: a PEM file (CLI) or an SSM SecureString parameter (Lambda, or CLI with AWS credentials). */
export const secretSourceSchema = z.union(
  [z.strictObject({ file: nonEmpty }), z.strictObject({ ssmParameter: ssmParameterName })],
  { error: 'must be { file: PATH } or { ssmParameter: NAME }' },
);
export type SecretSource = z.infer<typeof secretSourceSchema>;

/** Butler's Yes / No / Ignore for a user flag, any case; YAML booleans mean Yes / No. */
const flagRule = z
  .preprocess(
    (value) => {
      if (value === true) return 'Yes';
      if (value === false) return 'No';
      if (typeof value === 'string') {
        const lower = value.trim().toLowerCase();
        return lower === 'yes'
          ? 'Yes'
          : lower === 'no'
            ? 'No'
            : lower === 'ignore'
              ? 'Ignore'
              : value;
      }
      return value;
    },
    z.enum(['Yes', 'No', 'Ignore'], { error: 'must be Yes, No or Ignore' }),
  )
  .default('Ignore');
export type FlagRule = z.infer<typeof flagRule>;

/** A rule list that may be written as an empty key (`tag:`) in YAML: null means none. */
const ruleList = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((list) => list ?? []);

const neverReleaseSchema = z.strictObject({
  user: ruleList(z.strictObject({ userDir: nonEmpty, userId: nonEmpty })),
  tag: ruleList(nonEmpty),
  customProperty: ruleList(z.strictObject({ name: nonEmpty, value: z.string() })),
  userDirectory: ruleList(nonEmpty),
  inactive: flagRule,
  blocked: flagRule,
  removedExternally: flagRule,
});
export type NeverRelease = z.infer<typeof neverReleaseSchema>;

const wholeDays = z
  .number({ error: 'must be a number of days' })
  .int('must be a whole number of days')
  .min(1, 'must be at least 1 day');

const licenseTypeRuleSchema = z.strictObject({
  enable: z.boolean().default(true),
  releaseThresholdDays: wholeDays.default(30),
});

const qrsSchema = z.strictObject({
  host: nonEmpty,
  port: z.number().int().min(1).max(65_535).default(4242),
  servername: nonEmpty.optional(),
  user: z
    .strictObject({ directory: nonEmpty, id: nonEmpty })
    .default({ directory: 'INTERNAL', id: 'sa_api' }),
  certificates: z.strictObject({
    cert: secretSourceSchema,
    key: secretSourceSchema,
    ca: secretSourceSchema,
  }),
  timeoutSeconds: z.number().positive().max(300).default(30),
  maxRetries: z.number().int().min(0).max(10).default(3),
});

const licenseMonitorSchema = z.strictObject({
  enable: z.boolean().default(true),
  schedule: schedule.default('rate(15 minutes)'),
});

const licenseReleaseSchema = z.strictObject({
  enable: z.boolean().default(true),
  schedule: schedule.default('cron(0 2 * * ? *)'),
  maxReleasesPerRun: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(50),
  dryRun: z.boolean().default(true),
  /** DELETEs in flight at once: small, so QRS is not flooded. */
  deleteConcurrency: z.number().int().min(1).max(16).default(4),
  neverRelease: neverReleaseSchema
    .nullish()
    .transform((rules) => rules ?? neverReleaseSchema.parse({})),
  licenseType: z
    .strictObject({
      analyzer: licenseTypeRuleSchema.prefault({}),
      professional: licenseTypeRuleSchema.prefault({}),
    })
    .prefault({}),
});
export type LicenseReleaseConfig = z.infer<typeof licenseReleaseSchema>;

/** Early-warning thresholds for the CloudWatch alarms (per site). */
const alarmsSchema = z.strictObject({
  availableBelow: z
    .strictObject({
      professional: z.number().int().min(0).default(5),
      analyzer: z.number().int().min(0).default(5),
    })
    .prefault({}),
  expiryWithinDays: z.number().int().min(1).default(30),
});

const siteName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/,
    'must be 1-40 letters, digits, - or _, starting with a letter or digit',
  );

export const siteSchema = z.strictObject({
  name: siteName,
  timezone: timezone.default('UTC'),
  qrs: qrsSchema,
  licenseMonitor: licenseMonitorSchema.prefault({}),
  /** Absent: release is off for the site. */
  licenseRelease: licenseReleaseSchema.optional(),
  alarms: alarmsSchema.prefault({}),
});
export type SiteConfig = z.infer<typeof siteSchema>;

/** Timestream dimension names: not reserved, not `ts_…`. */
const tagName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,59}$/,
    'must be letters, digits and _ (a Timestream dimension name)',
  )
  .refine((name) => !/^(time|measure_name|measure_value.*|ts_.*|site|license_type)$/i.test(name), {
    message: 'is reserved (time, measure_name, measure_value*, ts_*, site, license_type)',
  });

const destinationsSchema = z.strictObject({
  timestream: z
    .strictObject({
      enable: z.boolean().default(false),
      database: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{3,256}$/)
        .default('license_steward'),
      usageTable: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{3,256}$/)
        .default('license_usage'),
      releaseTable: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{3,256}$/)
        .default('license_release'),
    })
    .prefault({}),
  cloudwatch: z
    .strictObject({
      enable: z.boolean().default(true),
      namespace: z
        .string()
        .regex(/^[A-Za-z0-9_./#:-]{1,255}$/)
        .default('LicenseSteward'),
    })
    .prefault({}),
  tags: ruleList(z.strictObject({ name: tagName, value: nonEmpty })),
});
export type DestinationsConfig = z.infer<typeof destinationsSchema>;

export const configSchema = z
  .strictObject({
    sites: z.array(siteSchema).min(1, 'must list at least one site'),
    destinations: destinationsSchema.prefault({}),
  })
  .superRefine((config, context) => {
    const seen = new Set<string>();
    config.sites.forEach((site, index) => {
      const key = site.name.toLowerCase();
      if (seen.has(key)) {
        context.addIssue({
          code: 'custom',
          path: ['sites', index, 'name'],
          message: `duplicate site name "${site.name}" (names must be unique, ignoring case)`,
        });
      }
      seen.add(key);
    });
  });

export type Config = z.infer<typeof configSchema>;
