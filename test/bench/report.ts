/**
 * The benchmark's results: the goals of issues 6 and 15 checked, a table on stdout, BENCHMARKS.md.
 */
import type { BundleFact, BundleReport } from './bundles.ts';
import type { CliRunResult } from './cli-run.ts';
import type { ScenarioResult, SimulatorStats } from './protocol.ts';
import { requestsOf, type ScaleResult, scaleGoals, scaleMarkdown } from './scale-report.ts';

export type { ScaleResult } from './scale-report.ts';

type Measured = ScenarioResult & { server: SimulatorStats; wallRunsMs?: number[] };

/** The CLI's dry run, with what the simulator saw. */
export type BulkCliResult = CliRunResult & { server: SimulatorStats };

export interface SizeResult {
  allocations: number;
  users: number;
  monitor: Measured;
  dryRun: Measured;
  release: Measured;
  reference?: Measured;
  /** 1,000 DELETEs by bare node:https at the same concurrency (largest size only). */
  deleteFloor?: Measured;
  /** The real release again with DELETEs of `deleteLatencyMs` in all (largest size only). */
  shortDeletes?: Measured;
  /** Dry run with the default cap, 50 (largest size only). */
  usualDryRun?: Measured;
  /** Dry run with the cap above the candidate count: every candidate needs its user record. */
  bulkDryRun?: Measured;
  /** The same as `license-steward release --dry-run --json`, process start to exit. */
  bulkCli?: BulkCliResult;
}

export interface BenchReport {
  startedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    platform: string;
    esbuild: string;
    /** 1-minute load average when the run started and ended (other work on the machine). */
    load: { start: number; end: number };
  };
  settings: {
    latencyMs: number;
    deleteLatencyMs: number;
    deleteConcurrency: number;
    maxReleasesPerRun: number;
    seed: number;
    repeat: number;
    sizes: number[];
    referenceSizes: number[];
    scaleSizes: number[];
  };
  sizes: SizeResult[];
  /** The CLI at 50,000, 100,000 and 200,000 allocations (issue 25). */
  scale: ScaleResult[];
  bundles: BundleReport | null;
  totalSeconds: number;
  command: string;
}

export interface Goal {
  goal: string;
  target: string;
  actual: string;
  pass: boolean;
  /** Why a goal is missed, with the numbers (BENCHMARKS.md prints it). */
  why?: string;
}

const BUNDLE_LIMIT_BYTES = 1_500_000;
const IMPORT_LIMIT_MS = 300;
const ROUTE_NAMES: Record<string, string> = {
  'GET /qrs/license/accesstypeoverview': 'overview',
  'GET /qrs/license': 'license',
  'GET /qrs/license/professionalaccesstype/full': 'professional/full',
  'GET /qrs/license/analyzeraccesstype/full': 'analyzer/full',
  'GET /qrs/user/full': 'user/full',
  'GET /qrs/user/{id}': 'user/{id}',
  'GET /qrs/user/count': 'user/count',
  'POST /qrs/user/table': 'user/table',
  'DELETE /qrs/license/professionalaccesstype/{id}': 'DELETE professional',
  'DELETE /qrs/license/analyzeraccesstype/{id}': 'DELETE analyzer',
};

// ---- goals ----

