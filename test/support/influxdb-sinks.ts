/**
 * The sinks of a configuration with only the InfluxDB destination on, built as the Lambda and the
 * CLI build them (the file parsed and validated, then `sinksFromConfig`). For the tests against a
 * real `influxd`.
 */
import { stringify } from 'yaml';
import { parseConfig } from '#shared/config/load.ts';
import { type Sinks, sinksFromConfig } from '#shared/sinks/from-config.ts';

export function influxOnlySinks(options: {
  /** `destinations.influxdb` (with `enable: true`). */
  influxdb: Record<string, unknown>;
  /** `destinations.tags`. */
  tags?: Array<{ name: string; value: string }>;
  site?: string;
  /** Where the config file would be (relative secret files resolve against its folder). */
  configFile?: string;
}): Promise<Sinks> {
  const config = parseConfig(
    stringify({
      sites: [
        {
          name: options.site ?? 'prod',
          qrs: {
            host: 'qlik.corp.example.com',
            certificates: { cert: { file: 'c' }, key: { file: 'k' }, ca: { file: 'r' } },
          },
        },
      ],
      destinations: {
        cloudwatch: { enable: false },
        influxdb: options.influxdb,
        ...(options.tags ? { tags: options.tags } : {}),
      },
    }),
    options.configFile ?? '/etc/license-steward/config.yaml',
  );
  return sinksFromConfig(config.destinations);
}
