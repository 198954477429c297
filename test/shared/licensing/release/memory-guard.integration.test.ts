/**
 * The memory guard (shared/licensing/release/memory-guard.ts): a release run that would exceed
 * its memory stops after planning and before any DELETE, with a clear error; one that fits
 * releases as usual. Against the QRS simulator over mutual TLS, the readings passed in.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BYTES_PER_RELEASE,
  HEADROOM_BYTES,
  MemoryLimitError,
  type MemoryReading,
  readMemory,
  requireMemoryForReleases,
} from '#shared/licensing/release/memory-guard.ts';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { generateSite } from '#test/simulator/site.ts';
import { memoryLogger, releaseConfig } from '#test/support/release.ts';

const MB = 1024 * 1024;
const DELETES = /^DELETE /;

let pki: TestPki;
const opened: Array<{ sim: Simulator; qrs: QrsClient }> = [];
beforeAll(async () => {
  pki = await createTestPki();
});
afterEach(async () => {
  for (const { sim, qrs } of opened.splice(0)) {
    qrs.close();
    await sim.close();
  }
});

async function open() {
  const sim = await startSimulator({ site: generateSite({ allocations: 400, seed: 3 }), pki });
  const qrs = new QrsClient({
    host: 'localhost',
    port: sim.port,
    tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca },
  });
  opened.push({ sim, qrs });
  return { sim, qrs };
}

function deleteCount(sim: Simulator): number {
  let count = 0;
  for (const [route, counter] of sim.counters) if (DELETES.test(route)) count += counter.requests;
  return count;
}

function release(
  qrs: QrsClient,
  dryRun: boolean,
  memory: { read: () => MemoryReading; functionBytes?: number },
) {
  return runSiteRelease({
    site: 'guarded',
    release: releaseConfig({ maxReleasesPerRun: 20 }),
    dryRun,
    runId: 'run-memory',
    qrs,
    logger: memoryLogger(),
    memory,
  });
}

/** A 512 MB function whose process already holds `rssMb` after planning. */
const lambdaAt = (rssMb: number) => ({
  read: () => ({ rssBytes: rssMb * MB, heapUsedBytes: 200 * MB, heapLimitBytes: 2048 * MB }),
  functionBytes: 512 * MB,
});

describe('the memory guard before the first DELETE', () => {
  it('refuses a run whose releases would not fit in the function: no DELETE at all', async () => {
    const { sim, qrs } = await open();

    const error = await release(qrs, false, lambdaAt(440)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MemoryLimitError);
    expect((error as Error).message).toMatch(
      /not enough memory left to release safely: after planning, the process holds 440 MB of the function's 512 MB .* releasing 20 allocations needs about 48 MB more\. No DELETE was sent\. Give the release function more memory \(aws\.functions\.release\.memoryMb/,
    );
    expect(deleteCount(sim)).toBe(0);
    expect(sim.requestCount()).toBeGreaterThan(0);
  });

  it('refuses when the V8 heap is near its limit, outside Lambda too (the CLI)', async () => {
    const { sim, qrs } = await open();
    const read = () => ({ rssBytes: 900 * MB, heapUsedBytes: 870 * MB, heapLimitBytes: 1000 * MB });

    const error = await release(qrs, false, { read }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MemoryLimitError);
    expect((error as Error).message).toMatch(/the heap holds 870 MB of its 1000 MB limit/);
    expect(deleteCount(sim)).toBe(0);
  });

  it('lets a run that fits release as usual', async () => {
    const { sim, qrs } = await open();

    const result = await release(qrs, false, lambdaAt(250));

    expect(result.released).toHaveLength(20);
    expect(deleteCount(sim)).toBe(20);
  });

  it('does not stop a dry run, which sends no DELETE', async () => {
    const { sim, qrs } = await open();

    const result = await release(qrs, true, lambdaAt(500));

    expect(result.candidates).toHaveLength(20);
    expect(deleteCount(sim)).toBe(0);
  });
});

describe('the memory needed for the releases', () => {
  it('is a share per release plus a fixed headroom, against the smaller room', () => {
    const reading = { rssBytes: 300 * MB, heapUsedBytes: 100 * MB, heapLimitBytes: 4096 * MB };
    const room = 512 * MB * 0.9 - 300 * MB;
    const fits = Math.floor((room - HEADROOM_BYTES) / BYTES_PER_RELEASE);

    expect(requireMemoryForReleases(fits, reading, 512 * MB).needBytes).toBeLessThanOrEqual(room);
    expect(() => requireMemoryForReleases(fits + 1, reading, 512 * MB)).toThrow(MemoryLimitError);
    expect(() => requireMemoryForReleases(fits + 1, reading, undefined)).not.toThrow();
  });

  it('reads the real process and heap', () => {
    const reading = readMemory();

    expect(reading.rssBytes).toBeGreaterThan(reading.heapUsedBytes / 2);
    expect(reading.heapLimitBytes).toBeGreaterThan(reading.heapUsedBytes);
  });
});
