/**
 * The Qlik Sense Repository Service (QRS) endpoints license-steward uses, with schema-validated
 * results. How a request travels (mutual TLS, xrfkey, identity, deadline, retries, advice) is
 * transport.ts.
 */
import pLimit from 'p-limit';
import type { z } from 'zod';
import {
  type Allocation,
  AllocationCollector,
  type LicenseType,
  type MalformedItem,
} from './allocation.ts';
import { QrsResponseError } from './errors.ts';
import { idIn, isGuid } from './filter.ts';
import { QrsNodes } from './nodes.ts';
import {
  type AccessTypeOverview,
  accessTypeOverviewSchema,
  type CustomPropertyDefinition,
  countSchema,
  customPropertyDefinitionSchema,
  describeIssues,
  type License,
  licenseSchema,
  type QrsUser,
  tagSchema,
  userSchema,
} from './schemas.ts';
import { TableRowCollector } from './table-stream.ts';
import {
  type ClockReading,
  type QrsClientStats,
  QrsTransport,
  type QrsTransportOptions,
  type ServerClock,
} from './transport.ts';
import type { QrsTable, TableDefinition, TableRowLists } from './user-table.ts';

export { isNoAnswer, isNodeDown } from './nodes.ts';
export type { QrsTlsMaterial } from './tls-material.ts';
export {
  type ClockReading,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_QRS_USER,
  DEFAULT_TIMEOUT_MS,
  type QrsClientStats,
  type QrsLogger,
  type ServerClock,
} from './transport.ts';

/** One QRS node; port and servername default to the client's `port` and `servername`. */
export interface QrsNodeOptions {
  host: string;
  port?: number;
  servername?: string;
}

/** `host` is the one node; `nodes`, when given, the several in order (`host` is then ignored). */
export type QrsClientOptions = QrsTransportOptions & { nodes?: readonly QrsNodeOptions[] };

export type DeleteOutcome =
  | { outcome: 'deleted' }
  | { outcome: 'alreadyGone'; afterRetry: boolean };

/** GUIDs per `id eq … or …` filter: about 2.5 kB of query string, well inside QRS's URL limit. */
export const DEFAULT_USER_BATCH_SIZE = 50;

type AccessTypeRoute = 'professionalaccesstype' | 'analyzeraccesstype' | 'useraccesstype';
const ACCESS_TYPE_ROUTE: Record<LicenseType, AccessTypeRoute> = {
  professional: 'professionalaccesstype',
  analyzer: 'analyzeraccesstype',
  userAccess: 'useraccesstype',
};

export class QrsClient {
  private readonly nodes: QrsNodes;

  constructor(options: QrsClientOptions) {
    const { nodes, ...shared } = options;
    const transports = (nodes ?? [{ host: options.host }]).map(
      (node) =>
        new QrsTransport({
          ...shared,
          host: node.host,
          ...(node.port === undefined ? {} : { port: node.port }),
          ...(node.servername === undefined ? {} : { servername: node.servername }),
        }),
    );
    this.nodes = new QrsNodes(transports, options.logger);
  }

  /** Every node's counters together. */
  get stats(): QrsClientStats {
    const total: QrsClientStats = { requests: 0, retries: 0, bytesReceived: 0 };
    for (const transport of this.nodes.all) {
      total.requests += transport.stats.requests;
      total.retries += transport.stats.retries;
      total.bytesReceived += transport.stats.bytesReceived;
    }
    return total;
  }

  /** The last `Date` header QRS sent, whichever run asked (doctor). */
  get serverClock(): ServerClock | undefined {
    return this.nodes.active.serverClock;
  }

  /**
   * The clock guard's input for one run (shared/licensing/clock-guard.ts): only the `Date`
   * headers of answers received after this call, so a warm client never lends a run the clock
   * of an earlier one. With several nodes, the latest answer of any node (they share one clock
   * source in a healthy site; the node that answered is the one the run works with).
   */
  readClock(): ClockReading {
    const readings = this.nodes.all.map((transport) => transport.readClock());
    return {
      current: () => {
        let latest: ServerClock | undefined;
        for (const reading of readings) {
          const clock = reading.current();
          if (clock && (!latest || clock.receivedAt >= latest.receivedAt)) latest = clock;
        }
        return latest;
      },
    };
  }

  /** The node requests go to now. */
  get baseUrl(): string {
    return this.nodes.active.baseUrl;
  }

