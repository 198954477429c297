/**
 * The run ledger (docs/release.md, "How a run behaves when AWS retries"): the production release
 * handler, the Powertools Idempotency utility and a real DynamoDB-compatible server (dynalite on a
 * loopback port, reached through AWS_ENDPOINT_URL_DYNAMODB), against the QRS simulator over mutual
 * TLS. DELETEs are counted where they land: at the simulator.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReleaseSummary } from '#functions/license-release/create-handler.ts';
import { RUNS_TABLE_ENV } from '#shared/env-names.ts';
import { LEDGER_RECORD_SECONDS, RunLedger, runLedgerFromEnv } from '#shared/lambda/run-ledger.ts';
import type { ReleaseSink } from '#shared/licensing/sinks.ts';
import { type LocalDynamo, startLocalDynamo } from '#test/support/dynamodb.ts';
import {
  deleteCount,
  LIST_ROUTE,
  lambdaConfig,
  REAL_RUN,
  releaseHandler,
  uniqueSiteName,
} from '#test/support/harness.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { useSimulatorFixture } from '#test/support/simulator-fixture.ts';

const fixture = useSimulatorFixture();
const CAP_5 = { ...REAL_RUN, maxReleasesPerRun: 5 };
const AT_2 = '2026-01-31T02:00:00Z';
let dynamo: LocalDynamo;
let table: string;
let tables = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo.close();
});
beforeEach(async () => {
  table = `runs-${++tables}`;
  await dynamo.createTable(table);
});

/** One deployed release function instance: its own ledger client, QRS client and sinks. */
function instance(
  name: string,
  options: { licenseRelease?: Record<string, unknown>; sinks?: ReleaseSink[] } = {},
) {
  return releaseHandler({
    config: lambdaConfig([
      { name, port: fixture.sim.port, licenseRelease: options.licenseRelease ?? CAP_5 },
    ]),
    sinks: options.sinks ?? [],
    ledger: new RunLedger({ tableName: table }),
    logLevel: 'SILENT',
  });
}

const released = (summary: ReleaseSummary) => ('released' in summary ? summary.released : -1);

