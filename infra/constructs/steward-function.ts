/**
 * The project's one Lambda construct: Node.js 22 on arm64, an esbuild bundle (minified, with
 * source maps, bundled locally with the project's esbuild, never Docker) that has the runtime part
 * of the validated configuration inlined at build time (no account, network ids or e-mail
 * addresses), a log group with retention, a role of its own with only
 * the statements this construct and its `grant…` methods add, and asynchronous invocations that
 * still fail after a deliberate number of retries sent to a failure queue.
 */
import { type Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { runtimeConfig } from '#shared/config/runtime-config.ts';
import type { Config } from '#shared/config/schema.ts';
import { CONFIG_ENV } from '#shared/env-names.ts';
import { aliasArgs } from '../bundling/bundle-aliases.ts';

/**
 * The runtime the project is tested on (the `node` devDependency pins Node 22 for the build and
 * the tests; @middy 7 needs Node ≥ 22).
 */
export const FUNCTION_RUNTIME = Runtime.NODEJS_22_X;

/** Lets ESM bundles load the few CommonJS dependencies that `require` Node built-ins. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __lsCreateRequire } from 'node:module'; const require = __lsCreateRequire(import.meta.url);";

export interface StewardFunctionProps {
  /** The handler file (exports `handler`). */
  readonly entry: string;
  readonly description: string;
  /**
   * The validated configuration: its runtime part (no `aws:` deployment settings) is inlined into
   * the bundle as process.env.LICENSE_STEWARD_CONFIG.
   */
  readonly config: Config;
  readonly memoryMb: number;
  readonly timeout: Duration;
  readonly logRetention: RetentionDays;
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  readonly securityGroup: ISecurityGroup;
  /** Asynchronous invocations that still fail after `retryAttempts` go here. */
  readonly failureQueue: IQueue;
  /** Lambda's own retries of a failed asynchronous invocation (0-2; the schedules invoke asynchronously). */
  readonly retryAttempts: number;
  /** How long an asynchronous invocation may wait in Lambda's queue before it is dropped to the failure queue. */
  readonly maxEventAge: Duration;
  /**
   * Reserved concurrent executions.
   * @default - none: the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
  /**
   * Environment variables besides NODE_OPTIONS (source maps). A resource a function uses sets its
   * own variable through its `bind(fn)`.
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

export class StewardFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: StewardFunctionProps) {
    super(scope, id);
    // Kept when the stack is deleted: the release function's log is the audit trail.
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    acknowledgeLogEncryption(
      this.logGroup,
      'It holds run summaries, the released allocations (user directory and id) and error messages; never certificates, keys or tokens (they are never logged).',
    );

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `license-steward ${id}: logs, VPC network interfaces, its own grants`,
    });
    this.logGroup.grantWrite(this.role);
    // What AWSLambdaVPCAccessExecutionRole grants for the network interfaces, without its
    // logs:* on every log group. A policy of its own, so its acknowledgement covers it alone.
    const networkPolicy = new Policy(this, 'VpcNetworkInterfaces', {
      roles: [this.role],
      statements: [
        new PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(networkPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Lambda manages the network interfaces of a VPC function with these EC2 actions under the execution role; ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets have no resource-level permissions and the interfaces do not exist before deployment. Same EC2 actions as the AWS managed AWSLambdaVPCAccessExecutionRole, without its logs:* on all log groups.',
    });

    // What the function runs on; the deployment settings (account, network, e-mails) stay here.
    const inlined = runtimeConfig(props.config);
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      reservedConcurrentExecutions: props.reservedConcurrency,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      onFailure: new SqsDestination(props.failureQueue),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        // Stack traces map to file and line; the sources themselves stay out of the zip.
        sourcesContent: false,
        // The AWS SDK is bundled too: the exact versions the tests ran with, not the runtime's.
        externalModules: [],
        banner: ESM_REQUIRE_BANNER,
        logLevel: LogLevel.WARNING,
        define: { [`process.env.${CONFIG_ENV}`]: JSON.stringify(JSON.stringify(inlined)) },
        // Packages the code never uses, replaced by modules that throw (bundle-aliases.ts).
        esbuildArgs: { '--alias': aliasArgs() },
      },
    });
    // Lambda checks the network-interface permissions when it creates the function.
    this.function.node.addDependency(networkPolicy);
    if (FUNCTION_RUNTIME !== Runtime.NODEJS_24_X) {
      Validations.of(this.function).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 on purpose: the runtime the project is built and tested on (the node devDependency pins 22; @middy 7 needs >= 22); moving to a newer runtime is a tested change, not a silent one.',
      });
    }
  }

  /**
   * Read access to exactly these SSM parameters (ssm:GetParameters, what the SSM reader in shared/secrets calls). With
   * a customer managed key, kms:Decrypt on that key, only through SSM and only for these
   * parameters. With the default aws/ssm key no KMS statement is needed or possible without a
   * wildcard: its key policy already lets every principal of the account decrypt through SSM.
   * `purpose` names the statements (`Read<purpose>`, `Decrypt<purpose>`).
   */
  grantParameters(names: readonly string[], kmsKeyArn?: string, purpose = 'QrsCertificates'): void {
    const stack = Stack.of(this);
    const arns = [...new Set(names)].map((name) => parameterArn(stack, name));
    if (arns.length === 0) return;
    this.role.addToPolicy(
      new PolicyStatement({
        sid: `Read${purpose}`,
        actions: ['ssm:GetParameters'],
        resources: arns,
      }),
    );
    if (kmsKeyArn) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: `Decrypt${purpose}`,
          actions: ['kms:Decrypt'],
          resources: [kmsKeyArn],
          conditions: {
            StringEquals: {
              'kms:ViaService': `ssm.${stack.region}.${stack.urlSuffix}`,
              'kms:EncryptionContext:PARAMETER_ARN': arns,
            },
          },
        }),
      );
    }
  }

  /**
   * timestream:WriteRecords on exactly these tables, plus timestream:DescribeEndpoints, which the
   * SDK calls first to find the account's cell and which IAM only allows on `*`.
   */
  grantTimestreamWrite(tableArns: readonly string[]): void {
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'WriteTimestream',
        actions: ['timestream:WriteRecords'],
        resources: [...tableArns],
      }),
    );
    const discovery = new Policy(this, 'TimestreamEndpointDiscovery', {
      roles: [this.role],
      statements: [
        new PolicyStatement({ actions: ['timestream:DescribeEndpoints'], resources: ['*'] }),
      ],
    });
    Validations.of(discovery).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'timestream:DescribeEndpoints (endpoint discovery, called by the SDK before every WriteRecords batch) supports no resource-level permissions: AWS documents Resource "*" for it. It returns endpoint addresses only, no data.',
    });
  }
}

/**
 * Control Tower's CT.CLOUDWATCH.PR.3 (cfn-guard) wants a customer managed KMS key on log groups.
 * `what` says what the group holds.
 */
export function acknowledgeLogEncryption(logGroup: LogGroup, what: string): void {
  Validations.of(logGroup).acknowledge({
    id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    reason: `CloudWatch Logs encrypts every log group at rest with service-managed keys; a customer managed KMS key would only add key-policy control over decryption (and USD 1 per month per key plus API calls), while read access here is already limited by IAM. ${what}`,
  });
}

/** `arn:…:parameter/license-steward/prod/client-cert` for `/license-steward/prod/client-cert` or `license-steward-prod-cert`. */
export function parameterArn(stack: Stack, name: string): string {
  return stack.formatArn({
    service: 'ssm',
    resource: 'parameter',
    resourceName: name.startsWith('/') ? name.slice(1) : name,
  });
}
