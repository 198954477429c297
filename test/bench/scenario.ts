/**
 * One measured scenario in a fresh process (started by `run.ts` with `fork`): a monitor run, a
 * release run (dry or real) or the reference release, wired as the Lambda handlers wire them
 * (`createQrsClient`, Powertools Logger and Metrics, the sinks `destinations` turns on) with the
 * Timestream client mocked by aws-sdk-client-mock. Stdout (Powertools' EMF and log lines) is
 * counted and swallowed. Reports wall time, QRS figures, peak memory and what the sinks wrote.
 */
import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { TimestreamWriteClient, WriteRecordsCommand } from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import pLimit from 'p-limit';
import { configSchema, type SiteConfig } from '#shared/config/schema.ts';
import { monitorSite } from '#shared/licensing/monitor/monitor-site.ts';
import { releasePolicy } from '#shared/licensing/release/planner.ts';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import { createQrsClient } from '#shared/licensing/site-qrs-client.ts';
import { createLambdaLogger } from '#shared/observability/logger.ts';
import { createServiceMetrics } from '#shared/observability/metrics.ts';
import { asRunLogger } from '#shared/observability/powertools-run-logger.ts';
import { sinksFromConfig } from '#shared/sinks/from-config.ts';
import { createTimestreamClient } from '#shared/sinks/timestream/client.ts';
import {
  benchReleaseBlock,
  type ScenarioArgs,
  type ScenarioReply,
  type ScenarioResult,
} from './protocol.ts';
import { referenceRelease } from './reference.ts';

const MB = 1024 * 1024;
const args = JSON.parse(process.argv[2] ?? '{}') as ScenarioArgs;
// The orchestrator is gone (Ctrl-C, crash): do not linger.
process.on('disconnect', () => process.exit(1));

// Powertools writes EMF documents and log lines to stdout: count them, keep the terminal quiet.
const output = { emfLines: 0, logLines: 0 };
let pending = '';
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  let newline = pending.indexOf('\n');
  while (newline >= 0) {
    const line = pending.slice(0, newline);
    pending = pending.slice(newline + 1);
    if (line.startsWith('{"_aws"')) output.emfLines++;
    else if (line.trim() !== '') output.logLines++;
    newline = pending.indexOf('\n');
  }
  const callback = rest.find((value) => typeof value === 'function') as (() => void) | undefined;
  callback?.();
  return true;
}) as typeof process.stdout.write;

const timestream = { records: 0, calls: 0 };
mockClient(TimestreamWriteClient)
  .on(WriteRecordsCommand)
  .callsFake((input: { Records?: unknown[] }) => {
    timestream.calls++;
    timestream.records += input.Records?.length ?? 0;
    return { RecordsIngested: { Total: input.Records?.length ?? 0 } };
  });

const config = configSchema.parse({
  sites: [
    {
      name: 'bench',
      qrs: {
        host: 'localhost',
        port: args.port,
        maxRetries: 3,
        certificates: {
          cert: { ssmParameter: '/license-steward/bench/client-cert' },
          key: { ssmParameter: '/license-steward/bench/client-key' },
          ca: { ssmParameter: '/license-steward/bench/root-ca' },
        },
      },
      licenseRelease: benchReleaseBlock(args),
    },
  ],
  destinations: {
    timestream: { enable: true },
    cloudwatch: { enable: true },
    tags: [{ name: 'env', value: 'bench' }],
  },
});
const site = config.sites[0] as SiteConfig;
const release = site.licenseRelease;
if (!release) throw new Error('bench config has no licenseRelease');
const now = new Date(args.nowMs);
const logger = createLambdaLogger();
const runLogger = asRunLogger(logger);

// Built once per cold start, as handler.ts does (outside the measured run).
const { usage: usageSinks } = await sinksFromConfig(config.destinations, {
  timestream: createTimestreamClient,
  metrics: () => createServiceMetrics(config.destinations.cloudwatch.namespace, logger),
});
const { release: releaseSinks } = await sinksFromConfig(config.destinations, {
  timestream: createTimestreamClient,
  logger,
});

const memory = { heapUsed: 0 };
const sample = () => {
  // V8's own figure: cheaper than process.memoryUsage(), which also reads the RSS from /proc.
  memory.heapUsed = Math.max(memory.heapUsed, getHeapStatistics().used_heap_size);
};
const baselineRss = process.memoryUsage().rss;
const sampler = setInterval(sample, args.sampleMs);

const result: ScenarioResult = {
  kind: args.kind,
  dryRun: args.dryRun,
  ok: true,
  wallMs: 0,
  cpuMs: 0,
  qrsRequests: 0,
  qrsRetries: 0,
  bytesReceived: 0,
  baselineRssMb: baselineRss / MB,
  peakRssMb: 0,
  peakHeapUsedMb: 0,
  timestreamRecords: 0,
  timestreamCalls: 0,
  emfLines: 0,
  logLines: 0,
  allocationsRead: 0,
  candidates: 0,
  kept: 0,
  released: 0,
  failed: 0,
  deferred: 0,
  planHash: '',
};

