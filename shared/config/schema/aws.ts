/**
 * Deployment on AWS (`aws:` and `sites[].aws:`): read by the CDK app in infra/ only. The CLI and
 * the Lambda functions ignore it (docs/deploy.md).
 */
import { isIPv4 } from 'node:net';
import { z } from 'zod';

// Optional in the file so a CLI-only config needs none of it; `cdk synth` requires the top-level
// block (see docs/deploy.md).

/** `10.1.2.3/32`, `10.1.0.0/16`: an IPv4 network in CIDR form. */
export const ipv4Cidr = z.string().refine(
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
export const siteAwsSchema = z.strictObject({
  /**
   * The QRS address for the security group's egress rule. Required when `qrs.host` is a host
   * name (a security group rule needs an address); when `qrs.host` is an IPv4 address the
   * default is that address /32.
   */
  qrsCidr: ipv4Cidr.optional(),
  /**
   * About how many Professional and Analyzer allocations the site has: `cdk synth` warns when the
   * release function's memory would not hold a run of that size (docs/deploy.md, "Memory per
   * site size"). Optional.
   */
  expectedAllocations: z.number().int().min(1).optional(),
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

/** The functions' timeouts when `aws.functions` does not set them (docs/deploy.md). */
export const DEFAULT_TIMEOUT_SECONDS = { monitor: 240, release: 600 } as const;

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
      monitor: functionSettings(DEFAULT_TIMEOUT_SECONDS.monitor).prefault({}),
      release: functionSettings(DEFAULT_TIMEOUT_SECONDS.release).prefault({}),
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