  /** The `Date` header of the latest response (doctor shows it). */
  get lastResponseDate(): string | undefined {
    return this.nodes.active.serverClock?.serverDate;
  }

  /** How many QRS nodes the client knows (`qrs.hosts`). */
  get nodeCount(): number {
    return this.nodes.all.length;
  }

  /** A new run: reads start again at the first node (a client kept warm in Lambda serves many). */
  beginRun(): void {
    this.nodes.beginRun();
  }

  /**
   * Keeps every further request on the node that answered so far (a release run calls this
   * before its first DELETE): if that node fails, requests fail instead of going elsewhere.
   */
  pinNode(): void {
    this.nodes.pin();
  }

  /** Closes kept-alive sockets (the CLI calls this so the process can exit promptly). */
  close(): void {
    for (const transport of this.nodes.all) transport.close();
  }

  getAccessTypeOverview(): Promise<AccessTypeOverview> {
    return this.getJson('/license/accesstypeoverview', accessTypeOverviewSchema);
  }

  getLicense(): Promise<License> {
    return this.getJson('/license', licenseSchema);
  }

  /**
   * Allocations of one license type (`…accesstype/full`), optionally narrowed by a QRS filter,
   * read as the answer arrives: each item becomes a compact record and is dropped (allocation.ts).
   * Items without an id are returned as `malformed`; other schema problems stay on the item.
   */
  async listAllocations(
    licenseType: LicenseType,
    filter?: string,
  ): Promise<{ allocations: Allocation[]; malformed: MalformedItem[] }> {
    const path = `/license/${ACCESS_TYPE_ROUTE[licenseType]}/full`;
    let collector = new AllocationCollector(licenseType);
    await this.nodes.read((node) =>
      node.requestJsonStream({ method: 'GET', path, query: { filter } }, () => {
        collector = new AllocationCollector(licenseType);
        return { root: 'array', paths: ['$.*'], onValue: (item) => collector.add(item) };
      }),
    );
    return { allocations: collector.allocations, malformed: collector.malformed };
  }

  /** How many allocations of one type (`…accesstype/count`); `doctor` reads it. */
  countAllocations(licenseType: LicenseType, filter?: string): Promise<number> {
    return this.getJson(`/license/${ACCESS_TYPE_ROUTE[licenseType]}/count`, countSchema, {
      filter,
    });
  }

  /**
   * Frees one allocation. 404 means it is already gone; a repeat after a lost answer is safe
   * because the second DELETE then sees 404. `deadlineAt` (ms since epoch): the DELETE and its
   * retries end by then (the Lambda's remaining time).
   */
  async deleteAllocation(
    licenseType: LicenseType,
    id: string,
    options: { deadlineAt?: number } = {},
  ): Promise<DeleteOutcome> {
    // Only a GUID becomes a path: `..` or `.` would address another resource (QRS ids are GUIDs).
    if (!isGuid(id))
      throw new RangeError(
        `the access type id ${JSON.stringify(id)} is not a QRS id (GUID): no DELETE sent`,
      );
    const path = `/license/${ACCESS_TYPE_ROUTE[licenseType]}/${id}`;
    let retried = false;
    const spec = { method: 'DELETE' as const, path, deadlineAt: options.deadlineAt };
    // Only ever the active node: a DELETE never moves to another node (nodes.ts).
    const node = this.nodes.active;
    const response = await node.send(spec, () => {
      retried = true;
    });
    if (response.status === 404) return { outcome: 'alreadyGone', afterRetry: retried };
    if (response.status >= 200 && response.status < 300) return { outcome: 'deleted' };
    throw node.httpError(response, 'DELETE', path);
  }

