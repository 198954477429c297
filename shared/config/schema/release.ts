/**
 * `sites[].licenseRelease`: the release rules. The keys are Butler's
 * (`qlikSenseLicense.licenseRelease`), unchanged; their meaning is in docs/release.md.
 */
import { z } from 'zod';
import { nonEmpty, ruleList, schedule } from './common.ts';

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

/**
 * User access passes (token sites) are off unless `enable: true` is written: a Butler config
 * carried over, which has no such key, must not start releasing passes (docs/release.md).
 */
const userAccessRuleSchema = z.strictObject({
  enable: z.boolean().default(false),
  releaseThresholdDays: wholeDays.default(30),
});

/** `review`: scheduled runs only make a plan; the admin applies it with `release --plan`. */
export const RELEASE_MODES = ['release', 'review'] as const;

export const licenseReleaseSchema = z.strictObject({
  enable: z.boolean().default(true),
  schedule: schedule.default('cron(0 4 * * ? *)'),
  maxReleasesPerRun: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(50),
  dryRun: z.boolean().default(true),
  mode: z.enum(RELEASE_MODES, { error: 'must be release or review' }).default('release'),
  /** DELETEs in flight at once: small, so QRS is not flooded. */
  deleteConcurrency: z.number().int().min(1).max(16).default(4),
  neverRelease: neverReleaseSchema
    .nullish()
    .transform((rules) => rules ?? neverReleaseSchema.parse({})),
  /**
   * A `neverRelease` rule that matches nothing in QRS (a typo?) refuses a real release; true lets
   * such rules stand (meant to match nobody yet), each reported as a warning.
   */
  allowUnmatchedRules: z.boolean().default(false),
  licenseType: z
    .strictObject({
      analyzer: licenseTypeRuleSchema.prefault({}),
      professional: licenseTypeRuleSchema.prefault({}),
      userAccess: userAccessRuleSchema.prefault({}),
    })
    .prefault({}),
  /** The release report (Lambda): real runs that released or failed send one; dry runs only if asked. */
  report: z.strictObject({ dryRuns: z.boolean().default(false) }).prefault({}),
});
export type LicenseReleaseConfig = z.infer<typeof licenseReleaseSchema>;
