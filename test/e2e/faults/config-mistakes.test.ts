/**
 * Fault matrix, configuration rows (see docs/faults.md): the mistakes people make in the YAML
 * file. Each one is refused before anything touches QRS or AWS, with the key named:
 *
 * - CLI: exit 2, stdout empty, stderr `license-steward: Invalid configuration in FILE: - KEY: …`;
 * - `cdk synth`: `loadDeployment`, the function infra/app.ts builds the app from, throws the same
 *   ConfigError (app.ts prints it and exits 1 before synthesising anything).
 *
 * Deployment-only mistakes (a `file:` certificate in a deployed config, a missing `aws:` block,
 * network settings) are rows of test/infra/deployment.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/config/errors.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import { type ConfigFolder, cli, configFolder, PEM_FILES } from '#test/support/harness.ts';
import { loadDeployment } from '../../../infra/deployment.ts';

let pki: TestPki;
let folder: ConfigFolder;
let sim: Simulator;

beforeAll(async () => {
  pki = await createTestPki();
  folder = configFolder(pki);
  sim = await startSimulator({ site: createSampleSite(new Date()), pki });
});
afterAll(async () => {
  folder.remove();
  await sim.close();
});

/** Stands for the simulator's port (the rows are built before it starts). */
const PORT = '__SIM_PORT__';
const withPort = (yaml: string) => yaml.replaceAll(PORT, String(sim.port));

/** A sound config for the simulator, with one mistake put in where an administrator would. */
function yamlWith(mistake: {
  site?: string;
  qrs?: string;
  certificates?: string;
  release?: string;
  more?: string;
}): string {
  return `sites:
  - name: prod
${mistake.site ?? ''}    qrs:
      host: localhost
      port: ${PORT}
${mistake.qrs ?? ''}${
  mistake.certificates ??
  `      certificates:
        cert: { file: ${PEM_FILES.cert} }
        key: { file: ${PEM_FILES.key} }
        ca: { file: ${PEM_FILES.ca} }
`
}    licenseRelease:
      enable: true
      dryRun: false
${mistake.release ?? ''}${mistake.more ?? ''}`;
}

/** Nine times nine times … `x`: 59,049 strings from six short lines (a "billion laughs"). */
const ALIAS_BOMB = `x0: &a0 [x, x, x, x, x, x, x, x, x]
x1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
x2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
x3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
x4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
x5: [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
`;

