/**
 * `npm run bench`: does license-steward hold at 50,000 allocations? For each site size, a QRS
 * simulator in its own process (10 ms per request, DELETEs 20 ms more) and one fresh process per
 * scenario: monitor, release dry run, real release of up to 1,000 allocations, and the same plan
 * done the reference (Butler) way. Then the Lambda bundles: size and cold import time. Prints a
 * table, checks the goals of issue 6 and writes BENCHMARKS.md.
 *
 *   npm run bench                            all sizes, BENCHMARKS.md rewritten
 *   npm run bench -- --sizes 1000,10000      a subset (printed only, unless --out FILE)
 *   options: --latency MS  --delete-latency MS  --delete-concurrency N  --max-releases N
 *            --reference-sizes LIST|all|none  --import-runs N  --no-bundles  --out FILE
 *            --profile DIR (a CPU profile of each measured run, start-up excluded)
 *            --scale-sizes LIST (the CLI's memory per allocation; default 50000,100000,200000)
 *            --scale-only (only that part, printed)
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { version as esbuildVersion } from 'esbuild';
import { bundleFacts } from './bundles.ts';
import { cliDryRun } from './cli-run.ts';
import type {
  ScenarioArgs,
  ScenarioKind,
  ScenarioReply,
  ScenarioResult,
  SimulatorArgs,
  SimulatorReply,
  SimulatorRequest,
  SimulatorStats,
} from './protocol.ts';
import {
  type BenchReport,
  type BulkCliResult,
  evaluateGoals,
  markdownReport,
  printReport,
  type ScaleResult,
} from './report.ts';

const DEFAULT_SIZES = [1_000, 10_000, 50_000];
/** Issue 25: the CLI's peak memory per allocation, up to the largest sites. */
const DEFAULT_SCALE_SIZES = [50_000, 100_000, 200_000];
/** The usual run of a large site in the memory scale: the cap its administrators set. */
const SCALE_USUAL_CAP = 1_000;
/** The default cap, and one above any candidate count (every candidate needs its user record). */
const USUAL_CAP = 50;
const BULK_CAP = 1_000_000;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: DEFAULT_SIZES.join(',') },
    latency: { type: 'string', default: '10' },
    'delete-latency': { type: 'string', default: '20' },
    'delete-concurrency': { type: 'string', default: '8' },
    'max-releases': { type: 'string', default: '1000' },
    'reference-sizes': { type: 'string', default: '1000,10000' },
    'import-runs': { type: 'string', default: '5' },
    repeat: { type: 'string', default: '3' },
    'no-bundles': { type: 'boolean', default: false },
    out: { type: 'string' },
    profile: { type: 'string' },
    seed: { type: 'string', default: '42' },
    'scale-sizes': { type: 'string', default: DEFAULT_SCALE_SIZES.join(',') },
    'scale-only': { type: 'boolean', default: false },
  },
  strict: true,
});

const sizes = values['scale-only'] ? [] : numbers(values.sizes);
const scaleSizes = numbers(values['scale-sizes']);
const settings = {
  latencyMs: Number(values.latency),
  deleteLatencyMs: Number(values['delete-latency']),
  deleteConcurrency: Number(values['delete-concurrency']),
  maxReleasesPerRun: Number(values['max-releases']),
  seed: Number(values.seed),
  repeat: Math.max(1, Number(values.repeat)),
};
const referenceSizes =
  values['reference-sizes'] === 'all'
    ? sizes
    : values['reference-sizes'] === 'none'
      ? []
      : numbers(values['reference-sizes']);
const outFile =
  values.out ??
  (DEFAULT_SIZES.every((size) => sizes.includes(size)) &&
  DEFAULT_SCALE_SIZES.every((size) => scaleSizes.includes(size))
    ? 'BENCHMARKS.md'
    : undefined);

function numbers(list: string): number[] {
  return list
    .split(',')
    .map((part) => Number(part.replaceAll('_', '').trim()))
    .filter((value) => Number.isInteger(value) && value > 0);
}

// ---- processes ----

function forkTs(file: string, arg: unknown, stdout: 'inherit' | 'ignore'): ChildProcess {
  // tsx's loader is in execArgv, so the child runs TypeScript the same way this process does.
  return fork(here(file), [JSON.stringify(arg)], { stdio: ['ignore', stdout, 'inherit', 'ipc'] });
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      child.off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      child.off('message', onMessage);
      reject(new Error(`${child.spawnfile} exited (${code}) before answering`));
    };
    child.once('message', onMessage);
    child.once('exit', onExit);
  });
}

class SimulatorProcess {
  private readonly child: ChildProcess;
  readonly ready: Extract<SimulatorReply, { type: 'ready' }>;

  private constructor(child: ChildProcess, ready: Extract<SimulatorReply, { type: 'ready' }>) {
    this.child = child;
    this.ready = ready;
  }

