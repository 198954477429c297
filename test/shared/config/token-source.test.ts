/**
 * A token or password source whose name is the secret itself (pasted into `file`, `ssmParameter`
 * or `env`) is refused without echoing it: error messages name their source, so the secret would
 * otherwise reach logs, the release report and the run ledger.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '#shared/config/errors.ts';
import { parseConfig } from '#shared/config/load.ts';

const TOKEN = 'apiv3_Zx9QmT4wLr7Kp2VnB8sYc1HdF6gJ3aE5uR0oXiW';
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

function problemsOf(token: Record<string, string>): string[] {
  const influxdb = {
    enable: true,
    version: 3,
    url: 'https://influxdb.corp.example.com:8086',
    database: 'licenses',
    token,
  };
  try {
    parseConfig(stringify({ sites: [SITE], destinations: { influxdb } }), '/etc/ls/config.yaml');
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('token sources', () => {
  it.each([
    ['file', 'file path'],
    ['ssmParameter', 'parameter name'],
    ['env', 'variable name'],
  ])('refuses the token pasted as %s, naming the key and not the value', (key, what) => {
    const problems = problemsOf({ [key]: TOKEN });

    expect(problems).toEqual([
      `destinations.influxdb.token.${key}: looks like the secret itself, not a ${what}: store the secret there and name it here (the value is not shown)`,
    ]);
    expect(problems.join('\n')).not.toContain(TOKEN);
  });

  it.each([
    [{ file: './secrets/influxdb-token.txt' }],
    [{ ssmParameter: '/license-steward/prod/influxdb-token' }],
    [{ env: 'LICENSE_STEWARD_INFLUXDB_PASSWORD' }],
    [{ env: 'INFLUX_TOKEN' }],
  ])('accepts real names: %j', (token) => {
    expect(problemsOf(token)).toEqual([]);
  });
});
