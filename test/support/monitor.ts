/** Shared test fixtures for the monitor tests: a fixed clock, sites, simulators, captured stdout. */
import { vi } from 'vitest';
import { type Config, configSchema } from '#shared/config/schema.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import type { TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import type { SimSite } from '#test/simulator/site.ts';

/** Every test runs at this instant. */
export const NOW = new Date('2026-03-01T12:00:00.000Z');

export async function startSite(site: SimSite, pki?: TestPki): Promise<Simulator> {
  return startSimulator({ site, ...(pki ? { pki } : {}), now: () => NOW });
}

/** A client for the simulator over real mTLS, with no waiting between retries. */
export function clientFor(sim: Simulator, maxRetries = 0): QrsClient {
  return new QrsClient({
    host: 'localhost',
    port: sim.port,
    tls: { cert: sim.pki.client.cert, key: sim.pki.client.key, ca: sim.pki.ca },
    retry: { maxRetries },
    sleep: async () => {},
  });
}

/** A validated config for one simulated site whose certificates come from SSM parameters. */
export function ssmSiteConfig(
  sims: Array<{ name: string; port: number }>,
  overrides: Record<string, unknown> = {},
): Config {
  return configSchema.parse({
    sites: sims.map((sim) => ({
      name: sim.name,
      qrs: {
        host: 'localhost',
        port: sim.port,
        maxRetries: 0,
        certificates: {
          cert: { ssmParameter: `/license-steward/${sim.name}/client-cert` },
          key: { ssmParameter: `/license-steward/${sim.name}/client-key` },
          ca: { ssmParameter: `/license-steward/${sim.name}/root-ca` },
        },
      },
    })),
    ...overrides,
  });
}

/**
 * Captures what Powertools prints: Metrics (EMF) and Logger write through their own Console on
 * `process.stdout`, warnings and errors on `process.stderr`. Returns the parsed JSON lines of both.
 */
export function captureOutput(): {
  lines: () => Array<Record<string, unknown>>;
  raw: () => string;
} {
  let text = '';
  const capture = (chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  return {
    raw: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((line) => line.trim().startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** EMF documents among captured lines. */
export function emfDocuments(
  lines: Array<Record<string, unknown>>,
): Array<Record<string, unknown>> {
  return lines.filter((line) => '_aws' in line);
}
