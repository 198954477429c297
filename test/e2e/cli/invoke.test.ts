/**
 * `npm run invoke`: the deployed handlers run locally, as a separate process (the way an
 * administrator runs it), against the QRS simulator over mutual TLS and, for the run ledger,
 * dynalite reached through AWS_ENDPOINT_URL_DYNAMODB. Usage mistakes are checked in-process.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInvoke } from '#functions/cli/invoke.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import { type LocalDynamo, startLocalDynamo } from '#test/support/dynamodb.ts';
import { type ConfigFolder, cliSite, configFolder, deleteCount } from '#test/support/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const NO_SINKS = { timestream: { enable: false }, cloudwatch: { enable: false } };
let pki: TestPki;
let folder: ConfigFolder;
let sim: Simulator;
let dynamo: LocalDynamo;

beforeAll(async () => {
  pki = await createTestPki();
  folder = configFolder(pki);
  sim = await startSimulator({ site: createSampleSite(new Date()), pki });
  dynamo = await startLocalDynamo();
  await dynamo.createTable('runs');
});
afterAll(async () => {
  folder.remove();
  await sim.close();
  await dynamo.close();
});

const config = (licenseRelease: Record<string, unknown>) =>
  folder.write({ sites: [cliSite({ port: sim.port, licenseRelease })], destinations: NO_SINKS });

/** `npm run -s invoke -- …` as its own process (tsx, the same Node as the tests). */
function invoke(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const base: Record<string, string | undefined> = { ...process.env, ...env };
  if (!env.LICENSE_STEWARD_RUNS_TABLE) delete base.LICENSE_STEWARD_RUNS_TABLE;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'functions/cli/invoke.ts', ...args],
      { cwd: ROOT, env: base, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('npm run invoke (a separate process)', () => {
  it('runs license-release as deployed, ledger included: a second delivery sends nothing', async () => {
    const file = config({ enable: true, dryRun: false, maxReleasesPerRun: 5 });
    const event = JSON.stringify({ site: 'sample', scheduledTime: '2026-03-01T02:00:00Z' });
    const env = {
      LICENSE_STEWARD_RUNS_TABLE: 'runs',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: 'eu-north-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    sim.resetCounters();

    const first = await invoke(['license-release', '--config', file, '--event', event], env);
    const second = await invoke(['license-release', '--config', file, '--event', event], env);

    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ site: 'sample', status: 'ok', dryRun: false, released: 5 });
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual(summary);
    expect(second.stderr).toContain('already finished');
    expect(deleteCount(sim)).toBe(5);
    expect(first.stderr).not.toContain('LICENSE_STEWARD_RUNS_TABLE is not set');
  }, 120_000);

  it('without LICENSE_STEWARD_RUNS_TABLE: runs without a ledger and says so; event from @FILE', async () => {
    const file = config({ enable: true, dryRun: true });
    const eventFile = path.join(folder.dir, 'event.json');
    writeFileSync(eventFile, JSON.stringify({ site: 'sample' }));

    const run = await invoke(['license-release', '--config', file, '--event', `@${eventFile}`]);

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'ok', dryRun: true });
    expect(run.stderr).toContain('LICENSE_STEWARD_RUNS_TABLE is not set');
  }, 60_000);

  it('exit 1 when the handler throws (a site the config does not have)', async () => {
    const file = config({ enable: true });

    const run = await invoke(['license-monitor', '--config', file, '--event', '{"site":"other"}']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'license-monitor threw: site "other" is not in the deployed configuration',
    );
  }, 60_000);
});

describe('invoke usage (exit 2)', () => {
  const run = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runInvoke(args, {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
    });
    return { code, stdout, stderr };
  };

  it.each([
    ['no function', ['--config', 'x.yaml', '--event', '{}'], 'name one function'],
    [
      'an unknown function',
      ['license-other', '--config', 'x.yaml', '--event', '{}'],
      'name one function',
    ],
    ['no --config', ['license-release', '--event', '{}'], '--config FILE is required'],
    ['no --event', ['license-release', '--config', 'x.yaml'], '--event JSON|@FILE is required'],
    ['an unknown option', ['license-release', '--site', 'x'], "Unknown option '--site'"],
  ])('%s', async (_, args, message) => {
    const result = await run(args);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  it('an event that is not JSON, or a bad --remaining-ms', async () => {
    const file = config({ enable: true });

    expect((await run(['license-release', '--config', file, '--event', '{site'])).stderr).toContain(
      '--event is not valid JSON',
    );
    const bad = await run([
      'license-release',
      '--config',
      file,
      '--event',
      '{}',
      '--remaining-ms',
      '5s',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--remaining-ms must be a whole number');
  });

  it('a configuration error names the file (a YAML alias bomb too)', async () => {
    const file = folder.write(
      'a: &a [x, x]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n',
    );

    const result = await run(['license-release', '--config', file, '--event', '{}']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Invalid configuration in ${file}`);
    expect(result.stderr).toContain('aliases expand to too many nodes');
  });
});
