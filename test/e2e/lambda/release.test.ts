/**
 * The license-release Lambda handler with its real middleware (the SSM reader with a mocked SSM, the
 * Powertools logger), against the QRS simulator over mutual TLS.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReleaseHandler } from '#functions/license-release/create-handler.ts';
import { type Config, configSchema } from '#shared/config/schema.ts';
import { parsePlan, plannedSitesToApply } from '#shared/licensing/release/plan-file.ts';
import type { CompletedReleaseRun, ReleaseSink } from '#shared/licensing/sinks.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';

const ssm = mockClient(SSMClient);
const DELETES = [
  'DELETE /qrs/license/professionalaccesstype/{id}',
  'DELETE /qrs/license/analyzeraccesstype/{id}',
];
let pki: TestPki;
let sim: Simulator;

beforeAll(async () => {
  pki = await createTestPki();
});
beforeEach(async () => {
  sim = await startSimulator({ site: createSampleSite(new Date()), pki });
  const parameters: Record<string, string> = {
    '/license-steward/sample/client-cert': pki.client.cert,
    '/license-steward/sample/client-key': pki.client.key,
    '/license-steward/sample/root-ca': pki.ca,
  };
  ssm.on(GetParametersCommand).callsFake(async (input: { Names?: string[] }) => ({
    Parameters: (input.Names ?? []).map((name) => ({ Name: name, Value: parameters[name] })),
    InvalidParameters: [],
  }));
});
afterEach(async () => {
  ssm.reset();
  await sim.close();
});
afterAll(() => ssm.restore());

function config(release: Record<string, unknown> | null): Config {
  return configSchema.parse({
    sites: [
      {
        name: 'sample',
        qrs: {
          host: 'localhost',
          port: sim.port,
          certificates: {
            cert: { ssmParameter: '/license-steward/sample/client-cert' },
            key: { ssmParameter: '/license-steward/sample/client-key' },
            ca: { ssmParameter: '/license-steward/sample/root-ca' },
          },
        },
        ...(release ? { licenseRelease: release } : {}),
      },
    ],
    destinations: { timestream: { enable: false }, cloudwatch: { enable: false } },
  });
}

/** Every invocation here is request-1: a retry by Lambda, not a new invocation. */
const context = (remainingMs = 600_000) => lambdaContext({ remainingMs, requestId: 'request-1' });

function handlerFor(release: Record<string, unknown> | null) {
  const logger = new Logger({ serviceName: 'license-steward', logLevel: 'SILENT' });
  const info = vi.spyOn(logger, 'info');
  const runs: CompletedReleaseRun[] = [];
  const sink: ReleaseSink = {
    name: 'memory',
    write: async (run) => {
      runs.push(run);
    },
  };
  const handler = createReleaseHandler({ config: config(release), logger, sinks: [sink] });
  return { handler, info, runs };
}

const deletes = () => DELETES.reduce((sum, key) => sum + sim.requestCount(key), 0);