  static async start(args: SimulatorArgs): Promise<SimulatorProcess> {
    const child = forkTs('./simulator-process.ts', args, 'inherit');
    const reply = await nextMessage<SimulatorReply>(child);
    if (reply.type !== 'ready') {
      child.kill();
      throw new Error(`simulator did not start: ${JSON.stringify(reply)}`);
    }
    return new SimulatorProcess(child, reply);
  }

  async ask(request: SimulatorRequest): Promise<SimulatorReply> {
    const answer = nextMessage<SimulatorReply>(this.child);
    this.child.send(request);
    return answer;
  }

  async stats(): Promise<SimulatorStats> {
    const reply = await this.ask({ type: 'stats' });
    if (reply.type !== 'stats') throw new Error('simulator: no stats');
    return reply.stats;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'close' } satisfies SimulatorRequest);
    await exited;
  }
}

async function runScenario(
  sim: SimulatorProcess,
  kind: ScenarioKind,
  dryRun: boolean,
  nowMs: number,
  maxReleasesPerRun = settings.maxReleasesPerRun,
): Promise<MeasuredScenario> {
  await sim.ask({ type: 'resetCounters' });
  const args: ScenarioArgs = {
    kind,
    port: sim.ready.port,
    tls: sim.ready.tls,
    nowMs,
    dryRun,
    maxReleasesPerRun,
    deleteConcurrency: settings.deleteConcurrency,
    sampleMs: 10,
    allocations: sim.ready.allocations,
    ...(values.profile ? { profileDir: path.resolve(values.profile) } : {}),
  };
  const child = forkTs('./scenario.ts', args, 'ignore');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const reply = await nextMessage<ScenarioReply>(child);
  await exited;
  const server = await sim.stats();
  if (!dryRun && (kind === 'release' || kind === 'reference'))
    await sim.ask({ type: 'restoreSite' });
  if (!reply.result.ok) throw new Error(`${kind} failed: ${reply.result.error}`);
  return { ...reply.result, server };
}

export type MeasuredScenario = ScenarioResult & {
  server: SimulatorStats;
  /** Wall time of every repetition; the scenario reported is the median one. */
  wallRunsMs?: number[];
};

/** Runs a scenario `settings.repeat` times (fresh process each) and keeps the median by wall time. */
async function runRepeated(
  sim: SimulatorProcess,
  kind: ScenarioKind,
  dryRun: boolean,
  nowMs: number,
): Promise<MeasuredScenario> {
  const runs: MeasuredScenario[] = [];
  for (let i = 0; i < settings.repeat; i++) runs.push(await runScenario(sim, kind, dryRun, nowMs));
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)] as MeasuredScenario;
  return { ...middle, wallRunsMs: runs.map((run) => run.wallMs) };
}

// ---- the run ----