export function evaluateGoals(report: BenchReport): Goal[] {
  const goals: Goal[] = [];
  const s = report.settings;
  const largest = report.sizes.find((size) => size.allocations === 50_000);
  if (largest) {
    const { dryRun } = largest;
    const allowed = 10 + dryRun.candidates / 50;
    goals.push(
      {
        goal: 'Release dry run, 50,000 allocations: wall time',
        target: '≤ 5 s',
        actual: seconds(dryRun.wallMs),
        pass: dryRun.wallMs <= 5_000,
      },
      {
        goal: 'Release dry run, 50,000 allocations: peak memory (RSS)',
        target: '≤ 300 MB',
        actual: `${dryRun.peakRssMb.toFixed(0)} MB`,
        pass: dryRun.peakRssMb <= 300,
      },
      {
        goal: 'Release dry run, 50,000 allocations: QRS requests',
        target: `≤ 10 + candidates/50 = ${allowed.toFixed(0)} (${dryRun.candidates} candidates)`,
        actual: String(dryRun.qrsRequests),
        pass: dryRun.qrsRequests <= allowed,
      },
    );
  }
  const bulkSize = report.sizes.find((size) => size.bulkCli || size.shortDeletes);
  if (bulkSize) goals.push(...bulkGoals(bulkSize, s.deleteConcurrency, s.deleteLatencyMs));
  for (const size of report.sizes) {
    const { release } = size;
    const deleteMs = s.latencyMs + s.deleteLatencyMs;
    if (release.released + release.failed >= Math.min(1_000, s.maxReleasesPerRun)) {
      const pass = release.wallMs <= 6_000;
      goals.push({
        goal: `Real release of ${count(release.released)} (site of ${count(size.allocations)}), ${deleteMs} ms per DELETE, deleteConcurrency ${s.deleteConcurrency}`,
        target: '≤ 6 s',
        actual: seconds(release.wallMs),
        pass,
        ...(pass ? {} : { why: releaseWhy(size) }),
      });
    }
    goals.push({
      goal: `DELETEs in flight at once, QRS side (site of ${count(size.allocations)})`,
      target: `≤ deleteConcurrency ${s.deleteConcurrency}`,
      actual: String(release.server.maxDeletesInFlight),
      pass: release.server.maxDeletesInFlight <= s.deleteConcurrency,
    });
    goals.push({
      goal: `Monitor run (site of ${count(size.allocations)}): QRS requests / Timestream write calls`,
      target: '≤ 3 / 1',
      actual: `${size.monitor.qrsRequests} / ${size.monitor.timestreamCalls}`,
      pass: size.monitor.qrsRequests <= 3 && size.monitor.timestreamCalls <= 1,
    });
  }
  goals.push(...scaleGoals(report.scale));
  const bare = report.bundles?.bare.medianImportMs ?? 0;
  for (const bundle of report.bundles?.lambdas ?? []) {
    const fastEnough = bundle.medianImportMs <= IMPORT_LIMIT_MS;
    goals.push(
      {
        goal: `Bundle ${bundle.name}: size (minified, no source map)`,
        target: '≤ 1.5 MB',
        actual: `${megabytes(bundle.bytes)}`,
        pass: bundle.bytes <= BUNDLE_LIMIT_BYTES,
      },
      {
        goal: `Bundle ${bundle.name}: cold import, Node ${report.machine.node}`,
        target: `≤ ${IMPORT_LIMIT_MS} ms`,
        actual: `${bundle.medianImportMs.toFixed(0)} ms = ${(bundle.medianImportMs / Math.max(1, bare)).toFixed(1)}× a bare import('node:https') (${bare.toFixed(0)} ms, same run)`,
        pass: fastEnough,
        ...(fastEnough ? {} : { why: importWhy(report, bundle) }),
      },
    );
  }
  const at10k = report.sizes.find((size) => size.allocations === 10_000);
  if (at10k?.reference?.phases) {
    const plan = at10k.reference.phases.plan;
    const requests = plan.requests / at10k.dryRun.qrsRequests;
    const wall = plan.wallMs / at10k.dryRun.wallMs;
    goals.push(
      {
        goal: 'vs reference at 10,000, release plan (dry run): fewer QRS requests',
        target: '≥ 20×',
        actual: `${requests.toFixed(0)}× (${plan.requests} vs ${at10k.dryRun.qrsRequests})`,
        pass: requests >= 20,
      },
      {
        goal: 'vs reference at 10,000, release plan (dry run): less wall time',
        target: '≥ 10×',
        actual: `${wall.toFixed(0)}× (${seconds(plan.wallMs)} vs ${seconds(at10k.dryRun.wallMs)})`,
        pass: wall >= 10,
      },
    );
    const ref = at10k.reference;
    const realWall = ref.wallMs / at10k.release.wallMs;
    if (!ref.dryRun)
      goals.push({
        goal: `vs reference at 10,000, real release of ${count(at10k.release.released)}: less wall time`,
        target: '≥ 10×',
        actual: `${realWall.toFixed(1)}× (${seconds(ref.wallMs)} vs ${seconds(at10k.release.wallMs)})`,
        pass: realWall >= 10,
      });
  }
  return goals;
}

const MB = 1024 * 1024;

