/**
 * Fault matrix, overlap rows (see docs/faults.md). The deployment keeps two release runs of a
 * site apart (reserved concurrency 1 on the release function: test/infra/functions.test.ts).
 * These rows show that if two runs meet anyway (a Lambda retry racing the next schedule, an
 * administrator's CLI run during the scheduled one), nothing is released twice as a failure and
 * the results agree: each allocation is freed by exactly one run; the other one finds it gone
 * (404, "already gone", not a failure).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import type { ReleasedItem, SiteReleaseResult } from '#shared/licensing/release/types.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import {
  captureProcessOutput,
  cli,
  cliSite,
  deleteCount,
  expectNothingLost,
  lambdaConfig,
  memorySink,
  REAL_RUN,
  releaseHandler,
  releaseOf,
  uniqueSiteName,
} from '#test/support/harness.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { memoryLogger, releaseConfig } from '#test/support/release.ts';
import { useSimulatorFixture } from '#test/support/simulator-fixture.ts';

const fixture = useSimulatorFixture();
const clients: QrsClient[] = [];

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

/** Every allocation freed by exactly one run; the other runs, if they tried it, found it gone. */
function expectFreedOnce(results: ReadonlyArray<Pick<SiteReleaseResult, 'released' | 'failed'>>) {
  for (const result of results) expect(result.failed).toEqual([]);
  const freedBy = new Map<string, number>();
  const all: ReleasedItem[] = results.flatMap((result) => result.released);
  for (const item of all)
    freedBy.set(
      item.accessTypeId,
      (freedBy.get(item.accessTypeId) ?? 0) + (item.alreadyGone ? 0 : 1),
    );
  for (const [id, times] of freedBy) expect({ id, times }).toEqual({ id, times: 1 });
  for (const id of freedBy.keys()) expect(fixture.sim.site.allocations.has(id)).toBe(false);
}

/**
 * A QRS client for one run whose allocation lists are held until every run has read its lists:
 * the runs then certainly plan from the same state (the worst case of an overlap).
 */
function clientsBehindBarrier(runs: number) {
  const lists = runs * 2; // professional and analyzer
  let arrived = 0;
  let open: () => void = () => {};
  const barrier = new Promise<void>((resolve) => {
    open = resolve;
  });
  return Array.from({ length: runs }, () => {
    const client = new QrsClient({
      host: 'localhost',
      port: fixture.sim.port,
      tls: { cert: fixture.pki.client.cert, key: fixture.pki.client.key, ca: fixture.pki.ca },
    });
    clients.push(client);
    return {
      deleteAllocation: client.deleteAllocation.bind(client),
      getUsersByIds: client.getUsersByIds.bind(client),
      countUsers: client.countUsers.bind(client),
      getTags: client.getTags.bind(client),
      getCustomPropertyDefinitions: client.getCustomPropertyDefinitions.bind(client),
      listAllocations: async (...args: Parameters<QrsClient['listAllocations']>) => {
        const list = await client.listAllocations(...args);
        if (++arrived === lists) open();
        await barrier;
        return list;
      },
    };
  });
}

describe('two release runs of one site at once', () => {
  it('O1 both plan from the same lists → each allocation freed once, the other run sees "already gone", no failure', async () => {
    // Prepare
    const [a, b] = clientsBehindBarrier(2);
    const run = (qrs: NonNullable<typeof a>, runId: string) => {
      const logger = memoryLogger();
      return runSiteRelease({
        site: 'sample',
        release: releaseConfig(),
        dryRun: false,
        runId,
        qrs,
        logger,
      }).then((result) => ({ result, logger }));
    };
    if (!a || !b) throw new Error('no clients');

    // Act
    const [first, second] = await Promise.all([run(a, 'run-a'), run(b, 'run-b')]);

    // Assess
    expect(first.result.candidates.length).toBeGreaterThan(0);
    expect(second.result.candidates).toEqual(first.result.candidates);
    expectFreedOnce([first.result, second.result]);
    const gone = [...first.result.released, ...second.result.released].filter(
      (item) => item.alreadyGone,
    );
    expect(gone).toHaveLength(first.result.candidates.length);
    for (const { result, logger } of [first, second])
      expectNothingLost(
        result,
        logger.lines.map((line) => line.extra),
      );
  });

  it('O1 with maxReleasesPerRun 2 → both pick the same two longest-inactive: two freed, not four', async () => {
    // Prepare
    const [a, b] = clientsBehindBarrier(2);
    if (!a || !b) throw new Error('no clients');
    const run = (qrs: typeof a, runId: string) =>
      runSiteRelease({
        site: 'sample',
        release: releaseConfig({ maxReleasesPerRun: 2 }),
        dryRun: false,
        runId,
        qrs,
        logger: memoryLogger(),
      });

    // Act
    const results = await Promise.all([run(a, 'run-a'), run(b, 'run-b')]);

    // Assess
    expectFreedOnce(results);
    const freed = results.flatMap((result) => result.released).filter((item) => !item.alreadyGone);
    expect(freed).toHaveLength(2);
  });

  it('O2 two Lambda invocations at once (a retry racing the schedule) → both "ok", each allocation freed once', async () => {
    // Prepare: two warm environments of the function, the same site.
    captureProcessOutput();
    fixture.sim.setLatency(0, 50);
    const name = uniqueSiteName('overlap');
    const config = lambdaConfig([{ name, port: fixture.sim.port, licenseRelease: REAL_RUN }]);
    const sinks = [memorySink(), memorySink()];
    const [one, two] = sinks.map((sink) => releaseHandler({ config, sinks: [sink] }));
    if (!one || !two) throw new Error('no handlers');

    // Act
    const summaries = await Promise.all([
      one({ site: name }, lambdaContext()),
      two({ site: name }, lambdaContext()),
    ]);

    // Assess
    for (const summary of summaries) expect(summary).toMatchObject({ status: 'ok', failed: 0 });
    const results = sinks.map((sink) => sink.runs[0]?.result as SiteReleaseResult);
    expectFreedOnce(results);
    expect(deleteCount(fixture.sim)).toBeLessThanOrEqual(
      results.reduce((sum, result) => sum + result.candidates.length, 0),
    );
  });

  it('O3 an administrator runs the CLI during the scheduled run → exit 0 and "ok", each allocation freed once', async () => {
    // Prepare
    captureProcessOutput();
    fixture.sim.setLatency(0, 50);
    const name = uniqueSiteName('overlap-cli');
    const sink = memorySink();
    const handler = releaseHandler({
      config: lambdaConfig([{ name, port: fixture.sim.port, licenseRelease: REAL_RUN }]),
      sinks: [sink],
    });
    const file = fixture.folder.write({ sites: [cliSite({ port: fixture.sim.port })] });

    // Act
    const [run, summary] = await Promise.all([
      cli(['release', '--config', file, '--json']),
      handler({ site: name }, lambdaContext()),
    ]);

    // Assess
    expect(run.code).toBe(0);
    expect(summary).toMatchObject({ status: 'ok', failed: 0 });
    expectFreedOnce([releaseOf(run), sink.runs[0]?.result as SiteReleaseResult]);
  });
});
