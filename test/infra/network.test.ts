import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { configWith, logicalId, synth } from './helpers.ts';

function egressOf(template: Template, prefix: string): unknown[] {
  const id = logicalId(template, 'AWS::EC2::SecurityGroup', prefix);
  return template.toJSON().Resources[id].Properties.SecurityGroupEgress;
}

describe('network: an existing VPC', () => {
  const { template } = synth();

  it('puts both functions in the configured subnets, each with its own security group', () => {
    for (const fn of ['Monitor', 'Release']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: { 'Fn::GetAtt': [logicalId(template, 'AWS::IAM::Role', `${fn}Role`), 'Arn'] },
        VpcConfig: {
          SubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
          SecurityGroupIds: [
            {
              'Fn::GetAtt': [
                logicalId(template, 'AWS::EC2::SecurityGroup', `Network${fn}SecurityGroup`),
                'GroupId',
              ],
            },
          ],
        },
      });
    }
    template.resourceCountIs('AWS::EC2::VPC', 0);
  });

  const prodQrs = {
    CidrIp: '10.20.1.15/32',
    Description: 'QRS of site prod',
    FromPort: 4242,
    ToPort: 4242,
    IpProtocol: 'tcp',
  };
  const labQrs = {
    CidrIp: '10.30.4.0/28',
    Description: 'QRS of site lab',
    FromPort: 4243,
    ToPort: 4243,
    IpProtocol: 'tcp',
  };
  const https = {
    CidrIp: '0.0.0.0/0',
    Description: 'HTTPS to the AWS APIs',
    FromPort: 443,
    ToPort: 443,
    IpProtocol: 'tcp',
  };

  it('allows egress only to the QRS address and port of the sites each function runs for, and HTTPS', () => {
    expect(egressOf(template, 'NetworkMonitorSecurityGroup')).toEqual([prodQrs, labQrs, https]);
    // lab has no release job.
    expect(egressOf(template, 'NetworkReleaseSecurityGroup')).toEqual([prodQrs, https]);
    template.allResourcesProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.absent(),
    });
  });

  it('creates no VPC endpoints unless asked', () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });
});

describe('network: VPC endpoints in an existing VPC', () => {
  const { template } = synth(
    configWith((config) => {
      config.destinations = { timestream: { enable: true } };
      (config.aws as Record<string, unknown>).vpcEndpoints = {
        ssm: true,
        logs: true,
        sns: true,
        timestreamIngestCell: 'cell2',
      };
    }),
  );
  const endpointGroup = logicalId(
    template,
    'AWS::EC2::SecurityGroup',
    'NetworkEndpointSecurityGroup',
  );

  it('creates the SSM, Logs, SNS and cell-specific Timestream ingest endpoints with private DNS', () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
    for (const service of ['ssm', 'logs', 'sns']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: {
          'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`]],
        },
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        VpcId: 'vpc-0a1b2c3d4e5f60718',
        SubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
        SecurityGroupIds: [{ 'Fn::GetAtt': [endpointGroup, 'GroupId'] }],
      });
    }
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: {
        'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.timestream.ingest-cell2']],
      },
      PrivateDnsEnabled: true,
    });
  });

  it('sends HTTPS only to the endpoints, which accept it only from the functions', () => {
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 2);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: {
        'Fn::GetAtt': [
          logicalId(template, 'AWS::EC2::SecurityGroup', 'NetworkMonitorSecurityGroup'),
          'GroupId',
        ],
      },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [endpointGroup, 'GroupId'] },
      FromPort: 443,
      ToPort: 443,
      IpProtocol: 'tcp',
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 2);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [endpointGroup, 'GroupId'] },
      SourceSecurityGroupId: {
        'Fn::GetAtt': [
          logicalId(template, 'AWS::EC2::SecurityGroup', 'NetworkReleaseSecurityGroup'),
          'GroupId',
        ],
      },
      FromPort: 443,
      ToPort: 443,
    });
    for (const prefix of ['NetworkMonitorSecurityGroup', 'NetworkReleaseSecurityGroup']) {
      expect(egressOf(template, prefix)).not.toContainEqual(
        expect.objectContaining({ CidrIp: '0.0.0.0/0' }),
      );
    }
  });
});

describe('network: a VPC created by the stack', () => {
  it('without NAT: isolated subnets, a rejected-traffic flow log, the SSM and SNS endpoints', () => {
    const { template } = synth(
      configWith((config) => {
        Object.assign(config.aws as object, {
          network: { create: { cidr: '10.99.0.0/24' } },
          vpcEndpoints: { ssm: true, sns: true },
        });
      }),
    );

    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.99.0.0/24' });
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
  });

  it('with NAT: functions in the private subnets, public subnets only for the NAT gateway', () => {
    const { template } = synth(
      configWith((config) => {
        (config.aws as Record<string, unknown>).network = { create: { natGateways: 1 } };
      }),
    );

    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    const subnetType = (subnet: { Properties: { Tags: Array<{ Key: string; Value: string }> } }) =>
      subnet.Properties.Tags.find((tag) => tag.Key === 'aws-cdk:subnet-type')?.Value;
    const privateSubnets = Object.entries(template.findResources('AWS::EC2::Subnet'))
      .filter(([, subnet]) => subnetType(subnet as never) === 'Private')
      .map(([id]) => ({ Ref: id }));
    expect(privateSubnets).toHaveLength(2);
    // No subnet hands out public addresses: the NAT gateways have Elastic IPs of their own.
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('releases inactive'),
      VpcConfig: Match.objectLike({ SubnetIds: privateSubnets }),
    });
  });
});
