/**
 * The release dry run as a new user starts it: `license-steward release --dry-run --json` in a
 * fresh process (the package's `bin`: dist/license-steward.mjs as `npm run build` makes it, built
 * once per benchmark into a temporary folder; not the sources through tsx, whose compiling at start
 * costs about 1 s of CPU and 45 MB that no user pays), certificates from files, against the
 * simulator. Wall time is from spawning the process to its exit (start-up and the JSON of every
 * candidate included); peak memory is the process's own `maxRSS`, written by a preload at exit.
 * The JSON goes to a pipe (as into `jq`), the log lines, one per candidate, to a file (as
 * `2> audit.log`): into a pipe whose reader lags, Node.js queues the ~26,000 lines in memory
 * (about 45 MB more peak RSS measured), which says more about the reader than about the run.
 */

import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { buildCli } from '#functions/cli/build.ts';
import type { QrsTlsMaterial } from '#shared/qrs/client.ts';
import { benchReleaseBlock } from './protocol.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRunResult {
  ok: boolean;
  exitCode: number | null;
  wallMs: number;
  peakRssMb: number;
  /** User + system CPU of the CLI process, start-up included. */
  cpuMs: number;
  candidates: number;
  kept: number;
  stdoutBytes: number;
  error?: string;
}

/** The package's `bin`, built once per benchmark process (kept until the process ends). */
let builtCli: Promise<string> | undefined;
function cliBundle(): Promise<string> {
  builtCli ??= (async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'license-steward-cli-bundle-'));
    process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
    const outfile = path.join(folder, 'license-steward.mjs');
    await buildCli(outfile);
    return outfile;
  })();
  return builtCli;
}

export async function cliDryRun(options: {
  port: number;
  tls: QrsTlsMaterial;
  maxReleasesPerRun: number;
  deleteConcurrency: number;
}): Promise<CliRunResult> {
  const folder = mkdtempSync(path.join(tmpdir(), 'license-steward-cli-bench-'));
  try {
    const file = (name: string, text: string) => {
      const full = path.join(folder, name);
      writeFileSync(full, text);
      return full;
    };
    const config = {
      sites: [
        {
          name: 'bench',
          qrs: {
            host: 'localhost',
            port: options.port,
            certificates: {
              cert: { file: file('client.pem', options.tls.cert) },
              key: { file: file('client_key.pem', options.tls.key) },
              ca: { file: file('root.pem', options.tls.ca) },
            },
          },
          licenseRelease: benchReleaseBlock({ ...options, dryRun: true }),
        },
      ],
    };
    const configFile = file('license-steward.yaml', stringify(config));
    const rssFile = path.join(folder, 'maxrss');
    const preload = file(
      'maxrss.mjs',
      `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.resourceUsage(); writeFileSync(${JSON.stringify(rssFile)}, JSON.stringify([u.maxRSS, (u.userCPUTime + u.systemCPUTime) / 1000])); });\n`,
    );
    const bin = await cliBundle();
    const logFile = path.join(folder, 'audit.log');
    const log = openSync(logFile, 'w');
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ['--import', preload, bin, 'release', '--config', configFile, '--dry-run', '--json'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', log], env: { PATH: process.env.PATH ?? '' } },
    );
    const out: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const wallMs = performance.now() - started;
    closeSync(log);
    const err = exitCode === 0 ? '' : readFileSync(logFile, 'utf8');
    const stdout = Buffer.concat(out).toString('utf8');
    let candidates = 0;
    let kept = 0;
    try {
      const result = JSON.parse(stdout) as {
        sites?: Array<{ candidates?: unknown[]; kept?: unknown[] }>;
      };
      candidates = result.sites?.[0]?.candidates?.length ?? 0;
      kept = result.sites?.[0]?.kept?.length ?? 0;
    } catch {
      // Reported below through ok/error.
    }
    const [maxRssKb, cpuMs] = JSON.parse(readFileSync(rssFile, 'utf8')) as [number, number];
    return {
      ok: exitCode === 0 && candidates > 0,
      exitCode,
      wallMs,
      peakRssMb: maxRssKb / 1024,
      cpuMs,
      candidates,
      kept,
      stdoutBytes: Buffer.byteLength(stdout),
      ...(exitCode === 0 ? {} : { error: err.slice(-500) }),
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
