/**
 * `destinations.influxdb`: defaults, every mistake reported with its key, the token sources
 * (SSM, file, environment), and the deployment checks `cdk synth` adds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '#shared/config/errors.ts';
import { parseConfig } from '#shared/config/load.ts';
import type { InfluxDbConfig } from '#shared/config/schema.ts';
import { INFLUX_RESERVED_TAG_NAMES } from '#shared/names.ts';
import { SsmReader } from '#shared/secrets/ssm-reader.ts';
import { influxDbWriterFromConfig, TOKEN_CACHE_MS } from '#shared/sinks/influxdb/from-config.ts';
import { releasePoints } from '#shared/sinks/influxdb/release.ts';
import { usagePoints } from '#shared/sinks/influxdb/usage.ts';
import { configWith, deployProblems } from '#test/infra/helpers.ts';
import { startInfluxServer } from '#test/support/influx-server.ts';

const SOURCE = '/etc/license-steward/config.yaml';

const SITE = {
  name: 'prod',
  qrs: {
    host: 'qlik.corp.example.com',
    certificates: {
      cert: { file: 'client.pem' },
      key: { file: 'client_key.pem' },
      ca: { file: 'root.pem' },
    },
  },
};

function parse(influxdb: Record<string, unknown> | undefined, tags?: unknown) {
  return parseConfig(
    stringify({
      sites: [SITE],
      destinations: {
        ...(influxdb === undefined ? {} : { influxdb }),
        ...(tags === undefined ? {} : { tags }),
      },
    }),
    SOURCE,
  );
}

function problemsOf(influxdb: Record<string, unknown>, tags?: unknown): string[] {
  try {
    parse(influxdb, tags);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const V2 = {
  enable: true,
  url: 'https://influxdb.corp.example.com:8086',
  org: 'qlik',
  bucket: 'butler',
  token: { ssmParameter: '/license-steward/influxdb-token' },
};

describe('destinations.influxdb: configuration', () => {
  it('is off by default, with the documented defaults', () => {
    // Act
    const config = parse(undefined);

    // Assess
    expect(config.destinations.influxdb).toEqual({
      enable: false,
      version: 2,
      tags: [],
      timeoutSeconds: 10,
      batchSize: 5000,
      maxRetries: 3,
      gzip: false,
    });
  });

  it('accepts InfluxDB 2 (org + bucket) and InfluxDB 3 (database), normalising the URL', () => {
    // Act
    const v2 = parse({ ...V2, url: 'https://influxdb.corp.example.com:8086/' });
    const v3 = parse({
      enable: true,
      version: 3,
      url: 'https://db-abc.timestream-influxdb.eu-north-1.on.aws:8181',
      database: 'qlik',
      token: { env: 'INFLUX_TOKEN' },
    });

    // Assess
    expect(v2.destinations.influxdb).toMatchObject({
      url: 'https://influxdb.corp.example.com:8086',
      version: 2,
    });
    expect(v3.destinations.influxdb).toMatchObject({ version: 3, database: 'qlik' });
  });

  it.each([
    [
      'bucket missing for v2',
      { ...V2, bucket: undefined },
      'destinations.influxdb.bucket: is required for InfluxDB 2 (version: 2)',
    ],
    [
      'org missing for v2',
      { ...V2, org: undefined },
      'destinations.influxdb.org: is required for InfluxDB 2 (version: 2)',
    ],
    [
      'database missing for v3',
      { ...V2, version: 3, org: undefined, bucket: undefined },
      'destinations.influxdb.database: is required for InfluxDB 3 (version: 3)',
    ],
    [
      'a bucket with v3',
      { ...V2, version: 3, database: 'qlik', org: undefined },
      'destinations.influxdb.bucket: is for version 2: InfluxDB 3 writes to a database (database: NAME)',
    ],
    [
      'a database with v2',
      { ...V2, database: 'qlik' },
      'destinations.influxdb.database: is for versions 1 and 3: InfluxDB 2 writes to org + bucket',
    ],
    [
      'no url',
      { ...V2, url: undefined },
      'destinations.influxdb.url: is required when enable is true',
    ],
    [
      'no token',
      { ...V2, token: undefined },
      'destinations.influxdb.token: is required when enable is true ({ ssmParameter: NAME } to deploy)',
    ],
    [
      'plain http to another host',
      { ...V2, url: 'http://influxdb.corp.example.com:8086' },
      'destinations.influxdb.url: must use https:// (plain http:// only to localhost)',
    ],
    [
      'the write path in the URL',
      { ...V2, url: 'https://influxdb.corp.example.com:8086/api/v2/write' },
      "destinations.influxdb.url: must be the server's base URL, without /api/... (e.g. https://influxdb.example.com:8086)",
    ],
    [
      'credentials in the URL',
      { ...V2, url: 'https://admin:secret@influxdb.corp.example.com' },
      'destinations.influxdb.url: must not hold a user name or password (use the token, or username and password for version 1)',
    ],
    [
      'a version that does not exist',
      { ...V2, version: 4 },
      'destinations.influxdb.version: must be 1, 2 or 3',
    ],
    [
      'a token given as text',
      { ...V2, token: 'my-token' },
      'destinations.influxdb.token: must be { ssmParameter: NAME }, { file: PATH } or { env: VARIABLE }',
    ],
    ['an unknown key', { ...V2, user: 'x' }, 'destinations.influxdb.user: unknown key'],
    [
      'a batch size of 0',
      { ...V2, batchSize: 0 },
      'destinations.influxdb.batchSize: Too small: expected number to be >=1',
    ],
    [
      'a tag that collides with a field',
      { ...V2, tags: [{ name: 'total', value: 'x' }] },
      'destinations.influxdb.tags[0].name: "total" is a tag or field the InfluxDB destination writes itself',
    ],
    [
      'a tag InfluxDB reserves',
      { ...V2, tags: [{ name: '_measurement', value: 'x' }] },
      'destinations.influxdb.tags[0].name: must be letters, digits, _ . - (starting with a letter)',
    ],
  ])('names the key: %s', (_what, influxdb, problem) => {
    expect(problemsOf(influxdb)).toEqual([problem]);
  });

  it('accepts plain http to localhost (a local InfluxDB)', () => {
    expect(problemsOf({ ...V2, url: 'http://localhost:8086' })).toEqual([]);
  });

  it('refuses a destinations.tags name the InfluxDB destination writes, only while it is on', () => {
    // Act / Assess
    expect(problemsOf(V2, [{ name: 'user', value: 'x' }])).toEqual([
      'destinations.tags[0].name: "user" is a tag or field the InfluxDB destination writes itself: rename it',
    ]);
    expect(problemsOf({ ...V2, enable: false }, [{ name: 'user', value: 'x' }])).toEqual([]);
  });

  it('reserves every tag and field name the points carry', () => {
    // Prepare
    const snapshotNames = usagePoints({
      site: 's',
      collectedAt: '2026-03-01T00:00:00.000Z',
      professional: {
        enabled: true,
        total: 1,
        allocated: 1,
        used: 1,
        quarantined: 0,
        excess: 0,
        available: 0,
      },
      analyzer: null,
      analyzerCapacity: {
        enabled: true,
        allocatedMinutes: 1,
        usedMinutes: 1,
        unavailableMinutes: 0,
      },
      tokens: {
        enabled: true,
        total: 1,
        available: 1,
        userAccess: { tokenCost: 1, allocatedTokens: 1, usedTokens: 1, quarantinedTokens: 0 },
        loginAccess: { tokenCost: 0.1, allocatedTokens: 1, usedTokens: 1, unavailableTokens: 0 },
      },
      license: {
        model: 'lef',
        expiresAt: '2027-01-01T00:00:00.000Z',
        daysUntilExpiry: 300,
        licensed: { professional: 1, analyzer: 1, tokens: 1 },
        problem: null,
      },
    });
    const item = {
      accessTypeId: 'a',
      licenseType: 'professional' as const,
      userDirectory: 'D',
      userId: 'u',
      lastActivity: '2025-01-01T00:00:00.000Z',
      inactiveDays: 3,
    };
    const releaseNames = releasePoints({
      runId: 'r',
      licenseTypes: ['professional'],
      events: [
        { action: 'released', item, at: new Date() },
        { action: 'failed', item, at: new Date(), error: 'x' },
      ],
      result: {
        site: 's',
        dryRun: false,
        evaluatedAt: '',
        candidates: [],
        kept: [],
        released: [],
        failed: [],
        deferred: [],
        sinkErrors: [],
      },
    });

    // Act
    const names = [...snapshotNames, ...releaseNames].flatMap((point) => [
      ...Object.keys(point.tags),
      ...point.fields.map(([name]) => name),
    ]);

    // Assess
    for (const name of new Set(names)) expect(INFLUX_RESERVED_TAG_NAMES).toContain(name);
  });

  it('resolves a relative token file against the config file folder', () => {
    // Act
    const config = parse({ ...V2, token: { file: 'secrets/influx-token' } });

    // Assess
    expect(config.destinations.influxdb.token).toEqual({
      file: '/etc/license-steward/secrets/influx-token',
    });
  });
});

describe('destinations.influxdb: the token sources', () => {
  const ssm = mockClient(SSMClient);
  const dir = mkdtempSync(path.join(tmpdir(), 'license-steward-influx-'));
  afterAll(() => {
    ssm.restore();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => ssm.reset());

  async function writeWith(
    config: Partial<InfluxDbConfig>,
    options: Parameters<typeof influxDbWriterFromConfig>[1] = {},
  ) {
    const server = await startInfluxServer({ token: 'the-real-token-123', org: 'o', bucket: 'b' });
    try {
      const writer = influxDbWriterFromConfig(
        {
          ...parse({ ...V2, url: server.url, org: 'o', bucket: 'b' }).destinations.influxdb,
          ...config,
        },
        options,
      );
      await writer.write(['m,site=s v=1 1772366400000']);
      writer.close();
      return server.requests.map((request) => request.headers.authorization);
    } finally {
      await server.close();
    }
  }

  it('reads the token from a file (trimmed) or an environment variable', async () => {
    // Prepare
    const file = path.join(dir, 'token');
    writeFileSync(file, 'the-real-token-123\n', { mode: 0o600 });

    // Act / Assess
    expect(await writeWith({ token: { file } })).toEqual(['Token the-real-token-123']);
    expect(
      await writeWith(
        { token: { env: 'INFLUX_TOKEN' } },
        { env: { INFLUX_TOKEN: 'the-real-token-123' } },
      ),
    ).toEqual(['Token the-real-token-123']);
  });

  it('names a missing file or variable, never a value', async () => {
    // Act / Assess
    await expect(writeWith({ token: { file: path.join(dir, 'nope') } })).rejects.toThrow(
      `cannot read the InfluxDB token (destinations.influxdb.token) file ${path.join(dir, 'nope')} (ENOENT)`,
    );
    await expect(writeWith({ token: { env: 'INFLUX_TOKEN' } }, { env: {} })).rejects.toThrow(
      'the InfluxDB token (destinations.influxdb.token) environment variable INFLUX_TOKEN is not set',
    );
  });

  it('never prints a pasted password as a variable name or path; says what was expected', async () => {
    // Act
    const fromEnv = (await writeWith({ token: { env: 'Summer2026' } }, { env: {} }).catch(
      (caught: unknown) => caught,
    )) as Error;
    const fromFile = (await writeWith({ token: { file: path.join(dir, 'Summer2026!') } }).catch(
      (caught: unknown) => caught,
    )) as Error;

    // Assess
    for (const error of [fromEnv, fromFile]) {
      expect(error.message).not.toContain('Summer2026');
      expect(error.message).toContain('was the secret itself pasted there?');
    }
    expect(fromEnv.message).toContain('does not look like a variable name such as INFLUX_TOKEN');
    expect(fromFile.message).toContain('does not look like a file path such as');
  });

  it('refuses a token file that holds more than a token, without echoing it', async () => {
    // Prepare
    const file = path.join(dir, 'env-file');
    writeFileSync(file, 'INFLUX_TOKEN=abc def\n');

    // Act
    const error = (await writeWith({ token: { file } }).catch(
      (caught: unknown) => caught,
    )) as Error;

    // Assess
    expect(error.message).toBe(
      `the InfluxDB token (file ${file}) holds spaces or characters an HTTP header cannot carry: it should be the API token alone`,
    );
  });

  it('keeps an SSM token for 15 minutes, then reads it again', async () => {
    // Prepare
    ssm.on(GetParametersCommand).resolves({
      Parameters: [{ Name: '/license-steward/influxdb-token', Value: 'the-real-token-123' }],
      InvalidParameters: [],
    });
    let now = 1_000_000;
    const server = await startInfluxServer({ token: 'the-real-token-123', org: 'o', bucket: 'b' });
    const writer = influxDbWriterFromConfig(
      parse({ ...V2, url: server.url, org: 'o', bucket: 'b' }).destinations.influxdb,
      {
        ssm: new SsmReader(() => new SSMClient({ region: 'eu-north-1' }), {
          cacheMs: TOKEN_CACHE_MS,
          now: () => now,
        }),
      },
    );

    try {
      // Act
      await writer.write(['m v=1 1772366400000']);
      now += TOKEN_CACHE_MS - 1;
      await writer.write(['m v=2 1772366400001']);
      now += 2;
      await writer.write(['m v=3 1772366400002']);

      // Assess
      expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(2);
      expect(ssm.commandCalls(GetParametersCommand)[0]?.args[0].input).toEqual({
        Names: ['/license-steward/influxdb-token'],
        WithDecryption: true,
      });
      expect(server.points).toHaveLength(3);
    } finally {
      writer.close();
      await server.close();
    }
  });
});

describe('destinations.influxdb: deploying', () => {
  const enable = (influxdb: Record<string, unknown>, aws: Record<string, unknown> = {}) =>
    configWith((config) => {
      config.destinations = { influxdb: { ...V2, ...influxdb } };
      Object.assign(config.aws as object, aws);
    });

  it('deploys with an SSM token and the InfluxDB address', () => {
    expect(deployProblems(enable({}, { influxdbCidr: '10.40.0.0/24' }))).toEqual([]);
    expect(deployProblems(enable({ url: 'https://10.40.0.17:8086' }))).toEqual([]);
  });

  it('names the key of a token or CA the functions cannot read, and of a missing address', () => {
    // Act
    const problems = deployProblems(
      enable({ token: { env: 'INFLUX_TOKEN' }, ca: { file: '/etc/ssl/corp-ca.pem' } }),
    );

    // Assess
    expect(problems).toEqual([
      'destinations.influxdb.token: is { env: ... }, but the Lambda functions read it from SSM: use { ssmParameter: NAME } and store it as a SecureString parameter (aws ssm put-parameter --type SecureString)',
      'destinations.influxdb.ca: is { file: ... }, but the Lambda functions read it from SSM: use { ssmParameter: NAME } and store it as a SecureString parameter (aws ssm put-parameter --type SecureString)',
      'aws.influxdbCidr: is required because destinations.influxdb.url ("https://influxdb.corp.example.com:8086") names a host: the security group egress rule needs the InfluxDB address, e.g. the CIDR of the subnets of a private Timestream for InfluxDB instance (the name must also resolve in the VPC)',
    ]);
  });

  it('refuses plain http and an address for a destination that is off', () => {
    expect(deployProblems(enable({ url: 'http://localhost:8086' }))).toEqual([
      'destinations.influxdb.url: must be https:// to deploy (plain http:// is for a local InfluxDB only)',
      expect.stringMatching(/^aws\.influxdbCidr: is required/),
    ]);
    expect(deployProblems(enable({ enable: false }, { influxdbCidr: '10.40.0.0/24' }))).toEqual([
      'aws.influxdbCidr: only applies when destinations.influxdb.enable is true',
    ]);
  });
});
