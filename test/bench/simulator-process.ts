/**
 * The QRS simulator in a process of its own (started by `run.ts` with `fork`): it generates the
 * site, listens over mutual TLS with the configured latency, and answers the orchestrator's
 * requests for counters and for a fresh copy of the site after a real release.
 */
import { startSimulator } from '#test/simulator/server.ts';
import { generateSite, type SimAllocation } from '#test/simulator/site.ts';
import type {
  SimulatorArgs,
  SimulatorReply,
  SimulatorRequest,
  SimulatorStats,
} from './protocol.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as SimulatorArgs;
const reply = (message: SimulatorReply) => process.send?.(message);

const cpuOf = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
const copyAllocations = (from: Map<string, SimAllocation>) =>
  new Map([...from].map(([id, allocation]) => [id, { ...allocation }]));

try {
  const now = new Date(args.nowMs);
  const started = performance.now();
  const site = generateSite({
    allocations: args.allocations,
    seed: args.seed,
    now,
    serviceAccount: true,
  });
  const generateMs = performance.now() - started;
  const pristine = copyAllocations(site.allocations);
  const sim = await startSimulator({
    site,
    now: () => now,
    latencyMs: args.latencyMs,
    deleteLatencyMs: args.deleteLatencyMs,
  });

  // The orchestrator is gone (Ctrl-C, crash): stop listening and exit.
  process.on('disconnect', () => process.exit(1));
  let cpuSince = process.cpuUsage();
  process.on('message', async (message: SimulatorRequest) => {
    switch (message.type) {
      case 'resetCounters':
        sim.resetCounters();
        cpuSince = process.cpuUsage();
        return reply({ type: 'ok' });
      case 'stats': {
        const stats: SimulatorStats = {
          routes: [...sim.counters].map(([route, counter]) => ({
            route,
            requests: counter.requests,
            maxInFlight: counter.maxInFlight,
          })),
          maxDeletesInFlight: sim.methodCounters.get('DELETE')?.maxInFlight ?? 0,
          bytesSent: sim.bytesSent,
          cpuMs: cpuOf(process.cpuUsage(cpuSince)),
        };
        return reply({ type: 'stats', stats });
      }
      case 'setLatency':
        sim.setLatency(message.latencyMs, message.deleteLatencyMs);
        return reply({ type: 'ok' });
      case 'restoreSite':
        site.allocations = copyAllocations(pristine);
        return reply({ type: 'ok' });
      case 'close':
        await sim.close();
        process.disconnect();
        return;
    }
  });

  reply({
    type: 'ready',
    port: sim.port,
    tls: { cert: sim.pki.client.cert, key: sim.pki.client.key, ca: sim.pki.ca },
    users: site.users.size,
    allocations: site.allocations.size,
    generateMs,
  });
} catch (error) {
  reply({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
}