  /**
   * Full user records for the given ids, `batchSize` ids per request (never one request per user),
   * a few batches in flight. Records that do not match the schema are returned in `invalid`.
   */
  async getUsersByIds(
    ids: readonly string[],
    options: { batchSize?: number; concurrency?: number } = {},
  ): Promise<{
    users: Map<string, QrsUser>;
    invalid: Array<{ id: string | null; problem: string }>;
  }> {
    const unique = [...new Set(ids)];
    const batchSize = Math.max(1, options.batchSize ?? DEFAULT_USER_BATCH_SIZE);
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += batchSize) batches.push(unique.slice(i, i + batchSize));
    const limit = pLimit(Math.max(1, options.concurrency ?? 4));
    const pages = await Promise.all(
      batches.map((batch) => limit(() => this.getUsersRaw(idIn(batch)))),
    );
    const users = new Map<string, QrsUser>();
    const invalid: Array<{ id: string | null; problem: string }> = [];
    for (const page of pages) {
      for (const [index, raw] of page.entries()) {
        const parsed = userSchema.safeParse(raw);
        if (parsed.success) users.set(parsed.data.id, parsed.data);
        else
          invalid.push({ id: rawId(raw), problem: describeIssues(parsed.error, `user[${index}]`) });
      }
    }
    return { users, invalid };
  }

  /** Users matching a QRS filter, e.g. `userDirectory eq 'LAB' and tags.name eq 'x'`. */
  async getUsersByFilter(filter: string): Promise<QrsUser[]> {
    const path = '/user/full';
    const page = await this.getUsersRaw(filter);
    return page.map((raw, index) => {
      const parsed = userSchema.safeParse(raw);
      if (!parsed.success)
        throw new QrsResponseError(describeIssues(parsed.error, `[${index}]`), 'GET', path);
      return parsed.data;
    });
  }

  countUsers(filter?: string): Promise<number> {
    return this.getJson('/user/count', countSchema, { filter });
  }

  /** Every tag of the site (`GET /qrs/tag`, condensed: a few hundred at most). */
  getTags(): Promise<Array<{ name: string }>> {
    return this.getJson('/tag', tagSchema.array());
  }

  /** Custom property definitions (all, or those matching a filter), with their choices. */
  getCustomPropertyDefinitions(filter?: string): Promise<CustomPropertyDefinition[]> {
    return this.getJson('/custompropertydefinition/full', customPropertyDefinitionSchema.array(), {
      filter,
    });
  }

  /**
   * One page of `POST /qrs/user/table`, ordered by id so that pages do not overlap, read as it
   * arrives: with `keepRow`, only the rows whose id it accepts are kept (the others are dropped
   * as they are parsed), so a page of 10,000 users costs memory only for the ones a plan needs.
   * `observeLists` is asked for an observer at the start of each attempt (a retried page starts
   * over), which then sees every row's List cells; a cell of an unknown form throws
   * `UserTableShapeError` once the page is read.
   */
  async getUserTable(
    definition: TableDefinition,
    page: { skip: number; take: number },
    options: {
      keepRow?: (id: string) => boolean;
      observeLists?: () => (lists: TableRowLists) => void;
    } = {},
  ): Promise<QrsTable> {
    const path = '/user/table';
    const query = { skip: page.skip, take: page.take, sortColumn: 'id', orderAscending: 'true' };
    const collector = () =>
      new TableRowCollector({
        ...(options.keepRow ? { keepRow: options.keepRow } : {}),
        ...(options.observeLists ? { observeLists: options.observeLists() } : {}),
      });
    // Replaced at the start of each attempt.
    let rows = new TableRowCollector();
    const read = await this.nodes.read((node) =>
      node.requestJsonStream({ method: 'POST', path, query, body: definition }, () => {
        rows = collector();
        return { root: 'object', paths: ['$.columnNames', '$.rows.*'], onValue: rows.onValue };
      }),
    );
    if (rows.failure !== undefined) throw rows.failure;
    const table = rows.table(read);
    if (!table)
      throw new QrsResponseError('expected a table ({ columnNames, rows })', 'POST', path);
    return table;
  }

  private async getUsersRaw(filter: string): Promise<unknown[]> {
    const body = await this.nodes.read((node) =>
      node.requestJson({ method: 'GET', path: '/user/full', query: { filter } }),
    );
    if (!Array.isArray(body))
      throw new QrsResponseError('expected a JSON array of users', 'GET', '/user/full');
    return body;
  }

  private async getJson<T>(
    path: string,
    schema: z.ZodType<T>,
    query?: Record<string, string | undefined>,
  ): Promise<T> {
    const body = await this.nodes.read((node) =>
      node.requestJson({ method: 'GET', path, ...(query ? { query } : {}) }),
    );
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new QrsResponseError(describeIssues(parsed.error), 'GET', path);
    return parsed.data;
  }
}

function rawId(raw: unknown): string | null {
  return typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
    ? (raw as { id: string }).id
    : null;
}
