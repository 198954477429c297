/**
 * The configuration file (DESIGN.md section 4): one schema, unknown keys rejected, defaults here
 * and in the README. The release keys are Butler's (`qlikSenseLicense.licenseRelease`), unchanged.
 */
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { INFLUX_RESERVED_TAG_NAMES } from '../sinks/influxdb-names.ts';
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
export const secretSourceSchema = z
  .union([z.strictObject({ file: nonEmpty }), z.strictObject({ ssmParameter: ssmParameterName })], {
    error: 'must be { file: PATH } or { ssmParameter: NAME }',
  })
  .superRefine((source, context) => {
    // PEM text pasted as the path would be echoed in "cannot read file …": refuse it, unechoed.
    if ('file' in source && /-----BEGIN|[\r\n]/.test(source.file))
      context.addIssue({
        code: 'custom',
        path: ['file'],
        message:
          'must be the path of a PEM file, not the PEM text (save the text as a file, or store it in SSM with `license-steward certs put`)',
      });
  });
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
  schedule: schedule.default('cron(0 4 * * ? *)'),
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
  /** The release report (Lambda): real runs that released or failed send one; dry runs only if asked. */
  report: z.strictObject({ dryRuns: z.boolean().default(false) }).prefault({}),
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

// ---------------------------------------------------------------------------------------------
// Deployment on AWS (`aws:` and `sites[].aws:`): read by the CDK app in infra/ only; the CLI and
// the Lambda functions ignore it. Optional here so a CLI-only config needs none of it; `cdk synth`
// requires the top-level block (see docs/deploy.md).

/** `10.1.2.3/32`, `10.1.0.0/16`: an IPv4 network in CIDR form. */
const ipv4Cidr = z.string().refine(
  (text) => {
    const [address, prefix, ...rest] = text.split('/');
    return (
      rest.length === 0 &&
      address !== undefined &&
      isIPv4(address) &&
      prefix !== undefined &&
      /^\d{1,2}$/.test(prefix) &&
      Number(prefix) <= 32
    );
  },
  { message: 'must be an IPv4 CIDR such as 10.1.2.3/32' },
);

const availabilityZone = z
  .string()
  .regex(
    /^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/,
    'must be an availability zone name such as eu-north-1a',
  );

/** Sites' own deployment settings. */
const siteAwsSchema = z.strictObject({
  /**
   * The QRS address for the security group's egress rule. Required when `qrs.host` is a host
   * name (a security group rule needs an address); when `qrs.host` is an IPv4 address the
   * default is that address /32.
   */
  qrsCidr: ipv4Cidr.optional(),
});

const existingSubnetSchema = z.strictObject({
  id: z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id (subnet-…)'),
  availabilityZone,
});

/** A VPC created by the stack: it still needs the user's VPN/peering to reach Qlik Sense. */
const createdVpcSchema = z.strictObject({
  cidr: ipv4Cidr.default('10.42.0.0/24'),
  maxAzs: z.number().int().min(1).max(3).default(2),
  /** 0: isolated subnets, AWS APIs through VPC endpoints only. ≥ 1: NAT gateways (cost!). */
  natGateways: z.number().int().min(0).max(3).default(0),
});

const networkSchema = z
  .strictObject({
    /** Existing VPC (the normal case: a VPC already routed to the Qlik Sense server). */
    vpcId: z
      .string()
      .regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-…)')
      .optional(),
    /** Private subnets of that VPC for the functions (one per AZ is enough). */
    subnets: z.array(existingSubnetSchema).min(1, 'must list at least one subnet').optional(),
    /** Or: create a VPC (`create: true` or `create: { cidr, maxAzs, natGateways }`). */
    create: z.preprocess((value) => (value === true ? {} : value), createdVpcSchema).optional(),
  })
  .superRefine((network, context) => {
    const existing = network.vpcId !== undefined || network.subnets !== undefined;
    if (existing && network.create) {
      context.addIssue({
        code: 'custom',
        path: ['create'],
        message: 'use either vpcId + subnets (an existing VPC) or create, not both',
      });
    } else if (!existing && !network.create) {
      context.addIssue({
        code: 'custom',
        path: [],
        message: 'must name an existing VPC (vpcId + subnets) or say create: true',
      });
    } else if (existing) {
      if (network.vpcId === undefined)
        context.addIssue({ code: 'custom', path: ['vpcId'], message: 'is required with subnets' });
      if (network.subnets === undefined)
        context.addIssue({ code: 'custom', path: ['subnets'], message: 'is required with vpcId' });
      const seen = new Set<string>();
      network.subnets?.forEach((subnet, index) => {
        if (seen.has(subnet.id))
          context.addIssue({
            code: 'custom',
            path: ['subnets', index, 'id'],
            message: `duplicate subnet "${subnet.id}"`,
          });
        seen.add(subnet.id);
      });
    }
  });