const profiler = args.profileDir ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
const started = performance.now();
const cpuBefore = process.cpuUsage();
const qrs = createQrsClient(site, args.tls, runLogger);
// When the first DELETE started and the last one ended: the rest of a real run is planning.
const deletes = { first: Number.NaN, last: Number.NaN };
const deleteAllocation = qrs.deleteAllocation.bind(qrs);
qrs.deleteAllocation = async (...call) => {
  if (Number.isNaN(deletes.first)) deletes.first = performance.now() - started;
  try {
    return await deleteAllocation(...call);
  } finally {
    deletes.last = performance.now() - started;
  }
};
try {
  if (args.kind === 'monitor') {
    const outcome = await monitorSite({
      source: qrs,
      site: site.name,
      now,
      sinks: usageSinks,
      logger: runLogger,
    });
    if (!outcome.ok) throw new Error(outcome.error);
  } else if (args.kind === 'release') {
    const run = await runSiteRelease({
      site: site.name,
      release,
      dryRun: args.dryRun,
      runId: `bench-${process.pid}`,
      qrs,
      logger: runLogger,
      now: () => now,
      sinks: releaseSinks,
    });
    Object.assign(result, {
      allocationsRead: run.candidates.length + run.kept.length,
      candidates: run.candidates.length,
      kept: run.kept.length,
      released: run.released.length,
      failed: run.failed.length,
      deferred: run.deferred.length,
      planHash: planHash(run.candidates),
    });
    if (run.sinkErrors.length > 0) throw new Error(run.sinkErrors.join('; '));
  } else if (args.kind === 'deleteFloor') {
    result.released = await deleteFloor(1_000);
  } else {
    const run = await referenceRelease(qrs, releasePolicy(release), now, args.dryRun);
    Object.assign(result, {
      allocationsRead: run.allocationsRead,
      candidates: run.plan.candidates.length,
      kept: run.plan.kept.length,
      released: run.released,
      failed: run.failed,
      planHash: planHash(run.plan.candidates),
      phases: run.phases,
    });
  }
} catch (error) {
  result.ok = false;
  result.error = error instanceof Error ? error.message : String(error);
}
result.wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
result.cpuMs = (cpu.user + cpu.system) / 1000;
clearInterval(sampler);
if (profiler && args.profileDir) {
  const { profile } = await profiler.post('Profiler.stop');
  const name = `${args.kind}${args.kind === 'monitor' ? '' : args.dryRun ? '-dry' : '-real'}-${args.allocations}.cpuprofile`;
  writeFileSync(path.join(args.profileDir, name), JSON.stringify(profile));
}
sample();
qrs.close();

Object.assign(result, {
  qrsRequests: args.kind === 'deleteFloor' ? result.released : qrs.stats.requests,
  qrsRetries: qrs.stats.retries,
  bytesReceived: qrs.stats.bytesReceived,
  peakRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
  peakHeapUsedMb: memory.heapUsed / MB,
  ...(Number.isNaN(deletes.first)
    ? {}
    : { deletePhase: { startMs: deletes.first, endMs: deletes.last } }),
  timestreamRecords: timestream.records,
  timestreamCalls: timestream.calls,
  emfLines: output.emfLines,
  logLines: output.logLines,
});
const message: ScenarioReply = { type: 'result', result };
process.send?.(message, () => process.disconnect());

/**
 * The same DELETE load with no product code in the way: bare `node:https`, the same TLS material,
 * `deleteConcurrency` sockets and requests in flight, ids that do not exist (404 after the same
 * latency, and the site is left as it is).
 */
async function deleteFloor(count: number): Promise<number> {
  const agent = new https.Agent({
    ...args.tls,
    keepAlive: true,
    maxSockets: args.deleteConcurrency,
  });
  const limit = pLimit(args.deleteConcurrency);
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const request = https.request(
        {
          method: 'DELETE',
          host: 'localhost',
          port: args.port,
          path: `/qrs/license/analyzeraccesstype/${randomUUID()}?xrfkey=0123456789abcdef`,
          agent,
          headers: {
            'X-Qlik-Xrfkey': '0123456789abcdef',
            'X-Qlik-User': 'UserDirectory=INTERNAL; UserId=sa_api',
          },
        },
        (response) => {
          response.resume();
          response.on('end', resolve);
        },
      );
      request.on('error', reject);
      request.end();
    });
  await Promise.all(Array.from({ length: count }, () => limit(one)));
  agent.destroy();
  return count;
}

function planHash(items: ReadonlyArray<{ accessTypeId: string }>): string {
  const ids = items.map((item) => item.accessTypeId).sort();
  return createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 16);
}
