/**
 * Issue 25, in numbers: the CLI's peak memory as the site grows (50,000 to 200,000 allocations),
 * its growth per allocation, and the goals of a 512 MB function: the usual run (cap 1,000) and
 * the whole-site dry run of the largest site.
 */
import type { BulkCliResult } from './report.ts';

export interface ScaleResult {
  allocations: number;
  usualCap: number;
  /** `release --dry-run --json` with `maxReleasesPerRun` = `usualCap`. */
  usual: BulkCliResult;
  /** The same with the cap above every candidate: each needs its user record. */
  wholeSite: BulkCliResult;
}

export interface ScaleGoal {
  goal: string;
  target: string;
  actual: string;
  pass: boolean;
}

const USUAL_RSS_MB = 350;
const USUAL_REQUESTS = 30;
const WHOLE_RSS_MB = 450;
const WHOLE_WALL_MS = 20_000;

export function requestsOf(run: BulkCliResult): number {
  return run.server.routes.reduce((sum, route) => sum + route.requests, 0);
}

/** Peak RSS growth per allocation between the smallest and the largest size, in kB. */
export function perAllocationKb(
  scale: readonly ScaleResult[],
  pick: (size: ScaleResult) => BulkCliResult,
): number | undefined {
  const sorted = [...scale].sort((a, b) => a.allocations - b.allocations);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last || first === last) return undefined;
  const deltaMb = pick(last).peakRssMb - pick(first).peakRssMb;
  return (deltaMb * 1024) / (last.allocations - first.allocations);
}

export function scaleGoals(scale: readonly ScaleResult[]): ScaleGoal[] {
  const largest = scale.find((size) => size.allocations === 200_000);
  if (!largest) return [];
  const { usual, wholeSite } = largest;
  return [
    {
      goal: `200,000 allocations, the usual run (cap ${largest.usualCap.toLocaleString('en-US')}), CLI: peak memory (RSS)`,
      target: `≤ ${USUAL_RSS_MB} MB`,
      actual: `${usual.peakRssMb.toFixed(0)} MB`,
      pass: usual.peakRssMb <= USUAL_RSS_MB,
    },
    {
      goal: `200,000 allocations, the usual run (cap ${largest.usualCap.toLocaleString('en-US')}): QRS requests`,
      target: `≤ ${USUAL_REQUESTS}`,
      actual: String(requestsOf(usual)),
      pass: requestsOf(usual) <= USUAL_REQUESTS,
    },
    {
      goal: '200,000 allocations, whole-site dry run, CLI: peak memory (RSS)',
      target: `≤ ${WHOLE_RSS_MB} MB`,
      actual: `${wholeSite.peakRssMb.toFixed(0)} MB`,
      pass: wholeSite.peakRssMb <= WHOLE_RSS_MB,
    },
    {
      goal: '200,000 allocations, whole-site dry run, CLI: wall time, process start to exit',
      target: `≤ ${WHOLE_WALL_MS / 1000} s`,
      actual: `${(wholeSite.wallMs / 1000).toFixed(2)} s`,
      pass: wholeSite.wallMs <= WHOLE_WALL_MS,
    },
  ];
}

/** The markdown section: one row per size and run, then the growth per allocation. */
export function scaleMarkdown(scale: readonly ScaleResult[], latencyMs: number): string[] {
  if (scale.length === 0) return [];
  const rows = scale.flatMap((size) => [
    row(size.allocations, `usual run (cap ${size.usualCap.toLocaleString('en-US')})`, size.usual),
    row(size.allocations, 'whole-site dry run (cap above the candidates)', size.wholeSite),
  ]);
  const usualKb = perAllocationKb(scale, (size) => size.usual);
  const wholeKb = perAllocationKb(scale, (size) => size.wholeSite);
  const growth = (kb: number | undefined) => (kb === undefined ? '–' : `${kb.toFixed(2)} kB`);
  return [
    '',
    '## Memory per allocation (the CLI, 50,000 to 200,000 allocations)',
    '',
    `\`license-steward release --dry-run --json > out.json 2> audit.log\` as an administrator starts it, a fresh process per run, against the simulator (${latencyMs} ms per request), the site generated as below. Peak RSS is the process's own \`maxRSS\` (Node.js and the built command, \`dist/license-steward.mjs\` as \`npm run build\` makes it), what a 512 MB function must hold.`,
    '',
    '| Allocations | Run | Peak RSS | QRS requests | Requests per route | Wall | CPU | Read → candidates | JSON on stdout |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Peak RSS grows by **${growth(usualKb)} per allocation** in the usual run and **${growth(wholeKb)} per allocation** in the whole-site dry run (the slope from the smallest to the largest size above; before issue 25 it was about 2.5–3.5 kB). docs/deploy.md turns these figures into the function memory to choose per site size.`,
  ];
}

function row(allocations: number, label: string, run: BulkCliResult): string {
  const routes = run.server.routes.map((route) => `${shortRoute(route.route)} ${route.requests}`);
  return `| ${allocations.toLocaleString('en-US')} | ${label} | ${run.peakRssMb.toFixed(0)} MB | ${requestsOf(run)} | ${routes.join(', ')} | ${(run.wallMs / 1000).toFixed(2)} s | ${(run.cpuMs / 1000).toFixed(2)} s | ${(run.candidates + run.kept).toLocaleString('en-US')} → ${run.candidates.toLocaleString('en-US')} | ${(run.stdoutBytes / 1_000_000).toFixed(1)} MB |`;
}

function shortRoute(route: string): string {
  return route
    .replace('GET /qrs/license/', '')
    .replace('accesstype/full', '/full')
    .replace('GET /qrs/', '')
    .replace('POST /qrs/', '');
}