/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

const functionSettings = (timeoutSeconds: number) =>
  z.strictObject({
    memoryMb: z.number().int().min(128).max(10_240).default(512),
    timeoutSeconds: z.number().int().min(10).max(900).default(timeoutSeconds),
  });

export const awsSchema = z.strictObject({
  /** Pin the stack to an account/region (both optional: default is the CLI's credentials). */
  account: z
    .string()
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account id (quote it in YAML)')
    .optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as eu-north-1')
    .optional(),
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name')
    .default('LicenseSteward'),
  network: networkSchema,
  /** Interface endpoints, for subnets without a NAT route to the AWS APIs. */
  vpcEndpoints: z
    .strictObject({
      ssm: z.boolean().default(false),
      logs: z.boolean().default(false),
      /** For the release report (SNS), in subnets without a NAT route. */
      sns: z.boolean().default(false),
      /** Your account's Timestream cell (`cell1`, from `aws timestream-write describe-endpoints`). */
      timestreamIngestCell: z
        .string()
        .regex(/^cell\d{1,3}$/, 'must be a cell name such as cell1 (see docs/deploy.md)')
        .optional(),
    })
    .prefault({}),
  /**
   * The InfluxDB server's address for the security group's egress rule (destinations.influxdb).
   * Required when the URL's host is a name; default: the host /32 when it is an IPv4 address.
   */
  influxdbCidr: ipv4Cidr.optional(),
  /** Customer managed KMS key of the certificate parameters (default: the aws/ssm key). */
  certificatesKmsKeyArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/,
      'must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias',
    )
    .optional(),
  logRetentionDays: z
    .number()
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(365),
  functions: z
    .strictObject({
      monitor: functionSettings(240).prefault({}),
      release: functionSettings(600).prefault({}),
    })
    .prefault({}),
  alarms: z
    .strictObject({
      /** E-mail addresses subscribed to the alarm topic (each must confirm once). */
      emails: z.array(z.email('must be an e-mail address')).default([]),
      /** Subscribed to the release report topic (default: `emails`). */
      reportEmails: z.array(z.email('must be an e-mail address')).optional(),
      /** No monitor data for this long raises an alarm (default: from the monitor schedule). */
      monitorSilentMinutes: z.number().int().min(5).max(10_080).optional(),
    })
    .prefault({}),
  timestream: z
    .strictObject({
      /** false: the database and tables named in destinations.timestream already exist. */
      createDatabase: z.boolean().default(true),
      memoryStoreRetentionHours: z.number().int().min(1).max(8766).default(24),
      usageRetentionDays: z.number().int().min(1).max(73_000).default(731),
      releaseRetentionDays: z.number().int().min(1).max(73_000).default(1827),
    })
    .prefault({}),
});
export type AwsConfig = z.infer<typeof awsSchema>;

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
  /** Deployment settings for this site (see `aws:` below). */
  aws: siteAwsSchema.optional(),
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

// ---------------------------------------------------------------------------------------------
// InfluxDB (`destinations.influxdb`): Amazon Timestream for InfluxDB or any InfluxDB 2 / 3, in
// Butler's measurements so existing Grafana dashboards keep working (docs/influxdb.md).

/** The InfluxDB API token: an SSM SecureString parameter (Lambda), a file or an environment variable. */
export const tokenSourceSchema = z.union(
  [
    z.strictObject({ ssmParameter: ssmParameterName }),
    z.strictObject({ file: nonEmpty }),
    z.strictObject({
      env: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name'),
    }),
  ],
  { error: 'must be { ssmParameter: NAME }, { file: PATH } or { env: VARIABLE }' },
);
export type TokenSource = z.infer<typeof tokenSourceSchema>;

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The server's base URL, normalised without a trailing slash. */
const influxUrl = z.string().transform((text, context) => {
  const problem = (message: string) => {
    context.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return problem('must be a URL such as https://influxdb.example.com:8086');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)))
    return problem('must use https:// (plain http:// only to localhost)');
  if (url.username !== '' || url.password !== '')
    return problem('must not hold a user name or password (the token authenticates)');
  if (url.search !== '' || url.hash !== '')
    return problem(
      'must not have a query or fragment (org, bucket and database are keys of their own)',
    );
  if (/\/api(\/|$)/.test(url.pathname))
    return problem(
      "must be the server's base URL, without /api/... (e.g. https://influxdb.example.com:8086)",
    );
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
});