/** Issue 15: every candidate with its user record, the usual run, the DELETE phase at 20 ms. */
function bulkGoals(size: SizeResult, concurrency: number, deleteLatencyMs: number): Goal[] {
  const goals: Goal[] = [];
  const { bulkCli, bulkDryRun, usualDryRun, shortDeletes, deleteFloor } = size;
  const label = `Release dry run, ${count(size.allocations)} allocations, cap above the candidates (every candidate needs its user record)`;
  if (bulkCli) {
    const requests = bulkCli.server.routes.reduce((sum, route) => sum + route.requests, 0);
    goals.push(
      {
        goal: `${label}: QRS requests`,
        // Issue 21: 10, plus the table's cross-check (a count per tag and customProperty rule,
        // shared with the rule check); the user and userDirectory rules' checks take the rest;
        // issue 26: the license overview, for the excess (docs/release.md, "Excess"); the custom
        // property definitions, for the rule check (a value among the property's choices).
        target: '≤ 14 (cross-check, rule checks and the excess read included)',
        actual: `${requests} (${count(bulkCli.candidates)} candidates; ${routes(bulkCli.server)})`,
        pass: requests <= 14,
      },
      {
        goal: `${label}: CLI wall time, process start to exit`,
        target: '≤ 3 s',
        actual: seconds(bulkCli.wallMs),
        pass: bulkCli.wallMs <= 3_000,
        ...(bulkCli.wallMs <= 3_000
          ? {}
          : {
              why: `Missed by ${seconds(bulkCli.wallMs - 3_000)}. The CLI process used ${seconds(bulkCli.cpuMs)} of CPU, start-up included, the simulator ${seconds(bulkCli.server.cpuMs)}: the rest of the wall time is waiting for the machine's CPUs (see the load average under "Machine"). The same plan in a warm process took ${bulkDryRun ? seconds(bulkDryRun.wallMs) : '?'} (CPU ${bulkDryRun ? seconds(bulkDryRun.cpuMs) : '?'}); the rest is the CLI's start (Node.js loading the built command) and writing ${count(bulkCli.candidates)} audit log lines to stderr and ${(bulkCli.stdoutBytes / MB).toFixed(1)} MB of JSON to stdout.`,
            }),
      },
      {
        goal: `${label}: CLI peak memory (RSS)`,
        target: '≤ 300 MB',
        actual: `${bulkCli.peakRssMb.toFixed(0)} MB (in process, as in Lambda: ${bulkDryRun ? `${bulkDryRun.peakRssMb.toFixed(0)} MB` : '?'})`,
        pass: bulkCli.peakRssMb <= 300,
      },
    );
  }
  if (usualDryRun)
    goals.push({
      goal: `The usual dry run (cap 50), ${count(size.allocations)} allocations: QRS requests`,
      // Issue 24: each neverRelease rule kind is held against QRS, one count each here (user,
      // userDirectory, tag, customProperty: the bench's rules).
      // Issue 26: one more, the license overview for the excess.
      target: '≤ 5 + 4 rule checks + 1 excess read = 10',
      actual: `${usualDryRun.qrsRequests} (${routes(usualDryRun.server)})`,
      pass: usualDryRun.qrsRequests <= 10,
    });
  const window = shortDeletes?.deletePhase;
  if (shortDeletes && window) {
    const phase = window.endMs - window.startMs;
    const floor = deleteFloor
      ? `; bare node:https, same DELETEs: ${seconds(deleteFloor.wallMs)}`
      : '';
    goals.push(
      {
        goal: `${count(shortDeletes.released)} real DELETEs of ${deleteLatencyMs} ms, deleteConcurrency ${concurrency}: the DELETE phase`,
        target: `≤ 3.5 s (latency alone: ${seconds((shortDeletes.released * deleteLatencyMs) / concurrency)})`,
        actual: `${seconds(phase)}${floor}`,
        pass: phase <= 3_500,
        ...(phase <= 3_500
          ? {}
          : {
              why: `Missed by ${seconds(phase - 3_500)}${deleteFloor ? `; bare node:https with no product code needed ${seconds(deleteFloor.wallMs)} for the same 1,000 DELETEs on this machine at the same time` : ''}. See "The DELETE phase".`,
            }),
      },
      {
        goal: `${count(shortDeletes.released)} real DELETEs of ${deleteLatencyMs} ms: DELETEs in flight at once, QRS side`,
        target: `≤ deleteConcurrency ${concurrency}`,
        actual: String(shortDeletes.server.maxDeletesInFlight),
        pass: shortDeletes.server.maxDeletesInFlight <= concurrency,
      },
    );
  }
  return goals;
}

function releaseWhy(size: SizeResult): string {
  const { release, dryRun } = size;
  const phase = release.deletePhase ? release.deletePhase.endMs - release.deletePhase.startMs : 0;
  const planning = release.deletePhase?.startMs ?? 0;
  return `Missed by ${seconds(release.wallMs - 6_000)}: planning took ${seconds(planning)} (the dry run of this site ${seconds(dryRun.wallMs)}), the DELETEs ${seconds(phase)}. See "The DELETE phase" below.`;
}

