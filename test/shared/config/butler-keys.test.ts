/**
 * Butler's blocks pasted into a license-steward file: `frequency` is read as `schedule` with a
 * notice; keys that only Butler has are errors that say where the setting lives here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/config/errors.ts';
import { parseConfig } from '#shared/config/load.ts';
import { runCliCaptured } from '#test/support/cli.ts';

const SITE = `sites:
  - name: prod
    qrs:
      host: qlik.corp.example.com
      certificates:
        cert: { file: client.pem }
        key: { file: client_key.pem }
        ca: { file: root.pem }
`;

/** Butler's licenseRelease block as its users have it, indented under the site. */
const PASTED_RELEASE = `    licenseRelease:
      enable: true
      dryRun: true
      frequency: every 6 hours
      neverRelease:
        user:
          - userDir: 'INTERNAL'
            userId: 'sa_repository'
        tag:
          - License do not release
        customProperty:
          - name: LicenseManage
            value: do-not-release
        userDirectory:
          - INTERNAL
        inactive: ignore
        blocked: ignore
        removedExternally: ignore
      licenseType:
        analyzer:
          enable: true
          releaseThresholdDays: 30
        professional:
          enable: true
          releaseThresholdDays: 30
`;

const DESTINATION = `      destination:
        influxDb:
          enable: true
          tag:
            static:
              - name: foo
                value: bar
`;

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'config.yaml');
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const folder = mkdtempSync(path.join(tmpdir(), 'license-steward-paste-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('a pasted Butler block', () => {
  it('reads frequency as schedule, with a notice naming the license-steward key', () => {
    // Prepare
    const notices: string[] = [];

    // Act
    const config = parseConfig(`${SITE}${PASTED_RELEASE}`, 'config.yaml', {
      onNotice: (text) => notices.push(text),
    });

    // Assess
    const release = config.sites[0]?.licenseRelease;
    expect(release?.schedule).toBe('rate(6 hours)');
    expect(release?.neverRelease.inactive).toBe('Ignore');
    expect(notices).toEqual([
      "sites[0].licenseRelease.frequency: Butler's key, read as `schedule` (the license-steward name; rename it to silence this notice)",
    ]);
  });

  it('reads licenseMonitor.frequency too', () => {
    const config = parseConfig(
      `${SITE}    licenseMonitor:\n      enable: true\n      frequency: every 30 minutes\n`,
      'config.yaml',
    );
    expect(config.sites[0]?.licenseMonitor.schedule).toBe('rate(30 minutes)');
  });

  it('refuses frequency next to schedule', () => {
    expect(problemsOf(`${SITE}${PASTED_RELEASE}      schedule: rate(1 day)\n`)).toEqual([
      "sites[0].licenseRelease.frequency: is Butler's name for `schedule`, and `schedule` is set too: keep only `schedule`",
    ]);
  });

  it('explains destination: the top-level destinations key, and import-butler', () => {
    // Act
    const problems = problemsOf(`${SITE}${PASTED_RELEASE}${DESTINATION}`);

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^sites\[0\]\.licenseRelease\.destination: is Butler's per-job destination: .*top-level `destinations` key/,
    );
    expect(problems[0]).toMatch(/license-steward import-butler --butler-config FILE/);
    expect(problems[0]).not.toMatch(/unknown key/);
  });

  it('explains serverLicenseMonitor under a site, and a whole Butler file', () => {
    expect(problemsOf(`${SITE}    serverLicenseMonitor:\n      enable: true\n`)).toEqual([
      expect.stringMatching(
        /^sites\[0\]\.serverLicenseMonitor: .*`alarms\.expiryWithinDays`.*import-butler/,
      ),
    ]);
    expect(problemsOf('Butler:\n  configQRS:\n    host: x\n')).toContainEqual(
      expect.stringMatching(/^Butler: this is a Butler config file.*import-butler/),
    );
  });

  it('still reports other unknown keys as before', () => {
    expect(problemsOf(`${SITE}${PASTED_RELEASE}      frequncy: daily\n`)).toEqual([
      'sites[0].licenseRelease.frequncy: unknown key',
    ]);
  });

  it('the CLI prints the notice on stderr and runs; destination is exit 2', async () => {
    // Prepare: certificates that cannot be read make the run fail after the config is accepted.
    const pasted = path.join(folder, 'pasted.yaml');
    writeFileSync(pasted, `${SITE}${PASTED_RELEASE}`);
    const withDestination = path.join(folder, 'destination.yaml');
    writeFileSync(withDestination, `${SITE}${PASTED_RELEASE}${DESTINATION}`);

    // Act
    const accepted = await runCliCaptured(['release', '--config', pasted, '--dry-run']);
    const refused = await runCliCaptured(['release', '--config', withDestination, '--dry-run']);

    // Assess
    expect(accepted.code).not.toBe(2);
    expect(accepted.stderr).toMatch(
      /notice: sites\[0\]\.licenseRelease\.frequency: Butler's key, read as `schedule`/,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/licenseRelease\.destination: .*`destinations`.*import-butler/);
  });
});
