/**
 * `destinations.influxdb` with `version: 1` (Butler's default InfluxDB): its keys, every key of
 * another version refused with what to use instead, the password as a secret source, and the
 * deployment: the password read from SSM, a password from a file or the environment refused for
 * the Lambda functions (the grant in the synthesised stack: test/infra/influxdb.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '#shared/config/errors.ts';
import { parseConfig } from '#shared/config/load.ts';
import { influxDbTarget, influxDbWriterFromConfig } from '#shared/sinks/influxdb/from-config.ts';
import { configWith, deploymentOf, deployProblems } from '#test/infra/helpers.ts';

const SOURCE = '/etc/license-steward/config.yaml';
const PASSWORD_PARAMETER = '/license-steward/influxdb-password';

const V1 = {
  enable: true,
  version: 1,
  url: 'https://influxdb.corp.example.com:8086',
  database: 'butler',
};

function parse(influxdb: Record<string, unknown>) {
  return parseConfig(
    stringify({
      sites: [
        {
          name: 'prod',
          qrs: {
            host: 'qlik.corp.example.com',
            certificates: { cert: { file: 'c' }, key: { file: 'k' }, ca: { file: 'r' } },
          },
        },
      ],
      destinations: { influxdb },
    }),
    SOURCE,
  );
}

function problemsOf(influxdb: Record<string, unknown>): string[] {
  try {
    parse(influxdb);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('destinations.influxdb version 1: configuration', () => {
  it('takes a database alone (no authentication), or a retention policy, user and password', () => {
    // Act
    const open = parse(V1).destinations.influxdb;
    const full = parse({
      ...V1,
      retentionPolicy: 'one_year',
      username: 'steward',
      password: { file: 'secrets/influx-password' },
    }).destinations.influxdb;

    // Assess
    expect(influxDbTarget(open)).toEqual({
      url: 'https://influxdb.corp.example.com:8086',
      version: 1,
      database: 'butler',
    });
    expect(influxDbTarget(full)).toEqual({
      url: 'https://influxdb.corp.example.com:8086',
      version: 1,
      database: 'butler',
      retentionPolicy: 'one_year',
    });
    expect(full).toMatchObject({
      username: 'steward',
      // Relative to the configuration file's folder, like the certificates and the token.
      password: { file: '/etc/license-steward/secrets/influx-password' },
    });
  });

  it('accepts a database alone (no login) and a login with a password from the environment', () => {
    expect(problemsOf(V1)).toEqual([]);
    expect(
      problemsOf({
        ...V1,
        retentionPolicy: 'autogen',
        username: 'butler',
        password: { env: 'INFLUX_PASSWORD' },
      }),
    ).toEqual([]);
  });

  const V1_INSTEAD =
    'InfluxDB 1 writes to a database (database, retentionPolicy) with username and password, or without authentication';

  it.each([
    [
      'no database',
      { ...V1, database: undefined },
      ['destinations.influxdb.database: is required for InfluxDB 1 (version: 1)'],
    ],
    [
      'a bucket',
      { ...V1, bucket: 'b' },
      [`destinations.influxdb.bucket: is for version 2: ${V1_INSTEAD}`],
    ],
    [
      'an org and bucket',
      { ...V1, org: 'qlik', bucket: 'butler' },
      [
        `destinations.influxdb.org: is for version 2: ${V1_INSTEAD}`,
        `destinations.influxdb.bucket: is for version 2: ${V1_INSTEAD}`,
      ],
    ],
    [
      'a token',
      { ...V1, token: { env: 'INFLUX_TOKEN' } },
      [`destinations.influxdb.token: is for versions 2 and 3: ${V1_INSTEAD}`],
    ],
    [
      'a user without password',
      { ...V1, username: 'steward' },
      [
        'destinations.influxdb.password: is required with username ({ ssmParameter: NAME } to deploy)',
      ],
    ],
    [
      'a password without user',
      { ...V1, password: { env: 'INFLUX_PASSWORD' } },
      ['destinations.influxdb.username: is required with password'],
    ],
    [
      'a password as text',
      { ...V1, username: 'steward', password: 'secret' },
      [
        'destinations.influxdb.password: must be { ssmParameter: NAME }, { file: PATH } or { env: VARIABLE }',
      ],
    ],
    [
      'a user name with a colon',
      { ...V1, username: 'corp:steward', password: { env: 'P' } },
      ['destinations.influxdb.username: must not contain ":" or spaces'],
    ],
    [
      'v1 keys with version 2',
      {
        enable: true,
        url: 'https://influxdb.corp.example.com:8086',
        org: 'qlik',
        bucket: 'butler',
        token: { env: 'INFLUX_TOKEN' },
        retentionPolicy: 'autogen',
        username: 'steward',
      },
      [
        'destinations.influxdb.retentionPolicy: is for version 1: InfluxDB 2 writes to org + bucket',
        'destinations.influxdb.username: is for version 1: InfluxDB 2 writes to org + bucket',
      ],
    ],
    [
      'a user name with version 2',
      {
        enable: true,
        version: 2,
        url: 'https://influxdb.corp.example.com:8086',
        org: 'o',
        bucket: 'b',
        token: { env: 'T' },
        username: 'u',
      },
      ['destinations.influxdb.username: is for version 1: InfluxDB 2 writes to org + bucket'],
    ],
    [
      'a password with version 3',
      {
        enable: true,
        version: 3,
        url: 'https://influxdb.corp.example.com:8181',
        database: 'qlik',
        token: { env: 'INFLUX_TOKEN' },
        password: { env: 'INFLUX_PASSWORD' },
      },
      [
        'destinations.influxdb.password: is for version 1: InfluxDB 3 writes to a database (database: NAME)',
      ],
    ],
  ])('names the key: %s', (_what, influxdb, problems) => {
    expect(problemsOf(influxdb)).toEqual(problems);
  });
});

describe('destinations.influxdb version 1: the password', () => {
  it('refuses an empty password file or one with more than one line, without echoing it', async () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'license-steward-password-'));
    const empty = path.join(dir, 'empty');
    const twoLines = path.join(dir, 'two-lines');
    writeFileSync(empty, '\n');
    writeFileSync(twoLines, 'first-secret-line\nsecond\n');
    const failure = (file: string) =>
      influxDbWriterFromConfig(
        parse({ ...V1, username: 'steward', password: { file } }).destinations.influxdb,
      )
        .write(['m v=1 1772366400000'])
        .then(
          () => 'written',
          (error: unknown) => (error as Error).message,
        );

    try {
      // Act / Assess: refused before any request is made.
      expect(await failure(empty)).toBe(`the InfluxDB password (file ${empty}) is empty`);
      const message = await failure(twoLines);
      expect(message).toBe(
        `the InfluxDB password (file ${twoLines}) holds a line break: it should be the password alone`,
      );
      expect(message).not.toContain('first-secret-line');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('destinations.influxdb version 1: deploying', () => {
  const withV1 = (influxdb: Record<string, unknown>) =>
    configWith((config) => {
      config.destinations = { influxdb: { ...V1, ...influxdb } };
      Object.assign(config.aws as object, { influxdbCidr: '10.40.0.0/24' });
    });

  it('deploys an IP address URL (no influxdbCidr) with the password in SSM, not from the environment', () => {
    // Prepare
    const withPassword = (password: Record<string, string>) =>
      configWith((c) => {
        c.destinations = {
          influxdb: { ...V1, url: 'https://10.40.0.17:8086', username: 'butler', password },
        };
      });

    // Act / Assess
    expect(
      deployProblems(withPassword({ ssmParameter: '/license-steward/influx-password' })),
    ).toEqual([]);
    expect(deployProblems(withPassword({ env: 'INFLUX_PASSWORD' }))).not.toEqual([]);
  });

  it('reads the password from SSM, or nothing without authentication', () => {
    expect(
      deploymentOf(withV1({ username: 'steward', password: { ssmParameter: PASSWORD_PARAMETER } }))
        .influxdb?.parameters,
    ).toEqual([PASSWORD_PARAMETER]);
    expect(deploymentOf(withV1({})).influxdb?.parameters).toEqual([]);
  });

  it('refuses a password the functions cannot read', () => {
    expect(deployProblems(withV1({ username: 'steward', password: { env: 'P' } }))).toEqual([
      'destinations.influxdb.password: is { env: ... }, but the Lambda functions read it from SSM: use { ssmParameter: NAME } and store it as a SecureString parameter (aws ssm put-parameter --type SecureString)',
    ]);
  });
});
