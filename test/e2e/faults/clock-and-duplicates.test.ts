/**
 * Two production facts the simulator did not show before: QRS's clock (its `Date` header) may be
 * far from this machine's, and QRS may list one allocation twice. Through the CLI and the release
 * Lambda, against the simulator over mutual TLS (docs/release.md, docs/faults.md).
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { createMonitorHandler } from '#functions/license-monitor/create-handler.ts';
import {
  cli,
  cliSite,
  deleteCount,
  LIST_ROUTE,
  lambdaConfig,
  rawGet,
  releaseHandler,
  releaseOf,
  uniqueSiteName,
} from '#test/support/harness.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { useSimulatorFixture } from '#test/support/simulator-fixture.ts';
import { DAY_MS } from '#test/support/time.ts';

const fixture = useSimulatorFixture();

const configFile = (licenseRelease?: Record<string, unknown>) =>
  fixture.folder.write({
    sites: [cliSite({ port: fixture.sim.port, ...(licenseRelease ? { licenseRelease } : {}) })],
  });

describe('clock guard: QRS Date header vs this machine', () => {
  it.each([
    ['40 days ahead', 40 * DAY_MS, 'ahead of'],
    ['40 days behind', -40 * DAY_MS, 'behind'],
  ])(
    'P8 QRS clock %s → release refused: exit 1, no DELETE, both clocks named',
    async (_, offset, word) => {
      fixture.sim.setClockOffset(offset);

      const run = await cli(['release', '--config', configFile(), '--json']);

      expect(run.code).toBe(1);
      expect(deleteCount(fixture.sim)).toBe(0);
      const site = run.document?.sites[0] as { error?: string; released: unknown[] };
      expect(site.released).toEqual([]);
      expect(site.error).toMatch(/^release refused: the clocks disagree/);
      expect(site.error).toContain(`QRS's clock is 40 days ${word} this machine's`);
      expect(site.error).toContain(new Date(Date.now() + offset).toISOString().slice(0, 10));
      expect(site.error).toContain(new Date().toISOString().slice(0, 10));
      expect(site.error).toContain('maxClockSkewSeconds (300 s)');
    },
  );

  it('P8 QRS clock 2 s off → the run goes ahead and releases', async () => {
    fixture.sim.setClockOffset(2_000);

    const run = await cli(['release', '--config', configFile(), '--json']);

    expect(run.code).toBe(0);
    expect(releaseOf(run).released.length).toBeGreaterThan(0);
    expect(deleteCount(fixture.sim)).toBe(releaseOf(run).released.length);
  });

  it('a dry run is refused too (its plan would be wrong)', async () => {
    fixture.sim.setClockOffset(-40 * DAY_MS);

    const run = await cli(['release', '--config', configFile(), '--dry-run', '--json']);

    expect(run.code).toBe(1);
    expect(releaseOf(run).candidates).toEqual([]);
  });

  it('no Date header (stripped by a proxy): a real release is refused, a dry run warns and plans', async () => {
    fixture.sim.setClockOffset(null);
    const real = configFile({ dryRun: false });

    const refused = await cli(['release', '--config', real, '--json']);
    const dry = await cli(['release', '--config', real, '--dry-run', '--json']);

    expect(refused.code).toBe(1);
    expect(deleteCount(fixture.sim)).toBe(0);
    const site = refused.document?.sites[0] as { error?: string } | undefined;
    expect(site?.error).toMatch(
      /^release refused: the clock could not be checked \(QRS sent no Date header/,
    );
    expect(dry.code).toBe(0);
    expect(releaseOf(dry).candidates.length).toBeGreaterThan(0);
    expect(dry.stderr).toMatch(/Clock not checked: QRS sent no Date header/);
  });

  it('the tolerance is sites[].qrs.maxClockSkewSeconds', async () => {
    fixture.sim.setClockOffset(-600_000);
    const tight = fixture.folder.write({ sites: [cliSite({ port: fixture.sim.port })] });
    const loose = fixture.folder.write({
      sites: [cliSite({ port: fixture.sim.port, qrs: { maxClockSkewSeconds: 900 } })],
    });

    expect((await cli(['release', '--config', tight, '--dry-run', '--json'])).code).toBe(1);
    expect((await cli(['release', '--config', loose, '--dry-run', '--json'])).code).toBe(0);
  });

  it('P8 monitor only warns: exit 0, the warning names both clocks', async () => {
    fixture.sim.setClockOffset(40 * DAY_MS);

    const run = await cli(['monitor', '--config', configFile(), '--json']);

    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/Clock warning: the clocks disagree: QRS's clock is 40 days ahead/);
  });

  it('P8 in Lambda, the monitor warns and still returns its snapshot', async () => {
    fixture.sim.setClockOffset(40 * DAY_MS);
    const name = uniqueSiteName('clock');
    const logger = new Logger({ serviceName: 'license-steward', logLevel: 'SILENT' });
    const warn = vi.spyOn(logger, 'warn');
    const handler = createMonitorHandler({
      config: lambdaConfig([{ name, port: fixture.sim.port }]),
      logger,
      sinks: [],
    });

    const summary = await handler({ site: name }, lambdaContext());

    expect(summary).toMatchObject({ status: 'ok', site: name });
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/^Clock warning: the clocks disagree: QRS's clock is 40 days ahead/),
      expect.objectContaining({ skewMs: expect.any(Number) }),
    );
  });

  it('in Lambda, a release run throws before planning (no DELETE; the ledger lets it run again)', async () => {
    fixture.sim.setClockOffset(-40 * DAY_MS);
    const name = uniqueSiteName('clock');
    const handler = releaseHandler({ config: lambdaConfig([{ name, port: fixture.sim.port }]) });

    await expect(handler({ site: name }, lambdaContext())).rejects.toThrow(
      /release refused: the clocks disagree: QRS's clock is 40 days behind/,
    );
    expect(deleteCount(fixture.sim)).toBe(0);
  });
});

describe('clock guard: the clock belongs to the run (the QRS client is kept warm)', () => {
  it("warm Lambda: a run whose answers carry no Date is refused, not judged by the previous invocation's clock", async () => {
    const name = uniqueSiteName('warm-clock');
    const handler = releaseHandler({
      config: lambdaConfig([
        { name, port: fixture.sim.port, licenseRelease: { dryRun: false, maxReleasesPerRun: 1 } },
      ]),
      logLevel: 'SILENT',
    });

    await handler({ site: name }, lambdaContext());
    const afterFirst = deleteCount(fixture.sim);
    fixture.sim.setClockOffset(null);
    const second = handler({ site: name }, lambdaContext());

    expect(afterFirst).toBe(1);
    await expect(second).rejects.toThrow(
      /release refused: the clock could not be checked \(QRS sent no Date header/,
    );
    expect(deleteCount(fixture.sim)).toBe(1);
  });

  it('warm Lambda: a wrong Date seen by an earlier run is not held against a later run', async () => {
    const name = uniqueSiteName('warm-clock');
    const handler = releaseHandler({
      config: lambdaConfig([
        { name, port: fixture.sim.port, licenseRelease: { dryRun: true, maxReleasesPerRun: 1 } },
      ]),
      logLevel: 'SILENT',
    });
    fixture.sim.setClockOffset(-40 * DAY_MS);
    await expect(handler({ site: name }, lambdaContext())).rejects.toThrow(/clocks disagree/);
    fixture.sim.setClockOffset(null);

    const second = await handler({ site: name }, lambdaContext());
    fixture.sim.setClockOffset(0);
    const third = await handler({ site: name }, lambdaContext());

    // A dry run with an unread clock warns and plans; the stale wrong Date refuses nothing.
    expect(second).toMatchObject({ site: name });
    expect(third).toMatchObject({ site: name });
  });

  it('warm Lambda monitor: an answer without Date is "not checked", not the previous run\'s skew', async () => {
    const name = uniqueSiteName('warm-clock');
    const logger = new Logger({ serviceName: 'license-steward', logLevel: 'SILENT' });
    const warn = vi.spyOn(logger, 'warn');
    const handler = createMonitorHandler({
      config: lambdaConfig([{ name, port: fixture.sim.port }]),
      logger,
      sinks: [],
    });
    fixture.sim.setClockOffset(40 * DAY_MS);
    await handler({ site: name }, lambdaContext());
    fixture.sim.setClockOffset(null);
    warn.mockClear();

    await handler({ site: name }, lambdaContext());

    const messages = warn.mock.calls.map(([message]) => String(message));
    expect(messages).toContainEqual(expect.stringMatching(/^Clock not checked: QRS sent no Date/));
    expect(messages.filter((message) => /clocks disagree/.test(message))).toEqual([]);
  });
});

describe('duplicates from QRS', () => {
  it('P9 the same allocation id twice in a list is one allocation: one DELETE, counted once, a warning', async () => {
    const plan = releaseOf(await cli(['release', '--config', configFile(), '--dry-run', '--json']));
    const twice = plan.candidates.find((item) => item.licenseType === 'professional');
    if (!twice) throw new Error('the sample site has no professional candidate');
    const items = JSON.parse(await rawGet(fixture.sim, LIST_ROUTE.professional)) as Array<{
      id: string;
    }>;
    const item = items.find((candidate) => candidate.id === twice.accessTypeId);
    fixture.sim.faults.push({
      method: 'GET',
      route: LIST_ROUTE.professional,
      status: 200,
      body: JSON.stringify([item, ...items, item]),
      times: 1,
    });
    fixture.sim.resetCounters();

    const run = await cli(['release', '--config', configFile(), '--json']);

    const result = releaseOf(run);
    expect(run.code).toBe(0);
    const ofTwice = (list: ReadonlyArray<{ accessTypeId: string }>) =>
      list.filter((entry) => entry.accessTypeId === twice.accessTypeId).length;
    expect(ofTwice(result.candidates)).toBe(1);
    expect(ofTwice(result.released)).toBe(1);
    expect(ofTwice(result.kept)).toBe(0);
    expect(deleteCount(fixture.sim)).toBe(result.released.length);
    expect(run.stderr).toContain('QRS listed the same allocation more than once');
    expect(run.stderr).toContain(twice.accessTypeId);
  });
});
