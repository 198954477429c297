/**
 * A real InfluxDB 1.x for the tests: Debian's `influxdb` package (`apt-get install influxdb`,
 * binary `influxd`) started on free loopback ports with its own configuration and data in a
 * temporary folder, and stopped after. Queried with InfluxQL over `/query`, as Grafana does.
 *
 * Where `influxd` is missing, the tests that need it are skipped with a notice naming it; in CI
 * (`CI=true`) a missing `influxd` fails them instead (`.ci/run` installs it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The `influxd` binary: `$INFLUXD`, else the first on `PATH`. */
export const INFLUXD_PATH: string | undefined = findInfluxd();
const REQUIRED = process.env.CI === 'true';

/** True when the tests against a real InfluxDB are to be skipped (missing here, not in CI). */
export const SKIP_INFLUXD = INFLUXD_PATH === undefined && !REQUIRED;
export const SKIP_NOTE = SKIP_INFLUXD
  ? ' [SKIPPED: influxd not found on PATH; install it with `apt-get install influxdb`]'
  : '';
if (SKIP_INFLUXD)
  process.stderr.write(
    `\nNOTICE: influxd (InfluxDB 1.x) not found on PATH: the tests against a real InfluxDB are SKIPPED. Install it (apt-get install influxdb) to run them.\n`,
  );

export interface InfluxdOptions {
  /** `auth-enabled = true` (create the first admin user with `bootstrapAdmin`). */
  auth?: boolean;
}

export interface QueryOptions {
  db?: string;
  /** Basic authentication for a server with authentication on. */
  user?: { username: string; password: string };
}

/** One InfluxQL result: its series, each with name, tags, columns and rows. */
export interface Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface Influxd {
  url: string;
  port: number;
  /** Runs InfluxQL (`POST /query`, times as epoch milliseconds); throws on an error answer. */
  query(q: string, options?: QueryOptions): Promise<Series[]>;
  /** Every row of every series as an object: tags, then the columns. */
  rows(q: string, options?: QueryOptions): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export async function startInfluxd(options: InfluxdOptions = {}): Promise<Influxd> {
  if (INFLUXD_PATH === undefined)
    throw new Error(
      'influxd (InfluxDB 1.x) is not installed: apt-get install influxdb (CI=true requires it)',
    );
  const dir = await mkdtemp(path.join(tmpdir(), 'license-steward-influxd-'));
  const [port, rpcPort] = [await freePort(), await freePort()];
  const configFile = path.join(dir, 'influxdb.conf');
  await writeFile(configFile, configText(dir, port, rpcPort, options.auth === true));
  const child = spawn(INFLUXD_PATH, ['run', '-config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = `${log}${chunk.toString('utf8')}`.slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForPing(url, child, () => log);
  } catch (error) {
    await stop(child);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const query = (q: string, queryOptions: QueryOptions = {}) => runQuery(url, q, queryOptions);
  return {
    url,
    port,
    query,
    rows: async (q, queryOptions) => rowsOf(await query(q, queryOptions)),
    close: async () => {
      await stop(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function rowsOf(series: readonly Series[]): Array<Record<string, unknown>> {
  return series.flatMap((one) =>
    one.values.map((row) => ({
      ...one.tags,
      ...Object.fromEntries(one.columns.map((column, index) => [column, row[index]])),
    })),
  );
}

function configText(dir: string, port: number, rpcPort: number, auth: boolean): string {
  const at = (name: string) => JSON.stringify(path.join(dir, name));
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = ${at('meta')}
  logging-enabled = false

[data]
  dir = ${at('data')}
  wal-dir = ${at('wal')}
  query-log-enabled = false
  index-version = "inmem"

[retention]
  enabled = false

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  auth-enabled = ${auth}
  log-enabled = false

[logging]
  level = "warn"
`;
}

async function runQuery(url: string, q: string, options: QueryOptions): Promise<Series[]> {
  const body = new URLSearchParams({ q, epoch: 'ms', ...(options.db ? { db: options.db } : {}) });
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
  };
  if (options.user)
    headers.Authorization = `Basic ${Buffer.from(`${options.user.username}:${options.user.password}`).toString('base64')}`;
  const response = await fetch(`${url}/query`, { method: 'POST', headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`InfluxQL ${q}: HTTP ${response.status} ${text}`);
  const json = JSON.parse(text) as {
    results: Array<{ error?: string; series?: Series[] }>;
  };
  const errors = json.results.flatMap((result) => (result.error ? [result.error] : []));
  if (errors.length > 0) throw new Error(`InfluxQL ${q}: ${errors.join('; ')}`);
  return json.results.flatMap((result) => result.series ?? []);
}

async function waitForPing(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 25_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`influxd exited with ${child.exitCode} before answering /ping:\n${log()}`);
    try {
      const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 204) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`influxd did not answer /ping within 25 s:\n${log()}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

function findInfluxd(): string | undefined {
  const explicit = process.env.INFLUXD;
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    if (folder === '') continue;
    const candidate = path.join(folder, 'influxd');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