/** What bounds the DELETE phase here: latency, the machine, or the product's CPU per DELETE. */
function deleteAnalysis(report: BenchReport): string | undefined {
  const s = report.settings;
  const size = report.sizes.find((each) => each.deleteFloor);
  const floor = size?.deleteFloor;
  const window = size?.release.deletePhase;
  if (!size || !floor || !window) return undefined;
  const { release, dryRun, shortDeletes } = size;
  const deleteMs = s.latencyMs + s.deleteLatencyMs;
  const phase = window.endMs - window.startMs;
  const ideal = (release.released * deleteMs) / s.deleteConcurrency;
  const cpuPerDelete = (release.cpuMs - dryRun.cpuMs) / Math.max(1, release.released);
  const floorCpu = floor.cpuMs / Math.max(1, floor.qrsRequests);
  const short =
    shortDeletes?.deletePhase && shortDeletes.deletePhase.endMs - shortDeletes.deletePhase.startMs;
  const shortIdeal = (release.released * s.deleteLatencyMs) / s.deleteConcurrency;
  return [
    `At ${count(size.allocations)} allocations the ${count(release.released)} DELETEs of ${deleteMs} ms took ${seconds(phase)}; latency alone (${s.deleteConcurrency} at a time) allows ${seconds(ideal)}.`,
    short
      ? `With DELETEs of ${s.deleteLatencyMs} ms in all, the product's DELETE phase took ${seconds(short)} (latency alone: ${seconds(shortIdeal)}),`
      : '',
    `and bare \`node:https\` with no product code, the same ${s.deleteLatencyMs} ms, concurrency and simulator, right after it, ${seconds(floor.wallMs)} for 1,000.`,
    `The product's process spent ${cpuPerDelete.toFixed(1)} ms of CPU per DELETE (the real run's CPU less the dry run's), bare \`node:https\` ${floorCpu.toFixed(1)} ms,`,
    `the simulator ${seconds(release.server.cpuMs)} over the real run. When the DELETE phase stays near the bare floor whatever the latency, the machine's ${report.machine.cpus} CPUs (shared with the simulator and, at a load average of ${Math.max(report.machine.load.start, report.machine.load.end).toFixed(1)}, with other work) bound it, not the latency;`,
    "the product's share is its CPU per DELETE above the floor (QRS client and audit log line). The QRS client sends through axios (the project's HTTP client) on a kept-alive `node:https` agent (shared/http/text-client.ts); what axios adds per DELETE is part of the product's CPU above the floor.",
  ].join(' ');
}

function importWhy(report: BenchReport, bundle: BundleFact): string {
  const parts = [...(report.bundles?.parts ?? [])].sort(
    (a, b) => b.medianImportMs - a.medianImportMs,
  );
  const listed = parts
    .map((part) => `${part.name} ${part.medianImportMs.toFixed(0)} ms`)
    .join('; ');
  return `Missed by ${(bundle.medianImportMs - IMPORT_LIMIT_MS).toFixed(0)} ms. The parts imported alone, each in a fresh process: ${listed} (they share code, so they do not add up; see "Cold import: the parts alone").`;
}

// ---- rows ----

interface Row {
  size: string;
  scenario: string;
  wall: string;
  cpu: string;
  simCpu: string;
  requests: string;
  routes: string;
  received: string;
  peakRss: string;
  heap: string;
  timestream: string;
  emf: string;
  plan: string;
  released: string;
  inFlight: string;
}

const COLUMNS: Array<[keyof Row, string]> = [
  ['size', 'Allocations'],
  ['scenario', 'Scenario'],
  ['wall', 'Wall'],
  ['cpu', 'CPU'],
  ['simCpu', 'Simulator CPU'],
  ['requests', 'QRS req.'],
  ['routes', 'Requests per route'],
  ['received', 'Received'],
  ['peakRss', 'Peak RSS'],
  ['heap', 'Peak heap'],
  ['timestream', 'Timestream rec./calls'],
  ['emf', 'EMF lines'],
  ['plan', 'Read → candidates'],
  ['released', 'Released'],
  ['inFlight', 'DELETE max in flight'],
];

const blank: Omit<Row, 'size' | 'scenario'> = {
  wall: '',
  cpu: '',
  simCpu: '',
  requests: '',
  routes: '',
  received: '',
  peakRss: '',
  heap: '',
  timestream: '',
  emf: '',
  plan: '',
  released: '',
  inFlight: '',
};