const MISTAKES: Array<[string, string, string]> = [
  [
    'C1 a typo in a key (neverRelase)',
    yamlWith({ release: '      neverRelase: { tag: [ VIP ] }\n' }),
    'sites[0].licenseRelease.neverRelase: unknown key',
  ],
  [
    'C1 a typo in a block name (licenceRelease, British spelling)',
    yamlWith({ site: '    licenceRelease: { enable: true }\n' }),
    'sites[0].licenceRelease: unknown key',
  ],
  [
    'C2 a wrong type (timeoutSeconds: thirty)',
    yamlWith({ qrs: '      timeoutSeconds: thirty\n' }),
    'sites[0].qrs.timeoutSeconds: Invalid input: expected number, received string',
  ],
  [
    'C2 a wrong type (dryRun: no is text in YAML 1.2, not false)',
    yamlWith({ release: '      dryRun: no\n' }).replace('      dryRun: false\n', ''),
    'sites[0].licenseRelease.dryRun: Invalid input: expected boolean, received string',
  ],
  [
    'C2 a wrong type (a single tag instead of a list)',
    yamlWith({ release: '      neverRelease: { tag: License do not release }\n' }),
    'sites[0].licenseRelease.neverRelease.tag: Invalid input: expected array, received string',
  ],
  [
    'C3 threshold 0',
    yamlWith({ release: '      licenseType: { analyzer: { releaseThresholdDays: 0 } }\n' }),
    'sites[0].licenseRelease.licenseType.analyzer.releaseThresholdDays: must be at least 1 day',
  ],
  [
    'C3 a negative threshold',
    yamlWith({ release: '      licenseType: { professional: { releaseThresholdDays: -30 } }\n' }),
    'sites[0].licenseRelease.licenseType.professional.releaseThresholdDays: must be at least 1 day',
  ],
  [
    'C3 a cap of 0 releases per run',
    yamlWith({ release: '      maxReleasesPerRun: 0\n' }),
    'sites[0].licenseRelease.maxReleasesPerRun: must be at least 1',
  ],
  [
    'C4 a Unix cron (5 fields) as schedule',
    yamlWith({ release: '      schedule: cron(0 2 * * *)\n' }),
    'sites[0].licenseRelease.schedule: "cron(0 2 * * *)" has 5 fields; EventBridge cron has 6',
  ],
  [
    'C4 schedule text that is no schedule',
    yamlWith({ site: '    licenseMonitor: { schedule: every fortnight }\n' }),
    'sites[0].licenseMonitor.schedule: "every fortnight" is not a schedule: use rate(15 minutes)',
  ],
  [
    'C5 an unknown time zone',
    yamlWith({ site: '    timezone: Europe/Stokholm\n' }),
    'sites[0].timezone: is not an IANA time zone name',
  ],
  [
    'C6 duplicate site names (ignoring case)',
    yamlWith({
      more: `  - name: PROD
    qrs:
      host: localhost
      certificates:
        cert: { file: ${PEM_FILES.cert} }
        key: { file: ${PEM_FILES.key} }
        ca: { file: ${PEM_FILES.ca} }
`,
    }),
    'sites[1].name: duplicate site name "PROD" (names must be unique, ignoring case)',
  ],
  [
    'C7 no certificates at all',
    yamlWith({ certificates: '' }),
    'sites[0].qrs.certificates: is required',
  ],
  [
    'C7 the key left out',
    yamlWith({
      certificates: `      certificates:
        cert: { file: ${PEM_FILES.cert} }
        ca: { file: ${PEM_FILES.ca} }
`,
    }),
    'sites[0].qrs.certificates.key: must be { file: PATH } or { ssmParameter: NAME }',
  ],
  [
    'C7 a certificate written as a bare path',
    yamlWith({
      certificates: `      certificates:
        cert: ${PEM_FILES.cert}
        key: { file: ${PEM_FILES.key} }
        ca: { file: ${PEM_FILES.ca} }
`,
    }),
    'sites[0].qrs.certificates.cert: must be { file: PATH } or { ssmParameter: NAME }',
  ],
  ['C8 an empty file', '', 'sites: is required'],
  ['C8 broken YAML', 'sites:\n  - name: prod\n   qrs: [\n', 'YAML line'],
  [
    'C11 a YAML alias bomb (a few lines that expand to millions of nodes)',
    `${ALIAS_BOMB}${yamlWith({})}`,
    'YAML: aliases expand to too many nodes',
  ],
  [
    'C11 a YAML tag',
    yamlWith({ qrs: '      timeoutSeconds: !!int 30\n' }),
    'YAML line 6: the tag tag:yaml.org,2002:int is not allowed',
  ],
  [
    'C11 an unknown YAML tag',
    yamlWith({ qrs: '      timeoutSeconds: !seconds 30\n' }),
    'YAML line 6: Unresolved tag: !seconds',
  ],
  [
    'C11 a %YAML 1.1 directive (dryRun: off would be false there)',
    `%YAML 1.1\n---\n${yamlWith({}).replace('dryRun: false', 'dryRun: off')}`,
    'YAML line 1: the %YAML 1.1 directive is not allowed',
  ],
  [
    'C12 a clock tolerance close to the release threshold',
    yamlWith({
      qrs: '      maxClockSkewSeconds: 86400\n',
      release: '      licenseType: { professional: { releaseThresholdDays: 1 } }\n',
    }),
    'sites[0].qrs.maxClockSkewSeconds: 86400 s is not well below licenseRelease.licenseType.professional.releaseThresholdDays (1 day)',
  ],
  [
    'C11 an alias to an anchor that does not exist',
    yamlWith({ release: '      neverRelease: *protected\n' }),
    'YAML: Unresolved alias',
  ],
];

describe('configuration mistakes: exit 2 / synth refused, the key named, nothing touched', () => {
  it.each(MISTAKES)('%s → CLI exit 2 naming the key', async (_, yaml, problem) => {
    // Prepare
    const file = folder.write(withPort(yaml));
    sim.resetCounters();

    // Act
    const run = await cli(['release', '--config', file, '--json']);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`license-steward: Invalid configuration in ${file}`);
    expect(run.stderr).toContain(problem);
    expect(sim.requestCount()).toBe(0);
  });

  it.each(MISTAKES)('%s → cdk synth refused with the same message', (_, yaml, problem) => {
    // Prepare
    const file = folder.write(withPort(yaml));

    // Act
    const error = (() => {
      try {
        loadDeployment(file);
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toContain(problem);
  });

  it('C9 a config file that does not exist → CLI exit 2 naming the file', async () => {
    // Act
    const run = await cli(['monitor', '--config', `${folder.dir}/nope.yaml`]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${folder.dir}/nope.yaml`);
    expect(run.stderr).toMatch(/cannot read the file: ENOENT/);
  });

  it('C10 a certificate file that is not there → that site fails (exit 1) naming the file; other sites run', async () => {
    // Prepare: a second, sound site on the same simulator.
    const yaml = yamlWith({
      certificates: `      certificates:
        cert: { file: ${PEM_FILES.cert} }
        key: { file: ${PEM_FILES.key} }
        ca: { file: ./certs/root.pem }
`,
      more: `  - name: lab
    qrs:
      host: localhost
      port: ${PORT}
      certificates:
        cert: { file: ${PEM_FILES.cert} }
        key: { file: ${PEM_FILES.key} }
        ca: { file: ${PEM_FILES.ca} }
    licenseRelease: { enable: true }
`,
    });
    const file = folder.write(withPort(yaml));
    sim.resetCounters();

    // Act
    const run = await cli(['release', '--config', file, '--json']);

    // Assess
    expect(run.code).toBe(1);
    const [prod, lab] = run.document?.sites ?? [];
    expect(prod?.error).toBe(
      `cannot read the CA certificate file ${folder.dir}/certs/root.pem (ENOENT)`,
    );
    expect(lab?.error).toBeUndefined();
    expect(sim.requestCount()).toBeGreaterThan(0);
  });
});