describe('license-release handler', () => {
  it('dry run by default: certificates from SSM, candidates reported, no DELETE', async () => {
    const { handler, info, runs } = handlerFor({ enable: true });

    const summary = await handler({ site: 'sample' }, context());

    expect(summary).toMatchObject({
      site: 'sample',
      runId: 'request-1',
      status: 'ok',
      dryRun: true,
      candidates: expect.any(Number),
      released: 0,
    });
    expect(deletes()).toBe(0);
    expect(ssm.commandCalls(GetParametersCommand)[0]?.args[0].input).toMatchObject({
      WithDecryption: true,
    });
    const wouldBe = info.mock.calls.filter(([message]) =>
      /would be released/.test(String(message)),
    );
    expect(wouldBe.length).toBe(summary.status === 'ok' ? summary.candidates : -1);
    expect(runs).toHaveLength(1);
  });

  it('review mode: never releases, and returns and logs the plan for release --plan', async () => {
    // Prepare: dryRun false, but mode review wins.
    const { handler, info } = handlerFor({ enable: true, dryRun: false, mode: 'review' });

    // Act
    const summary = await handler({ site: 'sample' }, context());

    // Assess
    expect(deletes()).toBe(0);
    expect(summary).toMatchObject({ status: 'ok', mode: 'review', dryRun: true, released: 0 });
    if (summary.status !== 'ok' || !summary.plan) throw new Error('no plan in the summary');
    expect(summary.plan.sites[0]?.candidates).toHaveLength(summary.candidates);
    // The plan is what `release --plan` accepts, for this site, now.
    const planned = parsePlan(JSON.stringify(summary.plan), 'summary');
    expect(
      plannedSitesToApply(planned, [{ name: 'sample' }], { now: new Date() }).map(
        (entry) => entry.planned.candidates.length,
      ),
    ).toEqual([summary.candidates]);
    const logged = info.mock.calls.find(([message]) =>
      /Release plan for review/.test(String(message)),
    );
    expect(logged?.[1]).toMatchObject({ site: 'sample', plan: summary.plan });
  });

  it('release mode (the default) is named in the summary and carries no plan', async () => {
    const { handler } = handlerFor({ enable: true });

    const summary = await handler({ site: 'sample' }, context());

    expect(summary).toMatchObject({ status: 'ok', mode: 'release' });
    expect(summary).not.toHaveProperty('plan');
  });

  it('releases when dryRun is false, and a retry of the same run is harmless', async () => {
    const { handler } = handlerFor({ enable: true, dryRun: false });

    const first = await handler({ site: 'sample' }, context());
    const retry = await handler({ site: 'sample' }, context());

    expect(first).toMatchObject({ status: 'ok', dryRun: false, failed: 0 });
    expect(first.status === 'ok' && first.released).toBeGreaterThan(0);
    expect(deletes()).toBe(first.status === 'ok' ? first.released : -1);
    expect(retry).toMatchObject({ status: 'ok', candidates: 0, released: 0, failed: 0 });
  });

  it('starts no DELETE when the remaining time is short: everything is deferred', async () => {
    const { handler } = handlerFor({ enable: true, dryRun: false });

    const summary = await handler({ site: 'sample' }, context(10_000));

    expect(deletes()).toBe(0);
    expect(summary).toMatchObject({ status: 'ok', released: 0 });
    expect(summary.status === 'ok' && summary.deferred).toBeGreaterThan(0);
  });

  it('reports a failed DELETE in the summary instead of throwing (no retry storm)', async () => {
    const { handler } = handlerFor({ enable: true, dryRun: false });
    sim.faults.push({ method: 'DELETE', route: /accesstype\//, status: 500, times: 1 });

    const summary = await handler({ site: 'sample' }, context());

    expect(summary).toMatchObject({ status: 'failures', failed: 1 });
  });

  it('fails the run (throws, no DELETE) when a protection rule matches nothing in QRS', async () => {
    const { handler } = handlerFor({
      enable: true,
      dryRun: false,
      neverRelease: { tag: ['License do not relase'] },
    });

    await expect(handler({ site: 'sample' }, context())).rejects.toThrow(
      /^release refused: a protection rule matches nothing in QRS.*neverRelease\.tag "License do not relase"/,
    );
    expect(deletes()).toBe(0);
  });

  it('with allowUnmatchedRules: true the same rule only warns, and the run releases', async () => {
    const { handler } = handlerFor({
      enable: true,
      dryRun: false,
      allowUnmatchedRules: true,
      neverRelease: { tag: ['License do not relase'] },
    });

    const summary = await handler({ site: 'sample' }, context());

    expect(summary).toMatchObject({ status: 'ok', failed: 0 });
    expect(deletes()).toBeGreaterThan(0);
  });

  it('skips a site without licenseRelease, without reading SSM', async () => {
    const { handler } = handlerFor(null);

    const summary = await handler({ site: 'sample' }, context());

    expect(summary).toMatchObject({ status: 'skipped', site: 'sample' });
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(0);
    expect(sim.requestCount()).toBe(0);
  });

  it('rejects an event for a site that is not configured', async () => {
    const { handler } = handlerFor({ enable: true });

    await expect(handler({ site: 'other' }, context())).rejects.toThrow(/not in the deployed/);
  });
});