/** InfluxDB tag keys: `_…` is reserved by InfluxDB 2. */
const influxTagName = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
    'must be letters, digits, _ . - (starting with a letter)',
  );

const influxDbSchema = z
  .strictObject({
    enable: z.boolean().default(false),
    url: influxUrl.optional(),
    version: z.union([z.literal(2), z.literal(3)], { error: 'must be 2 or 3' }).default(2),
    /** InfluxDB 2: organisation name (or id) and bucket. */
    org: nonEmpty.optional(),
    bucket: nonEmpty.optional(),
    /** InfluxDB 3: database. */
    database: nonEmpty.optional(),
    token: tokenSourceSchema.optional(),
    /** A private CA of the server's certificate (PEM), added to the public ones. */
    ca: secretSourceSchema.optional(),
    /** Static tags for InfluxDB only, besides `destinations.tags` (these win on the same name). */
    tags: ruleList(z.strictObject({ name: influxTagName, value: nonEmpty })),
    timeoutSeconds: z.number().positive().max(60).default(10),
    batchSize: z.number().int().min(1).max(50_000).default(5000),
    maxRetries: z.number().int().min(0).max(10).default(3),
    gzip: z.boolean().default(false),
  })
  .superRefine((influx, context) => {
    const problem = (path: (string | number)[], message: string) =>
      context.addIssue({ code: 'custom', path, message });
    if (influx.version === 2 && influx.database !== undefined)
      problem(['database'], 'is for version 3: InfluxDB 2 writes to org + bucket');
    if (influx.version === 3) {
      for (const key of ['org', 'bucket'] as const)
        if (influx[key] !== undefined)
          problem([key], 'is for version 2: InfluxDB 3 writes to a database (database: NAME)');
    }
    influx.tags.forEach((tag, index) => {
      if (INFLUX_RESERVED_TAG_NAMES.includes(tag.name.toLowerCase()))
        problem(
          ['tags', index, 'name'],
          `"${tag.name}" is a tag or field the InfluxDB destination writes itself`,
        );
    });
    if (!influx.enable) return;
    if (influx.url === undefined) problem(['url'], 'is required when enable is true');
    if (influx.token === undefined)
      problem(['token'], 'is required when enable is true ({ ssmParameter: NAME } to deploy)');
    if (influx.version === 2) {
      if (influx.org === undefined) problem(['org'], 'is required for InfluxDB 2 (version: 2)');
      if (influx.bucket === undefined)
        problem(['bucket'], 'is required for InfluxDB 2 (version: 2)');
    } else if (influx.database === undefined) {
      problem(['database'], 'is required for InfluxDB 3 (version: 3)');
    }
  });
export type InfluxDbConfig = z.infer<typeof influxDbSchema>;

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
  influxdb: influxDbSchema.prefault({}),
  tags: ruleList(z.strictObject({ name: tagName, value: nonEmpty })),
});
export type DestinationsConfig = z.infer<typeof destinationsSchema>;

export const configSchema = z
  .strictObject({
    sites: z.array(siteSchema).min(1, 'must list at least one site'),
    destinations: destinationsSchema.prefault({}),
    /** Deployment settings (CDK only; required by `cdk synth`, ignored by the CLI). */
    aws: awsSchema.optional(),
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
    // InfluxDB 3 keeps tags and fields as columns of one table: a static tag must not take a name
    // the InfluxDB destination writes itself.
    if (config.destinations.influxdb.enable) {
      config.destinations.tags.forEach((tag, index) => {
        if (INFLUX_RESERVED_TAG_NAMES.includes(tag.name.toLowerCase()))
          context.addIssue({
            code: 'custom',
            path: ['destinations', 'tags', index, 'name'],
            message: `"${tag.name}" is a tag or field the InfluxDB destination writes itself: rename it`,
          });
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
