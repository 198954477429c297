/**
 * Fault matrix, time budget rows (see docs/faults.md): the release Lambda stops starting DELETEs
 * when its remaining time gets short (less than one QRS timeout plus 20 s for the sinks), reports
 * the rest as deferred, and the next run releases them. A retried invocation after a partial run
 * does not fail on the allocations the first attempt already released.
 *
 * The Lambda clock is injected: the remaining time drops once a given number of DELETEs reached
 * the simulator, so the rows are exact without waiting.
 */
import { describe, expect, it } from 'vitest';
import type { ReleaseItem } from '#shared/licensing/release/types.ts';
import {
  captureProcessOutput,
  deleteCount,
  expectNothingLost,
  LIST_ROUTE,
  lambdaConfig,
  memorySink,
  REAL_RUN,
  rawGet,
  releaseHandler,
  uniqueSiteName,
} from '#test/support/harness.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { useSimulatorFixture } from '#test/support/simulator-fixture.ts';

const fixture = useSimulatorFixture();

/** One DELETE at a time, so "after N DELETEs" is exact. */
const ONE_AT_A_TIME = { ...REAL_RUN, deleteConcurrency: 1 };

/** Plenty of time until `deletes` DELETEs reached QRS, then 5 s (less than the 50 s margin). */
const shortAfter = (deletes: number) => () =>
  deleteCount(fixture.sim) < deletes ? 600_000 : 5_000;

const ids = (items: readonly ReleaseItem[]) => items.map((item) => item.accessTypeId).sort();

function setUp() {
  const name = uniqueSiteName('budget');
  const sink = memorySink();
  const handler = releaseHandler({
    config: lambdaConfig([{ name, port: fixture.sim.port, licenseRelease: ONE_AT_A_TIME }]),
    sinks: [sink],
  });
  return { name, sink, handler };
}

describe('time budget: stop starting DELETEs in time, defer the rest, pick them up next run', () => {
  it('T1 remaining time short after 2 DELETEs → no third DELETE, the rest reported deferred and logged', async () => {
    // Prepare
    const output = captureProcessOutput();
    const { name, sink, handler } = setUp();

    // Act
    const summary = await handler({ site: name }, lambdaContext({ remainingMs: shortAfter(2) }));

    // Assess
    const result = sink.runs[0]?.result;
    if (!result) throw new Error('no run');
    expect(deleteCount(fixture.sim)).toBe(2);
    expect(summary).toMatchObject({ status: 'ok', released: 2, failed: 0 });
    expect(result.candidates.length).toBeGreaterThan(2);
    // The longest-inactive go first; the rest waits, in plan order.
    expect(result.released.map((item) => item.accessTypeId)).toEqual(
      result.candidates.slice(0, 2).map((item) => item.accessTypeId),
    );
    expect(result.deferred).toEqual(result.candidates.slice(2));
    expectNothingLost(result, output.logs());
    expect(output.logs()).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'Release run stopped before the time limit; the rest is deferred to the next run',
        deferred: result.candidates.length - 2,
      }),
    );
  });

  it('T2 the next run releases exactly what was deferred', async () => {
    // Prepare
    captureProcessOutput();
    const { name, sink, handler } = setUp();
    await handler({ site: name }, lambdaContext({ remainingMs: shortAfter(2) }));
    const deferred = sink.runs[0]?.result.deferred ?? [];

    // Act
    const next = await handler({ site: name }, lambdaContext());

    // Assess
    const result = sink.runs[1]?.result;
    expect(next).toMatchObject({ status: 'ok', deferred: 0, failed: 0 });
    expect(ids(result?.released ?? [])).toEqual(ids(deferred));
    expect(deleteCount(fixture.sim)).toBe(2 + deferred.length);
  });

  it('T3 a retried invocation that still sees the released allocations (stale list) → 404 "already gone", no failure', async () => {
    // Prepare: the lists as QRS sent them before the first attempt.
    captureProcessOutput();
    const stale = {
      professional: await rawGet(fixture.sim, LIST_ROUTE.professional),
      analyzer: await rawGet(fixture.sim, LIST_ROUTE.analyzer),
    };
    const { name, sink, handler } = setUp();
    const requestId = 'scheduled-invocation-1';
    await handler({ site: name }, lambdaContext({ remainingMs: shortAfter(2), requestId }));
    const first = sink.runs[0]?.result;
    if (!first) throw new Error('no first run');
    for (const type of ['professional', 'analyzer'] as const)
      fixture.sim.faults.push({
        route: LIST_ROUTE[type],
        status: 200,
        body: stale[type],
        times: 1,
      });

    // Act: Lambda retries the same event (same request id).
    const retry = await handler({ site: name }, lambdaContext({ requestId }));

    // Assess
    const second = sink.runs[1]?.result;
    if (!second) throw new Error('no retry run');
    expect(retry).toMatchObject({ status: 'ok', failed: 0, alreadyGone: 2 });
    const gone = second.released.filter((item) => item.alreadyGone);
    expect(ids(gone)).toEqual(ids(first.released));
    expect(ids(second.released)).toEqual(ids(first.candidates));
    for (const item of first.candidates)
      expect(fixture.sim.site.allocations.has(item.accessTypeId)).toBe(false);
  });

  it('T3 a retried invocation that sees the current lists → only the rest is planned, nothing twice', async () => {
    // Prepare
    captureProcessOutput();
    const { name, sink, handler } = setUp();
    const requestId = 'scheduled-invocation-2';
    await handler({ site: name }, lambdaContext({ remainingMs: shortAfter(3), requestId }));

    // Act
    const retry = await handler({ site: name }, lambdaContext({ requestId }));

    // Assess
    const [first, second] = sink.runs.map((run) => run.result);
    expect(retry).toMatchObject({ status: 'ok', failed: 0, alreadyGone: 0 });
    expect(ids(second?.candidates ?? [])).toEqual(ids(first?.deferred ?? []));
    expect(deleteCount(fixture.sim)).toBe(first?.candidates.length);
  });

  it.each([
    [30_000, 'starts DELETEs'],
    [20_000, 'starts none'],
  ])(
    'T4 with qrs.timeoutSeconds 5 the margin is 25 s: %i ms left → %s',
    async (remaining, outcome) => {
      // Prepare
      captureProcessOutput();
      const name = uniqueSiteName('margin');
      const handler = releaseHandler({
        config: lambdaConfig([
          { name, port: fixture.sim.port, qrs: { timeoutSeconds: 5 }, licenseRelease: REAL_RUN },
        ]),
      });

      // Act
      const summary = await handler(
        { site: name },
        lambdaContext({ remainingMs: () => remaining }),
      );

      // Assess
      if (outcome === 'starts DELETEs') expect(summary).toMatchObject({ deferred: 0 });
      else expect(summary).toMatchObject({ released: 0, status: 'ok' });
      expect(deleteCount(fixture.sim) > 0).toBe(outcome === 'starts DELETEs');
    },
  );
});