describe('one release per site and scheduled time, whatever AWS delivers', () => {
  it('P1 the reproduction: cap 5, the same event delivered twice → 5 DELETEs, not 10', async () => {
    const name = uniqueSiteName('ledger');
    const event = { site: name, scheduledTime: AT_2 };

    const first = await instance(name)(event, lambdaContext());
    const second = await instance(name)(event, lambdaContext());

    expect(released(first)).toBe(5);
    expect(deleteCount(fixture.sim)).toBe(5);
    // The repeat gets the first run's summary back (its runId included): nothing planned again.
    expect(second).toEqual(first);
  });

  it('P2 the same event twice at once (two function instances) → the DELETEs of one run only', async () => {
    const name = uniqueSiteName('ledger');
    const event = { site: name, scheduledTime: AT_2 };
    fixture.sim.setLatency(0, 50);

    const answers = await Promise.all([
      instance(name)(event, lambdaContext()),
      instance(name)(event, lambdaContext()),
    ]);

    const ran = answers.filter((summary) => summary.status === 'ok');
    expect(ran).toHaveLength(1);
    expect(deleteCount(fixture.sim)).toBe(5);
    const other = answers.find((summary) => summary !== ran[0]);
    expect(other).toMatchObject({
      status: 'in-progress-elsewhere',
      site: name,
      scheduledTime: '2026-01-31T02:00:00.000Z',
    });
  });

  it('P3 a retry after a run that ran out of time once its DELETEs were sent → no new DELETE', async () => {
    const name = uniqueSiteName('ledger');
    const event = { site: name, scheduledTime: AT_2 };
    // Timestream hangs: the run must still answer before the function's end (sink deadline).
    const hanging: ReleaseSink = { name: 'timestream', write: () => new Promise(() => {}) };
    const nearTheEnd = () => (deleteCount(fixture.sim) < 5 ? 600_000 : 4_000);

    const first = await instance(name, { sinks: [hanging] })(
      event,
      lambdaContext({ remainingMs: nearTheEnd }),
    );
    const retry = await instance(name)(event, lambdaContext());

    expect(first).toMatchObject({ status: 'failures', released: 5 });
    expect('sinkErrors' in first && first.sinkErrors).toEqual([
      expect.stringMatching(/^timestream: did not finish within the \d+ ms the run had left/),
    ]);
    expect(retry).toEqual(first);
    expect(deleteCount(fixture.sim)).toBe(5);
  });

  it('P4 a retry after a run killed by the timeout after its DELETEs → no new DELETE (in progress)', async () => {
    const name = uniqueSiteName('ledger');
    const event = { site: name, scheduledTime: AT_2 };
    let sinkCalled: () => void = () => {};
    const reachedSink = new Promise<void>((resolve) => {
      sinkCalled = resolve;
    });
    let unblock: () => void = () => {};
    // Never answers until the test ends: the stand-in for a function Lambda stopped mid-run.
    const stuck: ReleaseSink = {
      name: 'timestream',
      write: () => {
        sinkCalled();
        return new Promise<void>((resolve) => {
          unblock = resolve;
        });
      },
    };
    const killed = instance(name, { sinks: [stuck] })(event, lambdaContext());
    await reachedSink;

    const retry = await instance(name)(event, lambdaContext());

    expect(deleteCount(fixture.sim)).toBe(5);
    expect(retry).toMatchObject({ status: 'in-progress-elsewhere', site: name });
    unblock();
    await killed;
  });

  it('P5 a retry after a failure before any DELETE → runs', async () => {
    const name = uniqueSiteName('ledger');
    const event = { site: name, scheduledTime: AT_2 };
    fixture.sim.faults.push({
      method: 'GET',
      route: LIST_ROUTE.professional,
      status: 503,
      times: 1,
    });

    await expect(instance(name)(event, lambdaContext())).rejects.toThrow(/503/);
    expect(deleteCount(fixture.sim)).toBe(0);
    expect(await dynamo.items(table)).toEqual([]);
    const retry = await instance(name)(event, lambdaContext());

    expect(retry).toMatchObject({ status: 'ok', released: 5 });
    expect(deleteCount(fixture.sim)).toBe(5);
  });

  it('P6 a new scheduled time → a new run (the next 5 inactive allocations)', async () => {
    const name = uniqueSiteName('ledger');

    const first = await instance(name)({ site: name, scheduledTime: AT_2 }, lambdaContext());
    const next = await instance(name)(
      { site: name, scheduledTime: '2026-02-01T02:00:00Z' },
      lambdaContext(),
    );

    expect(released(first)).toBe(5);
    expect(released(next)).toBeGreaterThan(0);
    expect(deleteCount(fixture.sim)).toBe(5 + released(next));
  });

  it('one instant written two ways is one run', async () => {
    const name = uniqueSiteName('ledger');

    await instance(name)({ site: name, scheduledTime: AT_2 }, lambdaContext());
    await instance(name)(
      { site: name, scheduledTime: '2026-01-31T03:00:00+01:00' },
      lambdaContext(),
    );

    expect(deleteCount(fixture.sim)).toBe(5);
  });

  it('the record: partition key id, COMPLETED, expiration a week on (the TTL attribute)', async () => {
    const name = uniqueSiteName('ledger');

    const summary = await instance(name)({ site: name, scheduledTime: AT_2 }, lambdaContext());

    const items = await dynamo.items(table);
    expect(items).toHaveLength(1);
    const record = items[0] as Record<string, unknown>;
    expect(String(record.id)).toMatch(/^license-release#/);
    expect(record.status).toBe('COMPLETED');
    const expiration = Number(record.expiration);
    expect(Math.abs(expiration - (Date.now() / 1000 + LEDGER_RECORD_SECONDS))).toBeLessThan(60);
    expect(JSON.parse(JSON.stringify(record.data))).toEqual(summary);
  });
});

describe('when the ledger table fails', () => {
  it('before the run: the handler throws naming the table, nothing is sent to QRS', async () => {
    const name = uniqueSiteName('ledger');
    table = 'no-such-table';

    await expect(
      instance(name)({ site: name, scheduledTime: AT_2 }, lambdaContext()),
    ).rejects.toThrow(
      /run ledger \(DynamoDB table no-such-table\): Failed to save in progress record to idempotency store: Requested resource not found/,
    );
    expect(fixture.sim.requestCount()).toBe(0);
  });

  it('after the DELETEs (the record cannot be saved): the summary is still returned, no throw', async () => {
    const name = uniqueSiteName('ledger');
    // The table disappears while the sinks run: saving the finished run fails.
    const dropTable: ReleaseSink = {
      name: 'memory',
      write: async () => {
        await dynamo.client.send(new DeleteTableCommand({ TableName: table }));
      },
    };

    const summary = await instance(name, { sinks: [dropTable] })(
      { site: name, scheduledTime: AT_2 },
      lambdaContext(),
    );

    expect(summary).toMatchObject({ status: 'ok', released: 5 });
    expect(deleteCount(fixture.sim)).toBe(5);
  });
});

describe('events without scheduledTime (manual invocations)', () => {
  it('P7 a real release is refused before anything is sent to QRS', async () => {
    const name = uniqueSiteName('ledger');

    await expect(instance(name)({ site: name }, lambdaContext())).rejects.toThrow(
      /needs "scheduledTime" in the event/,
    );
    expect(fixture.sim.requestCount()).toBe(0);
    expect(await dynamo.items(table)).toEqual([]);
  });

  it('P7 a dry run runs, unrecorded', async () => {
    const name = uniqueSiteName('ledger');
    const handler = instance(name, { licenseRelease: { enable: true, dryRun: true } });

    const summary = await handler({ site: name }, lambdaContext());

    expect(summary).toMatchObject({ status: 'ok', dryRun: true });
    expect(await dynamo.items(table)).toEqual([]);
  });

  it('a scheduledTime that is no time is refused', async () => {
    const name = uniqueSiteName('ledger');

    await expect(
      instance(name)({ site: name, scheduledTime: 'yesterday' }, lambdaContext()),
    ).rejects.toThrow(/scheduledTime must be an ISO time/);
    expect(fixture.sim.requestCount()).toBe(0);
  });
});

describe('runLedgerFromEnv', () => {
  it(`without ${RUNS_TABLE_ENV}: no ledger, and stderr says so`, () => {
    const lines: string[] = [];

    const ledger = runLedgerFromEnv({}, (line) => lines.push(line));

    expect(ledger).toBeUndefined();
    expect(lines.join('\n')).toMatch(/LICENSE_STEWARD_RUNS_TABLE is not set: .*not recorded/);
  });

  it(`with ${RUNS_TABLE_ENV}: the ledger on that table`, () => {
    expect(runLedgerFromEnv({ [RUNS_TABLE_ENV]: 'runs' })?.tableName).toBe('runs');
  });
});
