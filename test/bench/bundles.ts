/**
 * Bundle facts: each Lambda entry bundled with esbuild the way `infra/constructs/steward-function.ts`
 * has the CDK bundle it (ESM, node22, minified, `module,main` fields, the AWS SDK bundled, the
 * `require` banner, and the config inlined by `define`), without the source
 * map; then the time to import the bundle in a fresh Node.js process (what a Lambda cold start
 * pays for the code before the first event), median of a few runs. The same for a few
 * dependencies alone, to show what the import time is made of.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { parseConfig } from '#shared/config/load.ts';
import { runtimeConfig } from '#shared/config/runtime-config.ts';
import { CONFIG_ENV } from '#shared/env-names.ts';
import { BUNDLE_ALIASES } from '../../infra/bundling/bundle-aliases.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ESM_REQUIRE_BANNER =
  "import { createRequire as __lsCreateRequire } from 'node:module'; const require = __lsCreateRequire(import.meta.url);";

export const LAMBDA_ENTRIES = [
  { name: 'license-monitor', entry: 'functions/license-monitor/handler.ts' },
  { name: 'license-release', entry: 'functions/license-release/handler.ts' },
] as const;

/** Parts of the bundles, each bundled and imported alone (they share code, so they do not add up). */
const PARTS: Array<{ name: string; code: string }> = [
  {
    name: 'node:https alone (floor)',
    code: "import https from 'node:https'; export const agent = new https.Agent();",
  },
  {
    name: 'QRS client (axios on node:https, schemas)',
    code: "import { QrsClient } from '#shared/qrs/client.ts'; export const c = QrsClient;",
  },
  { name: 'zod', code: "import { z } from 'zod'; export const s = z.object({ a: z.string() });" },
  {
    name: 'config check at start (zod schema, configFromEnv)',
    code: "import { configFromEnv } from '#shared/lambda/config-from-env.ts'; export const config = configFromEnv();",
  },
  {
    name: 'Timestream client made (@aws-sdk/client-timestream-write)',
    code: "import { createTimestreamClient } from '#shared/sinks/timestream/client.ts'; export const client = createTimestreamClient();",
  },
  {
    name: '@middy/core + @aws-sdk/client-ssm',
    code: "import middy from '@middy/core'; import { SSMClient } from '@aws-sdk/client-ssm'; export const m = [middy, SSMClient];",
  },
  {
    name: 'Powertools Logger + Metrics made',
    code: "import { Logger } from '@aws-lambda-powertools/logger'; import { Metrics } from '@aws-lambda-powertools/metrics'; export const p = [new Logger(), new Metrics({ namespace: 'x' })];",
  },
];

export interface BundleFact {
  name: string;
  entry: string;
  bytes: number;
  /** Fresh-process `import()` of the bundle, each run; the median is the reported figure. */
  importMs: number[];
  medianImportMs: number;
  /** The packages (or project folders) that take most of the bundle. */
  largestInputs: Array<{ path: string; bytes: number }>;
}

export interface BundleReport {
  lambdas: BundleFact[];
  parts: BundleFact[];
  /** `node -e "import('node:https')"`, timed the same way, in the same run: the ratio's base. */
  bare: { importMs: number[]; medianImportMs: number };
}

export async function bundleFacts(options: {
  importRuns: number;
  partRuns: number;
}): Promise<BundleReport> {
  const example = path.join(ROOT, 'examples/license-steward.aws.yaml');
  const config = parseConfig(readFileSync(example, 'utf8'), example);
  // Timestream on: the heavier cold start (the monitor makes its client at import).
  config.destinations.timestream.enable = true;
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: false,
    external: [],
    banner: { js: ESM_REQUIRE_BANNER },
    // As infra does: the runtime part only (no deployment settings in a bundle).
    define: {
      [`process.env.${CONFIG_ENV}`]: JSON.stringify(JSON.stringify(runtimeConfig(config))),
    },
    alias: { ...BUNDLE_ALIASES },
    metafile: true,
    logLevel: 'warning',
  };
  const folder = mkdtempSync(path.join(tmpdir(), 'license-steward-bench-'));
  try {
    const measure = async (
      name: string,
      entry: string,
      input: Pick<BuildOptions, 'entryPoints' | 'stdin'>,
      runs: number,
    ): Promise<BundleFact> => {
      const outfile = path.join(folder, name.replaceAll(/[^A-Za-z0-9-]+/g, '_'), 'index.mjs');
      const result = await build({ ...common, ...input, outfile });
      const output = Object.values(result.metafile?.outputs ?? {})[0];
      const byPackage = new Map<string, number>();
      for (const [file, info] of Object.entries(output?.inputs ?? {}))
        byPackage.set(packageOf(file), (byPackage.get(packageOf(file)) ?? 0) + info.bytesInOutput);
      const largestInputs = [...byPackage]
        .map(([name, bytes]) => ({ path: name, bytes }))
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, 6);
      const importMs: number[] = [];
      for (let run = 0; run < runs; run++) importMs.push(coldImportMs(outfile));
      return {
        name,
        entry,
        bytes: statSync(outfile).size,
        importMs,
        medianImportMs: median(importMs),
        largestInputs,
      };
    };
    const bareMs: number[] = [];
    for (let run = 0; run < options.importRuns; run++) bareMs.push(coldImportMs('node:https'));
    const lambdas: BundleFact[] = [];
    for (const { name, entry } of LAMBDA_ENTRIES)
      lambdas.push(
        await measure(name, entry, { entryPoints: [path.join(ROOT, entry)] }, options.importRuns),
      );
    const parts: BundleFact[] = [];
    for (const part of PARTS)
      parts.push(
        await measure(
          part.name,
          '(stdin)',
          { stdin: { contents: part.code, resolveDir: ROOT, loader: 'ts', sourcefile: 'part.ts' } },
          options.partRuns,
        ),
      );
    return { lambdas, parts, bare: { importMs: bareMs, medianImportMs: median(bareMs) } };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Imports the bundle (or `node:https`, the base of the ratio) in a new Node.js process (this
 * one's binary: Node 22) and times it inside that process.
 */
function coldImportMs(file: string): number {
  const specifier = file.startsWith('node:') ? file : pathToFileURL(file).href;
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: file.startsWith('node:') ? ROOT : path.dirname(file),
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-north-1',
      AWS_LAMBDA_FUNCTION_NAME: 'license-steward-bench',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      // As deployed: the release function has its run ledger table.
      LICENSE_STEWARD_RUNS_TABLE: 'license-steward-bench-runs',
    },
    encoding: 'utf8',
  });
  return Number(out.trim());
}

/** `zod`, `@aws-sdk/client-ssm`, or the project folder (`shared/qrs`) an input file belongs to. */
function packageOf(file: string): string {
  const inModules = file.split('node_modules/');
  if (inModules.length === 1) return file.split('/').slice(0, 2).join('/');
  const parts = (inModules[inModules.length - 1] ?? '').split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? file);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
