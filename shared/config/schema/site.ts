/** `sites[]`: one Qlik Sense site, its QRS connection, its jobs and alarm thresholds. */
import { z } from 'zod';
import { CERTIFICATE_KINDS } from '#shared/certificates/sources.ts';
import { nonEmpty, schedule, secretSourceSchema, timezone } from './common.ts';
import { licenseReleaseSchema } from './release.ts';

const qrsSchema = z.strictObject({
  host: nonEmpty,
  port: z.number().int().min(1).max(65_535).default(4242),
  servername: nonEmpty.optional(),
  user: z
    .strictObject({ directory: nonEmpty, id: nonEmpty })
    .default({ directory: 'INTERNAL', id: 'sa_api' }),
  certificates: z.strictObject(
    Object.fromEntries(CERTIFICATE_KINDS.map((kind) => [kind, secretSourceSchema])) as Record<
      (typeof CERTIFICATE_KINDS)[number],
      typeof secretSourceSchema
    >,
  ),
  timeoutSeconds: z.number().positive().max(300).default(30),
  maxRetries: z.number().int().min(0).max(10).default(3),
  /** How far QRS's clock (its `Date` header) may be from this one before release refuses. */
  maxClockSkewSeconds: z.number().int().min(1).max(86_400).default(300),
});

export const licenseMonitorSchema = z.strictObject({
  enable: z.boolean().default(true),
  schedule: schedule.default('rate(15 minutes)'),
});

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

/** A deployment key where the functions' configuration must not have one. */
export const deploymentOnly = z.undefined({
  error: 'is a deployment setting: the CDK app keeps it out of the function bundles',
});

/** A site as the functions run it: without its `aws:` deployment block (see ../schema.ts). */
export const runtimeSiteSchema = z.strictObject({
  name: siteName,
  timezone: timezone.default('UTC'),
  qrs: qrsSchema,
  licenseMonitor: licenseMonitorSchema.prefault({}),
  /** Absent: release is off for the site. */
  licenseRelease: licenseReleaseSchema.optional(),
  alarms: alarmsSchema.prefault({}),
  aws: deploymentOnly.optional(),
});
export type RuntimeSiteConfig = z.infer<typeof runtimeSiteSchema>;
