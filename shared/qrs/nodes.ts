/**
 * Several QRS nodes of one site (docs/monitor.md, "Several QRS nodes"): reads go to the first
 * node that answers, in the configured order, and a node that does not answer is logged once per
 * run. Once `pin()` is called (a release run before its first DELETE), every request goes to the
 * node the plan was read from and nothing moves to another node: a node that dies mid-run stops
 * the DELETEs instead of sending them somewhere the plan was not made.
 */
import { QrsError, QrsHttpError, QrsNetworkError, QrsTimeoutError } from './errors.ts';
import type { QrsLogger, QrsTransport } from './transport.ts';

/** QRS did not answer at all, or its proxy says the service is away: another node may. */
export function isNodeDown(error: unknown): boolean {
  if (error instanceof QrsNetworkError || error instanceof QrsTimeoutError) return true;
  return error instanceof QrsHttpError && [502, 503, 504].includes(error.status);
}

/** No answer at all (refused, reset, timed out): the node itself is gone, not just busy. */
export function isNoAnswer(error: unknown): boolean {
  return error instanceof QrsNetworkError || error instanceof QrsTimeoutError;
}

export class QrsNodes {
  private readonly transports: readonly QrsTransport[];
  private readonly logger: QrsLogger | undefined;
  private current = 0;
  private pinned = false;
  private readonly reported = new Set<number>();

  constructor(transports: readonly QrsTransport[], logger?: QrsLogger) {
    if (transports.length === 0) throw new Error('QRS client: no node to connect to');
    this.transports = transports;
    this.logger = logger;
  }

  /** The node requests go to now: the first that answered in this run. */
  get active(): QrsTransport {
    return this.transports[this.current] as QrsTransport;
  }

  get all(): readonly QrsTransport[] {
    return this.transports;
  }

  /** A new run starts again from the first node and logs each failing node once more. */
  beginRun(): void {
    this.current = 0;
    this.pinned = false;
    this.reported.clear();
  }

  /** From now on only the active node is used (a release run's DELETEs). */
  pin(): void {
    this.pinned = true;
  }

  /** Runs a read on the active node, moving on to the next while a node is down (unless pinned). */
  async read<T>(request: (transport: QrsTransport) => Promise<T>): Promise<T> {
    for (let index = this.current; ; index++) {
      const transport = this.transports[index] as QrsTransport;
      try {
        const answer = await request(transport);
        if (!this.pinned && index > this.current) this.current = index;
        return answer;
      } catch (error) {
        const last = index === this.transports.length - 1;
        if (this.pinned || last || !isNodeDown(error)) throw error;
        this.reportDown(index, error);
      }
    }
  }

  private reportDown(index: number, error: unknown): void {
    if (this.reported.has(index)) return;
    this.reported.add(index);
    const next = this.transports[index + 1] as QrsTransport;
    this.logger?.warn('A QRS node did not answer; this run reads from the next node', {
      node: (this.transports[index] as QrsTransport).baseUrl,
      next: next.baseUrl,
      error: error instanceof QrsError ? error.message : String(error),
    });
  }
}
