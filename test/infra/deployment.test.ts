import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/config/errors.ts';
import { DEFAULT_CONFIG_FILE, loadDeployment } from '../../infra/deployment.ts';
import { configWith, deploymentOf, deployProblems } from './helpers.ts';

describe('loadDeployment', () => {
  it('accepts the example configuration the synth script uses', () => {
    const deployment = loadDeployment(path.resolve(DEFAULT_CONFIG_FILE));

    expect(deployment.aws.stackName).toBe('LicenseSteward');
    expect(deployment.sites.map((site) => [site.site.name, site.qrsCidr])).toEqual([
      ['prod', '10.20.1.15/32'],
      ['test', '10.30.4.0/28'],
    ]);
  });

  it('fails with the schema message, naming the key, for a bad file', () => {
    expect(() => loadDeployment('/nonexistent/license-steward.yaml')).toThrow(ConfigError);
  });
});

describe('checkDeployable', () => {
  it('fills the documented aws defaults', () => {
    const { aws } = deploymentOf();

    expect(aws).toMatchObject({
      stackName: 'LicenseSteward',
      vpcEndpoints: { ssm: false, logs: false, sns: false },
      logRetentionDays: 365,
      functions: {
        monitor: { memoryMb: 512, timeoutSeconds: 240 },
        release: { memoryMb: 512, timeoutSeconds: 600 },
      },
      timestream: {
        createDatabase: true,
        memoryStoreRetentionHours: 24,
        usageRetentionDays: 731,
        releaseRetentionDays: 1827,
      },
    });
  });

  it('uses the QRS IP address as a /32 and the configured qrsCidr for a host name', () => {
    const { sites } = deploymentOf();

    expect(sites.map(({ qrsCidr, qrsPort }) => [qrsCidr, qrsPort])).toEqual([
      ['10.20.1.15/32', 4242],
      ['10.30.4.0/28', 4243],
    ]);
  });

  it('requires the aws block', () => {
    const problems = deployProblems(
      configWith((config) => {
        delete config.aws;
      }),
    );

    expect(problems).toEqual([expect.stringMatching(/^aws: is required to deploy/)]);
  });

  it('names each certificate that is a file instead of an SSM parameter', () => {
    const problems = deployProblems(
      configWith((config) => {
        const qrs = config.sites[1]?.qrs as { certificates: Record<string, unknown> };
        qrs.certificates.key = { file: './certs/client_key.pem' };
      }),
    );

    expect(problems).toEqual([
      expect.stringMatching(
        /^sites\[1\]\.qrs\.certificates\.key: is \{ file: \.\.\. \}.*ssmParameter.*certs put --site lab/,
      ),
    ]);
  });

  it('requires qrsCidr when the QRS host is a host name', () => {
    const problems = deployProblems(
      configWith((config) => {
        delete config.sites[1]?.aws;
      }),
    );

    expect(problems).toEqual([
      expect.stringMatching(
        /^sites\[1\]\.aws\.qrsCidr: is required because sites\[1\]\.qrs\.host \("qlik-lab\.corp\.example\.com"\) is a host name/,
      ),
    ]);
  });

  it('requires one qrsCidr and one port for a site with several QRS nodes', () => {
    const problems = deployProblems(
      configWith((config) => {
        const site = config.sites[0] as { qrs: Record<string, unknown>; aws?: unknown };
        delete site.aws;
        delete site.qrs.host;
        site.qrs.hosts = [{ host: '10.20.1.15' }, { host: '10.20.1.16', port: 4243 }];
      }),
    );

    expect(problems).toEqual([
      expect.stringMatching(
        /^sites\[0\]\.aws\.qrsCidr: is required because sites\[0\]\.qrs\.hosts lists several nodes/,
      ),
      expect.stringMatching(
        /^sites\[0\]\.qrs\.hosts: the nodes use different ports \(4242, 4243\)/,
      ),
    ]);
  });

  it('requires the SSM endpoint in a created VPC without NAT', () => {
    const problems = deployProblems(
      configWith((config) => {
        (config.aws as Record<string, unknown>).network = { create: true };
      }),
    );

    expect(problems).toEqual([
      expect.stringMatching(/^aws\.vpcEndpoints\.ssm: must be true/),
      expect.stringMatching(/^aws\.vpcEndpoints\.sns: must be true when a site releases licenses/),
    ]);
  });

  it('requires the Timestream cell endpoint in a created VPC without NAT when Timestream is on', () => {
    const problems = deployProblems(
      configWith((config) => {
        config.destinations = { timestream: { enable: true } };
        Object.assign(config.aws as object, {
          network: { create: {} },
          vpcEndpoints: { ssm: true, sns: true },
        });
      }),
    );

    expect(problems).toEqual([
      expect.stringMatching(/^aws\.vpcEndpoints\.timestreamIngestCell: is required/),
    ]);
  });

  it('rejects an SNS endpoint when no site releases licenses', () => {
    const problems = deployProblems(
      configWith((config) => {
        delete config.sites[0]?.licenseRelease;
        (config.aws as Record<string, unknown>).vpcEndpoints = { sns: true };
      }),
    );

    expect(problems).toEqual([
      expect.stringMatching(/^aws\.vpcEndpoints\.sns: only applies when a site has licenseRelease/),
    ]);
  });

  it('rejects a Timestream endpoint when Timestream is off', () => {
    const problems = deployProblems(
      configWith((config) => {
        (config.aws as Record<string, unknown>).vpcEndpoints = { timestreamIngestCell: 'cell1' };
      }),
    );

    expect(problems).toEqual([
      expect.stringMatching(/^aws\.vpcEndpoints\.timestreamIngestCell: only applies when/),
    ]);
  });

  it.each([
    [
      'an unknown key',
      (aws: Record<string, unknown>) => {
        aws.vpcEndpoint = { ssm: true };
      },
      /^aws\.vpcEndpoint: unknown key \(did you mean "vpcEndpoints"\?\)$/,
    ],
    [
      'a malformed subnet id',
      (aws: Record<string, unknown>) => {
        aws.network = {
          vpcId: 'vpc-0a1b2c3d',
          subnets: [{ id: 'sub-1', availabilityZone: 'eu-north-1a' }],
        };
      },
      /^aws\.network\.subnets\[0\]\.id: must be a subnet id/,
    ],
    [
      'an existing VPC and create together',
      (aws: Record<string, unknown>) => {
        (aws.network as Record<string, unknown>).create = true;
      },
      /^aws\.network\.create: use either vpcId \+ subnets/,
    ],
    [
      'a network without a VPC',
      (aws: Record<string, unknown>) => {
        aws.network = {};
      },
      /^aws\.network: must name an existing VPC/,
    ],
    [
      'a log retention CloudWatch does not offer',
      (aws: Record<string, unknown>) => {
        aws.logRetentionDays = 100;
      },
      /^aws\.logRetentionDays: must be one of 1, 3, 5/,
    ],
    [
      'an alarm e-mail that is not one',
      (aws: Record<string, unknown>) => {
        aws.alarms = { emails: ['qlik-admins'] };
      },
      /^aws\.alarms\.emails\[0\]: must be an e-mail address$/,
    ],
    [
      'a KMS alias instead of a key ARN',
      (aws: Record<string, unknown>) => {
        aws.certificatesKmsKeyArn = 'alias/license-steward';
      },
      /^aws\.certificatesKmsKeyArn: must be a KMS key ARN/,
    ],
  ])('rejects %s with the key named', (_what, edit, expected) => {
    const problems = deployProblems(
      configWith((config) => edit(config.aws as Record<string, unknown>)),
    );

    expect(problems).toEqual([expect.stringMatching(expected)]);
  });

  it('rejects a qrsCidr that is not an IPv4 CIDR', () => {
    const problems = deployProblems(
      configWith((config) => {
        (config.sites[1] as Record<string, unknown>).aws = { qrsCidr: 'qlik-lab' };
      }),
    );

    expect(problems).toEqual(['sites[1].aws.qrsCidr: must be an IPv4 CIDR such as 10.1.2.3/32']);
  });
});
