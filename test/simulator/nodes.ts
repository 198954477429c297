/**
 * Several QRS nodes of one site: simulators that share one `SimSite`, as the nodes of a
 * multi-node Qlik Sense site share one repository. A change through one node (a DELETE) is seen
 * by the others; each node has its own port, counters and faults, so a test can take one down.
 */
import { type Simulator, type SimulatorOptions, startSimulator } from './server.ts';

export async function startSimulatorNodes(
  count: number,
  options: SimulatorOptions,
): Promise<Simulator[]> {
  const nodes: Simulator[] = [];
  for (let index = 0; index < count; index++) nodes.push(await startSimulator(options));
  return nodes;
}
