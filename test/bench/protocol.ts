/**
 * What the benchmark's processes say to each other (over the `fork` IPC channel), and the release
 * rules every scenario runs with. The orchestrator (`run.ts`) starts one simulator process per
 * site size and one fresh process per measured scenario, so each peak-memory figure is that
 * scenario's own and never includes the simulator's 50,000 users.
 */
import type { QrsTlsMaterial } from '#shared/qrs/client.ts';

/** Protection rules of every kind (the demo's), so user records must be read in batches. */
export function benchReleaseBlock(options: {
  maxReleasesPerRun: number;
  deleteConcurrency: number;
  dryRun: boolean;
}): Record<string, unknown> {
  return {
    enable: true,
    dryRun: options.dryRun,
    maxReleasesPerRun: options.maxReleasesPerRun,
    deleteConcurrency: options.deleteConcurrency,
    neverRelease: {
      user: [{ userDir: 'INTERNAL', userId: 'sa_repository' }],
      tag: ['License do not release'],
      customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }],
      userDirectory: ['ADMIN'],
      inactive: 'Ignore',
      blocked: 'Yes',
      removedExternally: 'Ignore',
    },
    licenseType: {
      analyzer: { enable: true, releaseThresholdDays: 30 },
      professional: { enable: true, releaseThresholdDays: 30 },
    },
  };
}

// ---- simulator process ----

export interface SimulatorArgs {
  allocations: number;
  seed: number;
  nowMs: number;
  latencyMs: number;
  deleteLatencyMs: number;
}

export type SimulatorRequest =
  | { type: 'resetCounters' }
  | { type: 'stats' }
  /** Puts back every allocation a real release deleted or quarantined. */
  | { type: 'restoreSite' }
  | { type: 'setLatency'; latencyMs: number; deleteLatencyMs: number }
  | { type: 'close' };

export interface RouteStats {
  route: string;
  requests: number;
  maxInFlight: number;
}

export interface SimulatorStats {
  routes: RouteStats[];
  /** Highest number of DELETEs the server had in flight at once, both license types together. */
  maxDeletesInFlight: number;
  bytesSent: number;
  /** CPU time of the simulator process since the counters were reset (busy = near the wall time). */
  cpuMs: number;
}

export type SimulatorReply =
  | {
      type: 'ready';
      port: number;
      tls: QrsTlsMaterial;
      users: number;
      allocations: number;
      generateMs: number;
    }
  | { type: 'ok' }
  | { type: 'stats'; stats: SimulatorStats }
  | { type: 'error'; message: string };

// ---- scenario process ----

/** `deleteFloor`: 1,000 DELETEs by bare `node:https`, no product code: what the machine allows. */
export type ScenarioKind = 'monitor' | 'release' | 'reference' | 'deleteFloor';

export interface ScenarioArgs {
  kind: ScenarioKind;
  port: number;
  tls: QrsTlsMaterial;
  nowMs: number;
  dryRun: boolean;
  maxReleasesPerRun: number;
  deleteConcurrency: number;
  /** Memory sampling interval (ms). */
  sampleMs: number;
  /** Site size (for file names). */
  allocations: number;
  /** Write a CPU profile of the run (not of start-up) into this folder. */
  profileDir?: string;
}

export interface PhaseResult {
  wallMs: number;
  requests: number;
  bytesReceived: number;
}

export interface ScenarioResult {
  kind: ScenarioKind;
  dryRun: boolean;
  ok: boolean;
  error?: string;
  /** From creating the QRS client to the end of the run (sinks included). */
  wallMs: number;
  /** CPU time (user + system) of the product's process in that span: what Lambda's share of a vCPU must cover. */
  cpuMs: number;
  qrsRequests: number;
  qrsRetries: number;
  bytesReceived: number;
  /** RSS after every module is imported, before the run: the process's floor. */
  baselineRssMb: number;
  /** `process.resourceUsage().maxRSS`: the true peak, whatever the sampler missed. */
  peakRssMb: number;
  /** Sampled every `sampleMs` (a long synchronous step can hide a short peak). */
  peakHeapUsedMb: number;
  timestreamRecords: number;
  timestreamCalls: number;
  emfLines: number;
  logLines: number;
  allocationsRead: number;
  candidates: number;
  kept: number;
  released: number;
  failed: number;
  deferred: number;
  /** SHA-256 of the sorted candidate ids: the reference must make the same plan. */
  planHash: string;
  /** Real runs: when the first DELETE started and the last ended (ms after the run started). */
  deletePhase?: { startMs: number; endMs: number };
  /** Reference only: planning (lists + one user GET each) and the sequential DELETEs. */
  phases?: { plan: PhaseResult; delete: PhaseResult };
}

export type ScenarioReply = { type: 'result'; result: ScenarioResult };
