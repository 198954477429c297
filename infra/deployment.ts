/**
 * What `cdk synth` needs beyond the CLI's checks: the configuration is loaded and validated with
 * the same schema and messages as the CLI (shared/config/load.ts), then checked for deployment.
 * Every problem names the key, e.g. `sites[0].qrs.certificates.key: ...`.
 */
import { isIPv4 } from 'node:net';
import { certificateParameters } from '#shared/certificates/sources.ts';
import { ConfigError } from '#shared/config/errors.ts';
import { formatPath } from '#shared/config/issues.ts';
import { loadConfig } from '#shared/config/load.ts';
import { scheduleDstWarnings } from '#shared/config/schedule-dst.ts';
import { type AwsConfig, type Config, qrsNodes, type SiteConfig } from '#shared/config/schema.ts';
import { timeLimitProblems } from './deployment-limits.ts';
import { memoryFitWarnings } from './memory-fit.ts';

/** The configuration `npm run synth` and `npx cdk synth` use without `-c config=FILE`. */
export const DEFAULT_CONFIG_FILE = 'examples/license-steward.aws.yaml';

export interface DeployedSite {
  site: SiteConfig;
  /** Where the functions may connect: the egress rule of their security groups. */
  qrsCidr: string;
  qrsPort: number;
  /** The site's three SSM parameter names (cert, key, CA). */
  certificateParameters: string[];
}

/** `destinations.influxdb` as deployed: where the functions connect and which parameters they read. */
export interface DeployedInfluxDb {
  cidr: string;
  port: number;
  /** The token's or password's SSM parameter (and the CA's, when set). */
  parameters: string[];
}

export interface Deployment {
  /** The validated configuration; its runtime part is inlined into both bundles. */
  config: Config;
  aws: AwsConfig;
  sites: DeployedSite[];
  /** Present when destinations.influxdb.enable is true. */
  influxdb?: DeployedInfluxDb;
  /** Where the configuration came from (for messages). */
  source: string;
  /** Legal but probably unintended (schedules at a local time daylight saving skips or repeats). */
  warnings: string[];
}

export function loadDeployment(file: string): Deployment {
  return checkDeployable(loadConfig(file), file);
}