function rows(report: BenchReport): Row[] {
  const out: Row[] = [];
  const { deleteConcurrency } = report.settings;
  for (const size of report.sizes) {
    const label = count(size.allocations);
    const row = (scenario: string, m: Measured, deletes: boolean): Row => ({
      size: label,
      scenario,
      wall: [
        seconds(m.wallMs),
        m.deletePhase ? `(DELETEs ${seconds(m.deletePhase.endMs - m.deletePhase.startMs)})` : '',
        m.wallRunsMs && m.wallRunsMs.length > 1
          ? `[${m.wallRunsMs.map((run) => (run / 1000).toFixed(2)).join(', ')}]`
          : '',
      ]
        .filter(Boolean)
        .join(' '),
      cpu: seconds(m.cpuMs),
      simCpu: seconds(m.server.cpuMs),
      requests: String(m.qrsRequests),
      routes: routes(m.server),
      received: megabytes(m.bytesReceived),
      peakRss: `${m.peakRssMb.toFixed(0)} MB (+${Math.max(0, m.peakRssMb - m.baselineRssMb).toFixed(0)})`,
      heap: `${m.peakHeapUsedMb.toFixed(0)} MB`,
      timestream: `${m.timestreamRecords} / ${m.timestreamCalls}`,
      emf: String(m.emfLines),
      plan: m.kind === 'monitor' ? '–' : `${count(m.allocationsRead)} → ${count(m.candidates)}`,
      released: m.kind === 'monitor' || m.dryRun ? '–' : count(m.released),
      inFlight: deletes ? `${m.server.maxDeletesInFlight} (limit ${deleteConcurrency})` : '–',
    });
    out.push(row('monitor', size.monitor, false));
    out.push(row('release dry run', size.dryRun, false));
    out.push(row('release (real)', size.release, true));
    const ref = size.reference;
    if (ref?.phases) {
      const plan = ref.phases.plan;
      out.push({
        ...row('reference: plan (= its dry run)', ref, false),
        wall: seconds(plan.wallMs),
        cpu: '–',
        simCpu: '–',
        requests: String(plan.requests),
        routes: routes(ref.server, (route) => !route.startsWith('DELETE')),
        received: megabytes(plan.bytesReceived),
        peakRss: '–',
        heap: '–',
        timestream: '–',
        emf: '–',
        released: '–',
      });
      if (!ref.dryRun)
        out.push({
          ...row('reference: real release', ref, true),
          wall: `${seconds(ref.wallMs)} (DELETEs ${seconds(ref.phases.delete.wallMs)})`,
          timestream: '–',
          emf: '–',
          inFlight: String(ref.server.maxDeletesInFlight),
        });
      const real = (reference: number, ours: number) =>
        ref.dryRun ? '' : `, real ${ratio(reference, ours)}`;
      out.push({
        ...blank,
        size: label,
        scenario: 'ratio reference / ours',
        wall: `dry ${ratio(plan.wallMs, size.dryRun.wallMs)}${real(ref.wallMs, size.release.wallMs)}`,
        requests: `dry ${ratio(plan.requests, size.dryRun.qrsRequests)}${real(ref.qrsRequests, size.release.qrsRequests)}`,
        routes:
          ref.planHash === size.release.planHash
            ? 'same plan (hash of the candidate ids equal)'
            : 'PLANS DIFFER',
        received: `dry ${ratio(plan.bytesReceived, size.dryRun.bytesReceived)}`,
      });
    }
    if (size.usualDryRun) out.push(row('release dry run, cap 50', size.usualDryRun, false));
    if (size.bulkDryRun)
      out.push(row('release dry run, cap above the candidates', size.bulkDryRun, false));
    const cli = size.bulkCli;
    if (cli)
      out.push({
        ...blank,
        size: label,
        scenario: 'CLI dry run, cap above the candidates (process start to exit)',
        wall: seconds(cli.wallMs),
        cpu: seconds(cli.cpuMs),
        simCpu: seconds(cli.server.cpuMs),
        requests: String(cli.server.routes.reduce((sum, route) => sum + route.requests, 0)),
        routes: routes(cli.server),
        peakRss: `${cli.peakRssMb.toFixed(0)} MB`,
        plan: `${count(cli.candidates + cli.kept)} → ${count(cli.candidates)}`,
        released: '–',
        inFlight: '–',
      });
    const short = size.shortDeletes;
    if (short)
      out.push(
        row(`release (real), DELETE ${report.settings.deleteLatencyMs} ms in all`, short, true),
      );
    const floor = size.deleteFloor;
    if (floor)
      out.push({
        ...blank,
        size: label,
        scenario: `DELETE floor: bare node:https, ${report.settings.deleteLatencyMs} ms in all`,
        wall: seconds(floor.wallMs),
        cpu: seconds(floor.cpuMs),
        simCpu: seconds(floor.server.cpuMs),
        requests: String(floor.qrsRequests),
        routes: routes(floor.server),
        inFlight: `${floor.server.maxDeletesInFlight} (limit ${deleteConcurrency})`,
      });
  }
  return out;
}

function routes(stats: SimulatorStats, include: (route: string) => boolean = () => true): string {
  return stats.routes
    .filter((route) => include(route.route))
    .map((route) => `${ROUTE_NAMES[route.route] ?? route.route} ${route.requests}`)
    .join(', ');
}

// ---- stdout ----

