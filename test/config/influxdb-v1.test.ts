/**
 * `destinations.influxdb` with `version: 1` (InfluxDB 1.x, Butler's default): the keys the
 * configuration accepts (database, retentionPolicy, username + password), and the mistakes.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '#shared/config/errors.ts';
import { parseConfig } from '#shared/config/load.ts';
import { configWith, deployProblems } from '../infra/helpers.ts';

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

const V1 = {
  enable: true,
  version: 1,
  url: 'https://influxdb.corp.example.com:8086',
  database: 'butler',
};

function problemsOf(influxdb: Record<string, unknown>): string[] {
  try {
    parseConfig(stringify({ sites: [SITE], destinations: { influxdb } }), '/etc/ls/config.yaml');
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('destinations.influxdb version 1', () => {
  it('accepts a database alone (no login) and a login with a password source', () => {
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

  it.each([
    [
      'no database',
      { ...V1, database: undefined },
      'destinations.influxdb.database: is required for InfluxDB 1 (version: 1)',
    ],
    [
      'a user name without a password',
      { ...V1, username: 'butler' },
      'destinations.influxdb.password: is required with username ({ ssmParameter: NAME } to deploy)',
    ],
    [
      'a password given as text',
      { ...V1, username: 'b', password: 'secret' },
      'destinations.influxdb.password: must be { ssmParameter: NAME }, { file: PATH } or { env: VARIABLE }',
    ],
    [
      'a token',
      { ...V1, token: { env: 'T' } },
      'destinations.influxdb.token: is for versions 2 and 3: InfluxDB 1 writes to a database (database, retentionPolicy) with username and password, or without authentication',
    ],
    [
      'a bucket',
      { ...V1, bucket: 'b' },
      'destinations.influxdb.bucket: is for version 2: InfluxDB 1 writes to a database (database, retentionPolicy) with username and password, or without authentication',
    ],
  ])('names the key: %s', (_what, influxdb, problem) => {
    expect(problemsOf(influxdb)).toEqual([problem]);
  });

  it('refuses the version 1 keys for version 2', () => {
    expect(
      problemsOf({
        enable: true,
        version: 2,
        url: 'https://influxdb.corp.example.com:8086',
        org: 'o',
        bucket: 'b',
        token: { env: 'T' },
        username: 'u',
      }),
    ).toEqual([
      'destinations.influxdb.username: is for version 1: InfluxDB 2 writes to org + bucket',
    ]);
  });
});

describe('destinations.influxdb version 1 at deployment', () => {
  it('deploys with the password in SSM, and refuses one from the environment', () => {
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
});
