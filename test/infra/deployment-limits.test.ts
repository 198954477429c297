/**
 * Synth refuses deployments that would run but cannot work (function timeouts too short for one
 * worst-case QRS request plus the sinks, release schedules more frequent than a run may take) and
 * warns about schedules daylight saving skips or repeats. Every message names the key.
 */
import { describe, expect, it } from 'vitest';
import { intervalSeconds } from '../../infra/deployment-limits.ts';
import { configWith, deploymentOf, deployProblems } from './helpers.ts';

const functions = (config: { aws?: Record<string, unknown> }, value: unknown) => {
  (config.aws as Record<string, unknown>).functions = value;
};

describe('function timeouts', () => {
  it('accept the defaults (monitor 240 s, release 600 s with QRS 30 s × 4 attempts)', () => {
    expect(deployProblems(configWith(() => {}))).toEqual([]);
  });

  it('refuse a release timeout shorter than one worst-case QRS request plus a DELETE and the sinks', () => {
    // 30 s × 4 + 1.4 s backoff = 121.4 s, plus 30 s for a DELETE and 20 s for the sinks.
    const problems = deployProblems(
      configWith((config) => functions(config, { release: { timeoutSeconds: 120 } })),
    );

    expect(problems).toEqual([
      expect.stringMatching(
        /^aws\.functions\.release\.timeoutSeconds: 120 s cannot fit one worst-case QRS request of site prod \(sites\[0\]\.qrs: timeoutSeconds 30 × \(maxRetries 3 \+ 1\) plus backoff = 121\.4 s\).*set it to at least 172/,
      ),
    ]);
  });

  it('refuse a monitor timeout that cannot fit a reading plus the sinks, per site', () => {
    const problems = deployProblems(
      configWith((config) => {
        functions(config, { monitor: { timeoutSeconds: 100 } });
        (config.sites[1]?.qrs as Record<string, unknown>).timeoutSeconds = 10;
      }),
    );

    // lab: 10 s × 4 + 1.4 s + 20 s = 61.4 s fits; prod does not.
    expect(problems).toEqual([
      expect.stringMatching(
        /^aws\.functions\.monitor\.timeoutSeconds: 100 s cannot fit .* site prod .* plus 20 s for the sinks: set it to at least 142/,
      ),
    ]);
  });

  it('count an enabled InfluxDB write at its worst in the sinks', () => {
    const problems = deployProblems(
      configWith((config) => {
        config.destinations = {
          influxdb: {
            enable: true,
            url: 'https://10.40.0.9:8086',
            org: 'qlik',
            bucket: 'licenses',
            token: { ssmParameter: '/license-steward/influxdb-token' },
          },
        };
        functions(config, { monitor: { timeoutSeconds: 150 } });
      }),
    );

    // 121.4 s + 20 s + InfluxDB 10 s × 4 + 3.5 s backoff = 184.9 s, for both sites.
    expect(problems).toEqual([
      expect.stringMatching(
        /^aws\.functions\.monitor\.timeoutSeconds: 150 s .* site prod .*plus 63\.5 s for the sinks: set it to at least 185/,
      ),
      expect.stringMatching(/^aws\.functions\.monitor\.timeoutSeconds: 150 s .* site lab .*185/),
    ]);
  });

  it('accept the defaults with InfluxDB on (its worst-case write counted in the sinks)', () => {
    const problems = deployProblems(
      configWith((config) => {
        config.destinations = {
          influxdb: {
            enable: true,
            url: 'https://10.40.0.9:8086',
            org: 'qlik',
            bucket: 'licenses',
            token: { ssmParameter: '/license-steward/influxdb-token' },
          },
        };
      }),
    );

    expect(problems).toEqual([]);
  });

  it('name the QRS settings when even Lambda’s 900 s cannot fit them', () => {
    const problems = deployProblems(
      configWith((config) => {
        Object.assign(config.sites[0]?.qrs as object, { timeoutSeconds: 300, maxRetries: 3 });
      }),
    );

    expect(problems).toEqual([
      expect.stringMatching(
        /^sites\[0\]\.qrs\.timeoutSeconds: .*needs \d+ s, more than Lambda's 900 s: lower qrs\.timeoutSeconds or qrs\.maxRetries/,
      ),
      expect.stringMatching(/^sites\[0\]\.qrs\.timeoutSeconds: .*more than Lambda's 900 s/),
    ]);
  });
});

describe('release schedule frequency', () => {
  it.each([
    ['rate(5 minutes)', 'fires every 5 minutes'],
    ['cron(0/5 * * * ? *)', 'fires every 5 minutes'],
  ])('refuses %s with the default 600 s release timeout', (schedule, message) => {
    const problems = deployProblems(
      configWith((config) => {
        (config.sites[0]?.licenseRelease as Record<string, unknown>).schedule = schedule;
      }),
    );

    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^sites\\[0\\]\\.licenseRelease\\.schedule: .*${message}, less than a release run may take \\(aws\\.functions\\.release\\.timeoutSeconds: 600 s\\)`,
        ),
      ),
    ]);
  });

  it.each([
    ['rate(15 minutes)', 900],
    ['rate(2 hours)', 7200],
    ['cron(0 4,16 * * ? *)', 12 * 3600],
    ['cron(0 4 * * ? *)', undefined],
    ['at(2027-01-01T04:00:00)', undefined],
  ])('measures the interval of %s', (schedule, seconds) => {
    expect(intervalSeconds(schedule)).toBe(seconds);
  });
});

describe('daylight saving warnings at synth', () => {
  it('warns for a 02:30 Europe/Stockholm release and deploys it anyway', () => {
    const deployment = deploymentOf(
      configWith((config) => {
        (config.sites[0]?.licenseRelease as Record<string, unknown>).schedule =
          'cron(30 2 * * ? *)';
      }),
    );

    // In date order from today: which of the two comes first depends on the day the test runs.
    expect([...deployment.warnings].sort()).toEqual([
      expect.stringMatching(
        /^sites\[0\]\.licenseRelease\.schedule: cron\(30 2 \* \* \? \*\) fires at 02:30, which does not exist in Europe\/Stockholm .*skips that run/,
      ),
      expect.stringMatching(
        /^sites\[0\]\.licenseRelease\.schedule: .*happens twice in Europe\/Stockholm .*runs it only once/,
      ),
    ]);
  });

  it('has no warning for the default 04:00', () => {
    expect(deploymentOf().warnings).toEqual([]);
  });
});

describe('release function memory for the expected site size', () => {
  const expecting = (site: number, allocations: number, memoryMb?: number) =>
    configWith((config) => {
      const entry = config.sites[site] as Record<string, unknown>;
      entry.aws = { ...(entry.aws as object), expectedAllocations: allocations };
      if (memoryMb !== undefined) functions(config, { release: { memoryMb } });
    });

  it('warns when 1,000,000 allocations would not fit the default 512 MB, and deploys anyway', () => {
    const deployment = deploymentOf(expecting(0, 1_000_000));

    expect(deployment.warnings).toEqual([
      expect.stringMatching(
        /^sites\[0\]\.aws\.expectedAllocations: a site of 1,000,000 allocations needs about 1600 MB in the release function, but aws\.functions\.release\.memoryMb is 512: raise it to at least 1600 \(docs\/deploy\.md, "Memory per site size"\)/,
      ),
    ]);
  });

  it('is quiet when the memory holds the site: 200,000 in 512 MB, 1,000,000 in 1600 MB', () => {
    expect(deploymentOf(expecting(0, 200_000)).warnings).toEqual([]);
    expect(deploymentOf(expecting(0, 1_000_000, 1600)).warnings).toEqual([]);
  });

  it('is quiet for a site that does not release (the monitor reads no allocation list)', () => {
    expect(deploymentOf(expecting(1, 1_000_000)).warnings).toEqual([]);
  });

  it('refuses an expected size that is not a whole number of at least 1', () => {
    expect(deployProblems(expecting(0, 0))).toEqual([
      expect.stringMatching(/^sites\[0\]\.aws\.expectedAllocations: /),
    ]);
  });
});