export function printReport(report: BenchReport, goals: Goal[]): void {
  const table = rows(report);
  const widths = COLUMNS.map(([key, title]) =>
    Math.max(title.length, ...table.map((row) => row[key].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  out.push('', line(COLUMNS.map(([, title]) => title)));
  out.push(line(widths.map((width) => '-'.repeat(width))));
  for (const row of table) out.push(line(COLUMNS.map(([key]) => row[key])));
  if (report.bundles) {
    const bare = report.bundles.bare;
    out.push(
      '',
      `Bare import('node:https') in a fresh process: ${bare.medianImportMs.toFixed(0)} ms (${bare.importMs.map((v) => v.toFixed(0)).join(', ')})`,
    );
    out.push('', `${'Bundle'.padEnd(58)} ${'Size'.padEnd(9)} Cold import (median; runs)`);
    for (const bundle of [...report.bundles.lambdas, ...report.bundles.parts])
      out.push(
        `${bundle.name.padEnd(58)} ${megabytes(bundle.bytes).padEnd(9)} ${bundle.medianImportMs.toFixed(0)} ms (${bundle.importMs.map((v) => v.toFixed(0)).join(', ')})`,
      );
  }
  for (const size of report.scale)
    for (const [label, run] of [
      [`usual run (cap ${size.usualCap})`, size.usual],
      ['whole-site dry run', size.wholeSite],
    ] as const)
      out.push(
        `CLI ${size.allocations} allocations, ${label}: peak RSS ${run.peakRssMb.toFixed(0)} MB, ${requestsOf(run)} QRS requests, ${seconds(run.wallMs)}`,
      );
  out.push('', 'Goals');
  for (const goal of goals)
    out.push(`  ${verdict(goal.pass)}  ${goal.goal}: ${goal.actual} (target ${goal.target})`);
  const m = report.machine;
  out.push(
    '',
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGb.toFixed(1)} GB, Node ${m.node}, ${m.platform}; load average ${m.load.start.toFixed(1)} at start, ${m.load.end.toFixed(1)} at end`,
    `Benchmark took ${report.totalSeconds.toFixed(0)} s.`,
    '',
  );
  process.stdout.write(out.join('\n'));
}

// ---- BENCHMARKS.md ----

export function markdownReport(report: BenchReport, goals: Goal[]): string {
  const s = report.settings;
  const table = rows(report);
  const md: string[] = [
    '# Benchmarks',
    '',
    'Does one Lambda run hold a large enterprise site? `npm run bench` (issues 6, 15 and 25) runs the',
    'product against the QRS simulator at 1,000, 10,000 and 50,000 allocations and measures each run,',
    'measures the CLI\'s peak memory at 50,000, 100,000 and 200,000 allocations ("Memory per',
    'allocation"), then bundles the two Lambda functions. This file is written by the benchmark;',
    '"How it measures" at the end explains the numbers.',
    '',
    `Run ${report.startedAt}; the whole benchmark took ${report.totalSeconds.toFixed(0)} s.`,
    ...loadNote(report),
    '',
    '## Goals',
    '',
    '| | Goal | Target | Measured |',
    '| --- | --- | --- | --- |',
    ...goals.map(
      (goal) => `| ${verdict(goal.pass)} | ${goal.goal} | ${goal.target} | ${goal.actual} |`,
    ),
  ];
  const missed = goals.filter((goal) => goal.why);
  if (missed.length > 0) {
    md.push('', '### Where a goal is missed', '');
    for (const goal of missed) md.push(`- **${goal.goal}.** ${goal.why}`);
  }
  const deletes = deleteAnalysis(report);
  if (deletes) md.push('', '### The DELETE phase', '', deletes);
  md.push(
    '',
    '## Results',
    '',
    `Simulator latency ${s.latencyMs} ms per request, DELETEs ${s.deleteLatencyMs} ms more (${s.latencyMs + s.deleteLatencyMs} ms each).`,
    `Release rules: thresholds 30 days for both types, \`maxReleasesPerRun: ${s.maxReleasesPerRun}\`, \`deleteConcurrency: ${s.deleteConcurrency}\`,`,
    '`neverRelease` with one user, `userDirectory: [ADMIN]`, a tag, a custom property and `blocked: Yes`',
    '(so user records are needed: in 50-id batches, or in a few `/qrs/user/table` pages when that takes',
    'fewer requests). Timestream and CloudWatch destinations on.',
    '"Read → candidates": allocations QRS returned for the `lastUsed` filter → allocations selected.',
    '',
    `| ${COLUMNS.map(([, title]) => title).join(' | ')} |`,
    `| ${COLUMNS.map(() => '---').join(' | ')} |`,
    ...table.map((row) => `| ${COLUMNS.map(([key]) => row[key]).join(' | ')} |`),
    ...scaleMarkdown(report.scale, s.latencyMs),
  );
  if (report.bundles) {
    md.push(
      '',
      '## Lambda bundles',
      '',
      `Cold import as a ratio to a bare \`node -e "import('node:https')"\` timed the same way in the same run (${report.bundles.bare.medianImportMs.toFixed(0)} ms; runs ${report.bundles.bare.importMs.map((v) => v.toFixed(0)).join(', ')}), so a slower or busier machine shows in both.`,
      '',
      '| Bundle | Size (minified, no source map) | Cold import (median) | Ratio to bare node:https | Runs (ms) | Largest packages in it |',
      '| --- | --- | --- | --- | --- | --- |',
      ...report.bundles.lambdas.map(
        (bundle) =>
          `| ${bundle.name} | ${megabytes(bundle.bytes)} | ${bundle.medianImportMs.toFixed(0)} ms | ${(bundle.medianImportMs / Math.max(1, report.bundles?.bare.medianImportMs ?? 1)).toFixed(1)}× | ${bundle.importMs.map((v) => v.toFixed(0)).join(', ')} | ${bundle.largestInputs
            .map((input) => `${input.path} ${(input.bytes / 1000).toFixed(0)} kB`)
            .join(', ')} |`,
      ),
      '',
      '### Cold import: the parts alone',
      '',
      'Each part bundled the same way and imported alone in a fresh process (median of the runs). The',
      'parts share code (the AWS SDK core, zod), so they do not add up to the bundles.',
      '',
      '| Part | Size | Cold import (median) | Runs (ms) |',
      '| --- | --- | --- | --- |',
      ...report.bundles.parts.map(
        (part) =>
          `| ${part.name} | ${megabytes(part.bytes)} | ${part.medianImportMs.toFixed(0)} ms | ${part.importMs.map((v) => v.toFixed(0)).join(', ')} |`,
      ),
    );
  }
  const m = report.machine;
  md.push(
    '',
    '## Machine',
    '',
    `- ${m.cpus} CPUs (\`nproc\`), ${m.cpuModel}; ${m.memoryGb.toFixed(1)} GB memory`,
    `- Node.js ${m.node} (the \`node\` dev dependency, the Lambda runtime's major version), esbuild ${m.esbuild}`,
    `- ${m.platform}`,
    `- 1-minute load average ${m.load.start.toFixed(1)} when the run started, ${m.load.end.toFixed(1)} when it ended${
      Math.max(m.load.start, m.load.end) > m.cpus
        ? ` (above ${m.cpus}: other work competed for the CPUs, so the wall times are on the pessimistic side)`
        : ''
    }`,
    '',
    '## Reproduce',
    '',
    '```sh',
    'npm ci',
    report.command,
    '```',
    '',
    '`npm run bench -- --sizes 1000,10000` runs a subset (printed; BENCHMARKS.md is rewritten only by',
    'a run of every default size, or with `--out FILE`). Other options: `--latency MS`,',
    '`--delete-latency MS`, `--delete-concurrency N`, `--max-releases N`,',
    '`--reference-sizes LIST|all|none`, `--import-runs N`, `--no-bundles`, `--seed N`,',
    '`--profile DIR` (a CPU profile of each measured run, start-up excluded), `--scale-sizes LIST`,',
    '`--scale-only` (only the memory per allocation, printed).',
    '',
    ...METHOD,
  );
  return `${md.join('\n')}\n`;
}

/** Said up front when other work shared the CPUs: wall times then say more about the machine. */
function loadNote(report: BenchReport): string[] {
  const m = report.machine;
  const load = Math.max(m.load.start, m.load.end);
  if (load <= m.cpus) return [];
  return [
    '',
    `**The machine was loaded**: a 1-minute load average of ${m.load.start.toFixed(1)} at the start and ${m.load.end.toFixed(1)} at the end on ${m.cpus} CPUs (other work shared them), so every wall time here is pessimistic: compare it with the CPU time next to it. Memory and request counts do not depend on the load.`,
  ];
}

const METHOD = [
  '## How it measures',
  '',
  '- **Processes.** The simulator (`test/simulator/`, real HTTPS with mutual TLS) runs in a process',
  '  of its own per site size, and every scenario in a fresh process (`test/bench/scenario.ts`).',
  "  Peak memory is the product's alone: `process.resourceUsage().maxRSS` of that process, Node.js,",
  '  tsx and every module included (what Lambda reports as "Max Memory Used"), with in brackets',
  '  the growth over the RSS before the run; the heap is sampled every 10 ms.',
  '- **Wiring.** As in the Lambda handlers: `createQrsClient` from the site config, Powertools',
  '  Logger and Metrics, the sinks `destinations` turns on. The Timestream client is a real',
  '  `TimestreamWriteClient` mocked with aws-sdk-client-mock (records and `WriteRecords` calls',
  '  counted; nothing reaches AWS); the EMF documents and log lines on stdout are counted.',
  '- **Wall time** runs from creating the QRS client (TLS handshake included) to the end of the run',
  '  and its sinks; process start and module loading are not in it (the bundle table has the cold',
  "  import). **CPU** is the process's user + system time over the same span: at the default 512 MB",
  '  a Lambda function gets about 0.3 of a vCPU, so CPU-bound parts take about three times longer',
  "  there than here. **Simulator CPU** is the simulator process's over the scenario (it answers",
  '  one request at a time: were it near the wall time, the simulator would be the bottleneck).',
  '- **Requests per route and DELETEs in flight** are counted by the simulator, i.e. as QRS sees',
  '  them; "QRS req." and "Received" by the QRS client.',
  '- **Site.** `generateSite` (seed 42): half Professional, half Analyzer, one user each; about a',
  '  third used in the last month, a third idle 1–12 months, a fifth idle longer, a tenth never',
  '  used, 2 % quarantined; users in four directories, 3 % tagged "License do not release", 2 % with',
  '  the custom property, 1 % blocked. Every run of a size starts from the same site (the simulator',
  '  puts back what a real release removed).',
  "- **Reference.** The same plan done Butler's way over the same `QrsClient` and simulator",
  '  (`test/bench/reference.ts`): the two lists one after the other, one `GET /qrs/user/{id}` per',
  '  allocation past the threshold (Butler reads one per listed non-quarantined allocation, more),',
  "  the product's own planner, then one DELETE at a time. Its plan phase is its dry run. The table",
  '  checks that both chose the same allocations. By default it plans at 1,000 and plans and',
  '  releases at 10,000; at 50,000 it would send about 30,000 requests one after the other',
  '  (`--reference-sizes all`).',
  '- **Repetitions.** Dry runs and real releases run three times each (`--repeat N`), each in a',
  '  fresh process; the table shows the median run, with every wall time in brackets.',
  '- **"DELETE N ms in all".** At the largest size the real release runs once more with DELETEs',
  '  answered after N ms in all instead of N ms on top of the latency every request has: the other',
  '  way to read "20 ms DELETE latency".',
  '- **DELETE floor.** 1,000 DELETEs of ids that do not exist, sent with bare `node:https` at the',
  '  same concurrency to the same simulator, with the same "N ms in all" DELETEs, right after that',
  "  run: what this machine allows, with none of the product's code (QRS client, audit log, sinks)",
  '  in the way.',
  '- **Cap above the candidates.** At the largest size the dry run runs twice more: with the',
  '  default cap 50 (the usual run), and with `maxReleasesPerRun` 1,000,000, so every candidate',
  '  needs its user record (a first clean-up of a large site). The latter also runs as a new user',
  "  starts it, `license-steward release --dry-run --json 2> audit.log | …` (the package's `bin`,",
  '  `dist/license-steward.mjs` as `npm run build` makes it; the JSON into a pipe,',
  '  the log lines into a file; `test/bench/cli-run.ts`): wall time from spawning the process to',
  '  its exit (Node.js start-up, one audit line per candidate and the JSON included), CPU',
  "  and peak RSS the process's own (`process.resourceUsage()` at exit), requests as the",
  '  simulator counted them. With the log lines into a pipe whose reader lags instead, Node.js',
  '  queues them in memory: about 45 MB more peak RSS measured.',
  '- **Memory per allocation.** At 50,000, 100,000 and 200,000 allocations (`--scale-sizes`) the',
  '  CLI runs as an administrator starts it, `license-steward release --dry-run --json > out 2> log`,',
  '  twice per size, each in a fresh process: the usual run (`maxReleasesPerRun` 1,000) and the',
  "  whole-site dry run (the cap above every candidate). Peak RSS is the process's `maxRSS`; the",
  '  growth per allocation is the slope from the smallest to the largest size. The simulator',
  '  serves the same generated site (users with tags and custom properties).',
  '- **Bundles.** `functions/license-{monitor,release}/handler.ts` bundled with esbuild as',
  '  `infra/constructs/steward-function.ts` has the CDK do it (ESM, `node22`, minified, AWS SDK',
  '  bundled, configuration inlined with Timestream on), without the source map. Cold import =',
  '  `import()` of the bundle in a new Node.js process, timed inside it, and as a ratio to a bare',
  "  `import('node:https')` timed the same way in the same run.",
];

function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'FAIL';
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function megabytes(bytes: number): string {
  return bytes >= 1_000_000
    ? `${(bytes / 1_000_000).toFixed(2)} MB`
    : `${(bytes / 1000).toFixed(0)} kB`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function ratio(reference: number, ours: number): string {
  return ours > 0 ? `${(reference / ours).toFixed(1)}×` : '–';
}
