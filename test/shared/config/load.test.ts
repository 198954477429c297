import { describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/config/errors.ts';
import { loadConfig, parseConfig } from '#shared/config/load.ts';
import { MAX_YAML_ALIASES, parseYaml } from '#shared/config/yaml-text.ts';

const MINIMAL = `
sites:
  - name: prod
    qrs:
      host: qlik.corp.example.com
      certificates:
        cert: { file: ./certs/client.pem }
        key: { file: ./certs/client_key.pem }
        ca: { file: ./certs/root.pem }
`;

/** The problems a config text produces ([] when valid). */
function problemsOf(text: string): string[] {
  try {
    parseConfig(text, '/etc/license-steward/config.yaml');
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

function withRelease(release: string): string {
  return `${MINIMAL}    licenseRelease:\n${release
    .trim()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n')}\n`;
}

describe('parseConfig', () => {
  it('fills the documented defaults', () => {
    const config = parseConfig(MINIMAL, '/etc/license-steward/config.yaml');
    const site = config.sites[0];
    expect(site?.qrs).toMatchObject({
      port: 4242,
      user: { directory: 'INTERNAL', id: 'sa_api' },
      timeoutSeconds: 30,
    });
    expect(site?.timezone).toBe('UTC');
    expect(site?.licenseMonitor).toEqual({ enable: true, schedule: 'rate(15 minutes)' });
    expect(site?.licenseRelease).toBeUndefined();
    expect(config.destinations.timestream.enable).toBe(false);
    expect(config.destinations.cloudwatch).toEqual({ enable: true, namespace: 'LicenseSteward' });
  });

  it('resolves relative certificate paths against the config file folder', () => {
    const config = parseConfig(MINIMAL, '/etc/license-steward/config.yaml');
    expect(config.sites[0]?.qrs.certificates.cert).toEqual({
      file: '/etc/license-steward/certs/client.pem',
    });
  });

  it("accepts Butler's release block unchanged, with any case for Yes/No/Ignore and YAML booleans", () => {
    const config = parseConfig(
      withRelease(`
enable: true
dryRun: false
neverRelease:
  user:
    - { userDir: INTERNAL, userId: sa_repository }
  tag: [License do not release]
  customProperty:
    - { name: LicenseManage, value: do-not-release }
  userDirectory: [INTERNAL, ADMIN]
  inactive: yes
  blocked: NO
  removedExternally: ignore
licenseType:
  analyzer: { enable: true, releaseThresholdDays: 30 }
  professional: { enable: false, releaseThresholdDays: 60 }
`),
      'c.yaml',
    );
    const release = config.sites[0]?.licenseRelease;
    expect(release?.neverRelease).toMatchObject({
      inactive: 'Yes',
      blocked: 'No',
      removedExternally: 'Ignore',
    });
    expect(release?.maxReleasesPerRun).toBe(50);
    expect(release?.licenseType.professional).toEqual({ enable: false, releaseThresholdDays: 60 });
  });

  it('treats empty and null rule lists as no rules', () => {
    const config = parseConfig(withRelease('neverRelease:\n  tag:\n  user: []\n'), 'c.yaml');
    expect(config.sites[0]?.licenseRelease?.neverRelease).toMatchObject({
      tag: [],
      user: [],
      customProperty: [],
    });
  });

  it("translates Butler's 'every N minutes' schedules", () => {
    const config = parseConfig(
      `${MINIMAL}    licenseMonitor: { schedule: every 30 minutes }\n`,
      'c.yaml',
    );
    expect(config.sites[0]?.licenseMonitor.schedule).toBe('rate(30 minutes)');
  });

  it.each([
    [
      'a typo in a key',
      withRelease('neverRelase: {}'),
      'sites[0].licenseRelease.neverRelase: unknown key',
    ],
    [
      'a wrong type',
      `${MINIMAL}    licenseMonitor: { enable: maybe }\n`,
      'sites[0].licenseMonitor.enable:',
    ],
    [
      'threshold 0',
      withRelease('licenseType: { analyzer: { releaseThresholdDays: 0 } }'),
      'sites[0].licenseRelease.licenseType.analyzer.releaseThresholdDays: must be at least 1 day',
    ],
    [
      'a negative threshold',
      withRelease('licenseType: { professional: { releaseThresholdDays: -5 } }'),
      'releaseThresholdDays: must be at least 1 day',
    ],
    [
      'a fractional threshold',
      withRelease('licenseType: { professional: { releaseThresholdDays: 1.5 } }'),
      'releaseThresholdDays: must be a whole number of days',
    ],
    [
      'a cap of 0',
      withRelease('maxReleasesPerRun: 0'),
      'sites[0].licenseRelease.maxReleasesPerRun: must be at least 1',
    ],
    [
      'a bad schedule',
      `${MINIMAL}    licenseMonitor: { schedule: every fortnight }\n`,
      'sites[0].licenseMonitor.schedule: "every fortnight" is not a schedule',
    ],
    [
      'an unknown time zone',
      `${MINIMAL}    timezone: Europe/Stokholm\n`,
      'sites[0].timezone: is not an IANA time zone name',
    ],
    [
      'a bad flag rule',
      withRelease('neverRelease: { blocked: maybe }'),
      'sites[0].licenseRelease.neverRelease.blocked: must be Yes, No or Ignore',
    ],
    [
      'a missing host',
      MINIMAL.replace('host: qlik.corp.example.com', 'port: 4242'),
      'sites[0].qrs.host: is required',
    ],
    [
      'missing certificates',
      MINIMAL.split('      certificates:')[0] as string,
      'sites[0].qrs.certificates: is required',
    ],
    [
      'a certificate without a source',
      MINIMAL.replace('{ file: ./certs/root.pem }', '{ path: ./x }'),
      'sites[0].qrs.certificates.ca: must be { file: PATH } or { ssmParameter: NAME }',
    ],
    ['no sites', 'sites: []', 'sites: must list at least one site'],
    ['an unknown top-level key', `${MINIMAL}influx: {}\n`, 'influx: unknown key'],
    [
      'a reserved tag name',
      `${MINIMAL}destinations:\n  tags: [{ name: measure_name, value: x }]\n`,
      'destinations.tags[0].name: is reserved',
    ],
    ['invalid YAML', 'sites: [\n', 'YAML'],
  ])('rejects %s, naming the key', (_, text, expected) => {
    expect(problemsOf(text).join('\n')).toContain(expected);
  });

  it('allows a few anchors and aliases (shared blocks)', () => {
    const text = `${MINIMAL.replace('qrs:', 'qrs: &qrs')}  - name: test\n    qrs: *qrs\n`;
    expect(problemsOf(text)).toEqual([]);
  });

  it('allows exactly MAX_YAML_ALIASES alias uses, as the README says, and refuses one more', () => {
    const uses = (count: number) => `a: &a 1\nb: [${Array(count).fill('*a').join(', ')}]\n`;
    expect(parseYaml(uses(MAX_YAML_ALIASES), 'f.yaml')).toMatchObject({ b: expect.any(Array) });
    expect(() => parseYaml(uses(MAX_YAML_ALIASES + 1), 'f.yaml')).toThrow(/too many nodes/);
    expect(MAX_YAML_ALIASES).toBe(50);
  });

  it.each([
    [
      'an alias bomb',
      'a: &a [x, x]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n',
      'aliases expand to too many nodes',
    ],
    [
      'a binary tag',
      `${MINIMAL}binary: !!binary aGVsbG8=\n`,
      'the tag tag:yaml.org,2002:binary is not allowed',
    ],
    ['an unknown tag', `${MINIMAL}x: !custom y\n`, 'Unresolved tag: !custom'],
    ['an alias without anchor', `${MINIMAL}x: *nothing\n`, 'Unresolved alias'],
  ])('rejects %s as a configuration error', (_, text, expected) => {
    expect(problemsOf(text).join('\n')).toContain(expected);
  });

  it('rejects duplicate site names, ignoring case', () => {
    const second = MINIMAL.replace('sites:\n', '').replace('name: prod', 'name: PROD');
    expect(problemsOf(`${MINIMAL}${second}`)).toContain(
      'sites[1].name: duplicate site name "PROD" (names must be unique, ignoring case)',
    );
  });

  it('reports every problem at once', () => {
    const text = withRelease('maxReleasesPerRun: 0\ndryrun: true');
    expect(problemsOf(text)).toHaveLength(2);
  });
});

describe('loadConfig', () => {
  it('accepts the documented CLI example', () => {
    const config = loadConfig('examples/license-steward.yaml');
    expect(config.sites[0]?.licenseRelease?.neverRelease.userDirectory).toEqual([
      'INTERNAL',
      'ADMIN',
    ]);
    expect(config.sites[0]?.qrs.certificates.ca).toEqual({
      file: expect.stringMatching(/examples\/certs\/root\.pem$/),
    });
  });
});
