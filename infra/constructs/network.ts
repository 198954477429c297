/**
 * Where the functions run: private subnets of a VPC that routes to the Qlik Sense server (an
 * existing VPC named in config, the normal case) or a VPC this stack creates (the user still has
 * to connect it to Qlik Sense with a VPN, Direct Connect or peering). Each function gets its own
 * security group whose only egress is the QRS address and port of its sites (and the InfluxDB
 * server, when that destination is on), plus HTTPS for the AWS APIs.
 * No lookups: ids come from config, so `cdk synth` works offline.
 */
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  type IInterfaceVpcEndpointService,
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  InterfaceVpcEndpointService,
  IpAddresses,
  type ISecurityGroup,
  type ISubnet,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  Subnet,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AwsConfig } from '#shared/config/schema.ts';
import { acknowledgeLogEncryption } from './steward-function.ts';

export interface QrsDestination {
  site: string;
  cidr: string;
  port: number;
}

/** Another server a function writes to (the InfluxDB destination). */
export interface EgressDestination {
  cidr: string;
  port: number;
  description: string;
}

export interface StewardNetworkProps {
  readonly network: AwsConfig['network'];
  readonly vpcEndpoints: AwsConfig['vpcEndpoints'];
  readonly logRetention: RetentionDays;
  /** Timestream is written to (only then is its ingest endpoint worth creating). */
  readonly timestream: boolean;
  /** The release report is published to SNS. */
  readonly report: boolean;
}

export class StewardNetwork extends Construct {
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  /** Security group of the interface endpoints, when there are any. */
  readonly endpointSecurityGroup?: SecurityGroup;
  /** True when every AWS API the functions call has an endpoint in the VPC. */
  private readonly endpointsOnly: boolean;

  constructor(scope: Construct, id: string, props: StewardNetworkProps) {
    super(scope, id);
    const { network, vpcEndpoints } = props;

    if (network.create) {
      const created = network.create;
      const vpc = new Vpc(this, 'Vpc', {
        ipAddresses: IpAddresses.cidr(created.cidr),
        maxAzs: created.maxAzs,
        natGateways: created.natGateways,
        // No custom resource (a Lambda of its own) just to empty the default security group,
        // which nothing here uses.
        restrictDefaultSecurityGroup: false,
        subnetConfiguration:
          created.natGateways > 0
            ? [
                // Only the NAT gateways live here, with Elastic IPs of their own.
                {
                  name: 'public',
                  subnetType: SubnetType.PUBLIC,
                  cidrMask: 28,
                  mapPublicIpOnLaunch: false,
                },
                { name: 'functions', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 26 },
              ]
            : [{ name: 'functions', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 26 }],
      });
      const flowLogGroup = new LogGroup(this, 'FlowLogGroup', {
        retention: props.logRetention,
        // Debugging data, not an audit trail: removed with the stack.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      acknowledgeLogEncryption(
        flowLogGroup,
        'It holds rejected-traffic flow records (addresses, ports) only.',
      );
      // Rejected traffic only: enough to debug the QRS route, a fraction of full flow-log cost.
      vpc.addFlowLog('RejectedTraffic', {
        trafficType: FlowLogTrafficType.REJECT,
        destination: FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      });
      this.vpc = vpc;
      this.subnets = {
        subnetType:
          created.natGateways > 0 ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PRIVATE_ISOLATED,
      };
    } else {
      const subnets = network.subnets ?? [];
      this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: network.vpcId ?? '',
        availabilityZones: [...new Set(subnets.map((subnet) => subnet.availabilityZone))],
      });
      this.subnets = {
        subnets: subnets.map((subnet): ISubnet => {
          const imported = Subnet.fromSubnetAttributes(this, `Subnet-${subnet.id}`, {
            subnetId: subnet.id,
            availabilityZone: subnet.availabilityZone,
          });
          Validations.of(imported).acknowledge({
            id: 'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId',
            reason:
              'Nothing in this stack reads the route tables of the existing subnets (no gateway endpoints, no routes are added).',
          });
          return imported;
        }),
      };
    }

    const services: Array<[string, IInterfaceVpcEndpointService]> = [];
    if (vpcEndpoints.ssm) services.push(['Ssm', InterfaceVpcEndpointAwsService.SSM]);
    if (vpcEndpoints.logs) services.push(['Logs', InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS]);
    if (props.report && vpcEndpoints.sns)
      services.push(['Sns', InterfaceVpcEndpointAwsService.SNS]);
    if (props.timestream && vpcEndpoints.timestreamIngestCell) {
      // Timestream endpoints are per cell: com.amazonaws.REGION.timestream.ingest-CELL.
      services.push([
        'TimestreamIngest',
        new InterfaceVpcEndpointService(
          `com.amazonaws.${Stack.of(this).region}.timestream.ingest-${vpcEndpoints.timestreamIngestCell}`,
          443,
        ),
      ]);
    }
    this.endpointsOnly =
      vpcEndpoints.ssm &&
      (!props.timestream || vpcEndpoints.timestreamIngestCell !== undefined) &&
      (!props.report || vpcEndpoints.sns);

    if (services.length > 0) {
      const endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'license-steward VPC interface endpoints: HTTPS from the functions only',
        allowAllOutbound: false,
      });
      this.endpointSecurityGroup = endpointSecurityGroup;
      for (const [name, service] of services) {
        new InterfaceVpcEndpoint(this, `${name}Endpoint`, {
          vpc: this.vpc,
          service,
          subnets: { ...this.subnets, onePerAz: true },
          securityGroups: [endpointSecurityGroup],
          open: false,
          privateDnsEnabled: true,
        });
      }
    }
  }

  /**
   * A security group for one function: egress to the QRS address and port of each site it runs
   * for, to the `others` it writes to (InfluxDB), and HTTPS
   * to the AWS APIs (to the endpoints' security group when every API has an endpoint, else to
   * any address, since the public AWS endpoints have no fixed addresses).
   */
  functionSecurityGroup(
    id: string,
    description: string,
    qrs: readonly QrsDestination[],
    others: readonly EgressDestination[] = [],
  ): ISecurityGroup {
    const group = new SecurityGroup(this, id, {
      vpc: this.vpc,
      description,
      allowAllOutbound: false,
    });
    const seen = new Set<string>();
    const destinations = [
      ...qrs.map((qrsHost) => ({ ...qrsHost, description: `QRS of site ${qrsHost.site}` })),
      ...others,
    ];
    for (const destination of destinations) {
      const key = `${destination.cidr}:${destination.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      group.addEgressRule(
        Peer.ipv4(destination.cidr),
        Port.tcp(destination.port),
        destination.description,
      );
    }
    const endpoints = this.endpointSecurityGroup;
    if (endpoints && this.endpointsOnly) {
      group.addEgressRule(endpoints, Port.tcp(443), 'HTTPS to the AWS APIs (VPC endpoints)');
    } else {
      group.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to the AWS APIs');
    }
    endpoints?.addIngressRule(group, Port.tcp(443), `HTTPS from ${id}`);
    return group;
  }
}