async function main(): Promise<void> {
  const benchStarted = performance.now();
  const nowMs = Date.now();
  const report: BenchReport = {
    startedAt: new Date(nowMs).toISOString(),
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: os.totalmem() / 1024 ** 3,
      node: process.version,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      esbuild: esbuildVersion,
      load: { start: os.loadavg()[0] ?? 0, end: 0 },
    },
    settings: { ...settings, sizes, referenceSizes, scaleSizes },
    sizes: [],
    scale: [],
    bundles: null,
    totalSeconds: 0,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  };
  if (values.profile) mkdirSync(values.profile, { recursive: true });
  if (!process.version.startsWith('v22.'))
    console.warn(`note: running on Node ${process.version}; the Lambda runtime is Node 22`);

  for (const allocations of sizes) {
    const sim = await SimulatorProcess.start({
      allocations,
      seed: settings.seed,
      nowMs,
      latencyMs: settings.latencyMs,
      deleteLatencyMs: settings.deleteLatencyMs,
    });
    try {
      log(`${allocations} allocations: site generated in ${ms(sim.ready.generateMs)}`);
      const monitor = await runScenario(sim, 'monitor', true, nowMs);
      log(`  monitor        ${ms(monitor.wallMs)}`);
      const dryRun = await runRepeated(sim, 'release', true, nowMs);
      log(`  dry run        ${ms(dryRun.wallMs)} (median of ${settings.repeat})`);
      const release = await runRepeated(sim, 'release', false, nowMs);
      log(`  release        ${ms(release.wallMs)} (median of ${settings.repeat})`);
      const largest = allocations === Math.max(...sizes);
      // At the largest size: the usual run (cap 50), and every candidate with its user record
      // (the cap above the candidate count), in process and as the CLI a new user starts.
      let usualDryRun: MeasuredScenario | undefined;
      let bulkDryRun: MeasuredScenario | undefined;
      let bulkCli: BulkCliResult | undefined;
      if (largest) {
        usualDryRun = await runScenario(sim, 'release', true, nowMs, USUAL_CAP);
        log(`  dry run, cap ${USUAL_CAP}  ${ms(usualDryRun.wallMs)}`);
        bulkDryRun = await runScenario(sim, 'release', true, nowMs, BULK_CAP);
        log(`  dry run, no cap ${ms(bulkDryRun.wallMs)}`);
        await sim.ask({ type: 'resetCounters' });
        const cli = await cliDryRun({
          port: sim.ready.port,
          tls: sim.ready.tls,
          maxReleasesPerRun: BULK_CAP,
          deleteConcurrency: settings.deleteConcurrency,
        });
        if (!cli.ok) throw new Error(`CLI dry run failed (${cli.exitCode}): ${cli.error}`);
        bulkCli = { ...cli, server: await sim.stats() };
        log(`  CLI dry run, no cap ${ms(cli.wallMs)}`);
      }
      // Once, at the largest size, with DELETEs of `deleteLatencyMs` in all (20 ms): the product's
      // DELETE phase and what 1,000 DELETEs cost on this machine with no product code at all.
      let floor: MeasuredScenario | undefined;
      let shortDeletes: MeasuredScenario | undefined;
      if (largest) {
        const { latencyMs, deleteLatencyMs } = settings;
        const extra = Math.max(0, deleteLatencyMs - latencyMs);
        await sim.ask({ type: 'setLatency', latencyMs, deleteLatencyMs: extra });
        shortDeletes = await runScenario(sim, 'release', false, nowMs);
        log(`  release, DELETE ${latencyMs + extra} ms in all: ${ms(shortDeletes.wallMs)}`);
        floor = await runScenario(sim, 'deleteFloor', false, nowMs);
        log(`  DELETE floor   ${ms(floor.wallMs)}`);
        await sim.ask({ type: 'setLatency', latencyMs, deleteLatencyMs });
      }
      let reference: MeasuredScenario | undefined;
      if (referenceSizes.includes(allocations)) {
        // With its sequential DELETEs only at the largest reference size (they take minutes).
        const real = allocations === Math.max(...referenceSizes);
        reference = await runScenario(sim, 'reference', !real, nowMs);
        log(`  reference      ${ms(reference.wallMs)}${real ? '' : ' (plan only)'}`);
      }
      report.sizes.push({
        allocations,
        users: sim.ready.users,
        monitor,
        dryRun,
        release,
        ...(reference ? { reference } : {}),
        ...(floor ? { deleteFloor: floor } : {}),
        ...(shortDeletes ? { shortDeletes } : {}),
        ...(usualDryRun ? { usualDryRun } : {}),
        ...(bulkDryRun ? { bulkDryRun } : {}),
        ...(bulkCli ? { bulkCli } : {}),
      });
    } finally {
      await sim.close();
    }
  }

  for (const allocations of scaleSizes) report.scale.push(await memoryScale(allocations, nowMs));

  if (!values['no-bundles'] && !values['scale-only']) {
    log('bundling the Lambda entries');
    report.bundles = await bundleFacts({ importRuns: Number(values['import-runs']), partRuns: 3 });
  }
  report.totalSeconds = (performance.now() - benchStarted) / 1000;
  report.machine.load.end = os.loadavg()[0] ?? 0;
  const goals = evaluateGoals(report);
  printReport(report, goals);
  if (outFile) {
    writeFileSync(outFile, markdownReport(report, goals));
    log(`written: ${outFile}`);
  }
}

/**
 * The CLI as an administrator starts it on a site of `allocations`: the usual run (cap 1,000)
 * and the whole-site dry run (every candidate needs its user record), each a fresh process.
 */
async function memoryScale(allocations: number, nowMs: number): Promise<ScaleResult> {
  const sim = await SimulatorProcess.start({
    allocations,
    seed: settings.seed,
    nowMs,
    latencyMs: settings.latencyMs,
    deleteLatencyMs: settings.deleteLatencyMs,
  });
  try {
    log(`${allocations} allocations (memory scale): site generated in ${ms(sim.ready.generateMs)}`);
    const run = async (maxReleasesPerRun: number): Promise<BulkCliResult> => {
      await sim.ask({ type: 'resetCounters' });
      const cli = await cliDryRun({
        port: sim.ready.port,
        tls: sim.ready.tls,
        maxReleasesPerRun,
        deleteConcurrency: settings.deleteConcurrency,
      });
      if (!cli.ok) throw new Error(`CLI dry run failed (${cli.exitCode}): ${cli.error}`);
      return { ...cli, server: await sim.stats() };
    };
    const usual = await run(SCALE_USUAL_CAP);
    log(
      `  CLI usual run (cap ${SCALE_USUAL_CAP})  ${ms(usual.wallMs)} (CPU ${ms(usual.cpuMs)}, simulator ${ms(usual.server.cpuMs)}), ${usual.peakRssMb.toFixed(0)} MB`,
    );
    const wholeSite = await run(BULK_CAP);
    log(
      `  CLI whole-site dry run  ${ms(wholeSite.wallMs)} (CPU ${ms(wholeSite.cpuMs)}, simulator ${ms(wholeSite.server.cpuMs)}), ${wholeSite.peakRssMb.toFixed(0)} MB`,
    );
    return { allocations, usualCap: SCALE_USUAL_CAP, usual, wholeSite };
  } finally {
    await sim.close();
  }
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

function ms(value: number): string {
  return `${(value / 1000).toFixed(2)} s`;
}

await main();