/** Throws a ConfigError listing every problem that would make the deployment fail or unsafe. */
export function checkDeployable(config: Config, source: string): Deployment {
  const problems: string[] = [];
  const at = (...path: (string | number)[]) => formatPath(path);
  const { aws } = config;
  if (!aws) {
    throw new ConfigError(source, [
      'aws: is required to deploy (network, alarm e-mails, ...; see docs/deploy.md and examples/license-steward.aws.yaml)',
    ]);
  }

  const sites: DeployedSite[] = [];
  config.sites.forEach((site, index) => {
    const parameters = certificateParameters(site.qrs.certificates);
    for (const part of parameters.notInSsm)
      problems.push(
        `${at('sites', index, 'qrs', 'certificates', part)}: is { file: ... }, but the Lambda functions read certificates from SSM: use { ssmParameter: NAME } and store the PEM with \`license-steward certs put --site ${site.name} --dir DIR\``,
      );
    // One egress rule per site: several nodes need one CIDR that covers them all, on one port.
    const nodes = qrsNodes(site.qrs);
    const only = nodes.length === 1 ? nodes[0]?.host : undefined;
    const qrsCidr = site.aws?.qrsCidr ?? (only && isIPv4(only) ? `${only}/32` : undefined);
    if (!qrsCidr) {
      problems.push(
        only === undefined
          ? `${at('sites', index, 'aws', 'qrsCidr')}: is required because ${at('sites', index, 'qrs', 'hosts')} lists several nodes: the security group egress rule needs one CIDR that covers them all, e.g. qrsCidr: 10.1.2.0/28`
          : `${at('sites', index, 'aws', 'qrsCidr')}: is required because ${at('sites', index, 'qrs', 'host')} ("${only}") is a host name: the security group egress rule needs the QRS address, e.g. qrsCidr: 10.1.2.3/32 (the name must also resolve in the VPC)`,
      );
    }
    const ports = new Set(nodes.map((node) => node.port));
    if (ports.size > 1)
      problems.push(
        `${at('sites', index, 'qrs', 'hosts')}: the nodes use different ports (${[...ports].join(', ')}); deployed, the egress rule allows one: give every node the same port`,
      );
    sites.push({
      site,
      qrsCidr: qrsCidr ?? '',
      qrsPort: nodes[0]?.port ?? site.qrs.port,
      certificateParameters: parameters.names,
    });
  });

  const create = aws.network.create;
  const isolated = create !== undefined && create.natGateways === 0;
  if (isolated && !aws.vpcEndpoints.ssm) {
    problems.push(
      `${at('aws', 'vpcEndpoints', 'ssm')}: must be true when aws.network.create has natGateways: 0 (without NAT the functions reach SSM, for the certificates, only through the endpoint)`,
    );
  }
  const releasing = config.sites.some((site) => site.licenseRelease?.enable === true);
  if (isolated && releasing && !aws.vpcEndpoints.sns) {
    problems.push(
      `${at('aws', 'vpcEndpoints', 'sns')}: must be true when a site releases licenses and aws.network.create has natGateways: 0 (the release report is published to SNS, reachable without NAT only through the endpoint)`,
    );
  }
  if (!releasing && aws.vpcEndpoints.sns) {
    problems.push(
      `${at('aws', 'vpcEndpoints', 'sns')}: only applies when a site has licenseRelease.enable: true (an unused endpoint still costs money)`,
    );
  }
  const timestream = config.destinations.timestream.enable;
  if (isolated && timestream && !aws.vpcEndpoints.timestreamIngestCell) {
    problems.push(
      `${at('aws', 'vpcEndpoints', 'timestreamIngestCell')}: is required when destinations.timestream.enable is true and aws.network.create has natGateways: 0 (see docs/deploy.md for finding your cell)`,
    );
  }
  if (!timestream && aws.vpcEndpoints.timestreamIngestCell) {
    problems.push(
      `${at('aws', 'vpcEndpoints', 'timestreamIngestCell')}: only applies when destinations.timestream.enable is true (an unused endpoint still costs money)`,
    );
  }
  const influxdb = deployedInfluxDb(config, aws, problems);
  problems.push(...timeLimitProblems(config, aws));
  if (problems.length > 0) throw new ConfigError(source, problems);
  const warnings = [...scheduleDstWarnings(config.sites), ...memoryFitWarnings(config, aws)];
  return { config, aws, sites, source, warnings, ...(influxdb ? { influxdb } : {}) };
}

/** The InfluxDB destination's egress and SSM parameters; its problems are added to `problems`. */
function deployedInfluxDb(
  config: Config,
  aws: AwsConfig,
  problems: string[],
): DeployedInfluxDb | undefined {
  const influxdb = config.destinations.influxdb;
  if (!influxdb.enable && aws.influxdbCidr !== undefined)
    problems.push(
      `${formatPath(['aws', 'influxdbCidr'])}: only applies when destinations.influxdb.enable is true`,
    );
  if (!influxdb.enable || influxdb.url === undefined) return;
  const parameters: string[] = [];
  // InfluxDB 1 authenticates with a password (or not at all), 2 and 3 with a token.
  const sources = [
    ...(influxdb.token ? [['token', influxdb.token] as const] : []),
    ...(influxdb.password ? [['password', influxdb.password] as const] : []),
    ...(influxdb.ca ? [['ca', influxdb.ca] as const] : []),
  ];
  for (const [key, source] of sources) {
    if ('ssmParameter' in source) parameters.push(source.ssmParameter);
    else
      problems.push(
        `${formatPath(['destinations', 'influxdb', key])}: is ${'env' in source ? '{ env: ... }' : '{ file: ... }'}, but the Lambda functions read it from SSM: use { ssmParameter: NAME } and store it as a SecureString parameter (aws ssm put-parameter --type SecureString)`,
      );
  }
  const url = new URL(influxdb.url);
  if (url.protocol !== 'https:')
    problems.push(
      `${formatPath(['destinations', 'influxdb', 'url'])}: must be https:// to deploy (plain http:// is for a local InfluxDB only)`,
    );
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const cidr = aws.influxdbCidr ?? (isIPv4(url.hostname) ? `${url.hostname}/32` : undefined);
  if (!cidr) {
    problems.push(
      `${formatPath(['aws', 'influxdbCidr'])}: is required because destinations.influxdb.url ("${influxdb.url}") names a host: the security group egress rule needs the InfluxDB address, e.g. the CIDR of the subnets of a private Timestream for InfluxDB instance (the name must also resolve in the VPC)`,
    );
  }
  return { cidr: cidr ?? '', port, parameters };
}
