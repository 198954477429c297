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
import type { QrsTable, TableDefinition } from './user-table.ts';

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

export type QrsClientOptions = QrsTransportOptions;

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
  private readonly transport: QrsTransport;

  constructor(options: QrsClientOptions) {
    this.transport = new QrsTransport(options);
  }

  get stats(): QrsClientStats {
    return this.transport.stats;
  }

  /** The last `Date` header QRS sent, whichever run asked (doctor). */
  get serverClock(): ServerClock | undefined {
    return this.transport.serverClock;
  }

  /**
   * The clock guard's input for one run (shared/licensing/clock-guard.ts): only the `Date`
   * headers of answers received after this call, so a warm client never lends a run the clock
   * of an earlier one.
   */
  readClock(): ClockReading {
    return this.transport.readClock();
  }

  get baseUrl(): string {
    return this.transport.baseUrl;
  }

  /** The `Date` header of the latest response (doctor shows it). */
  get lastResponseDate(): string | undefined {
    return this.transport.serverClock?.serverDate;
  }

  /** Closes kept-alive sockets (the CLI calls this so the process can exit promptly). */
  close(): void {
    this.transport.close();
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
    await this.transport.requestJsonStream({ method: 'GET', path, query: { filter } }, () => {
      collector = new AllocationCollector(licenseType);
      return { root: 'array', paths: ['$.*'], onValue: (item) => collector.add(item) };
    });
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
    const response = await this.transport.send(spec, () => {
      retried = true;
    });
    if (response.status === 404) return { outcome: 'alreadyGone', afterRetry: retried };
    if (response.status >= 200 && response.status < 300) return { outcome: 'deleted' };
    throw this.transport.httpError(response, 'DELETE', path);
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
   */
  async getUserTable(
    definition: TableDefinition,
    page: { skip: number; take: number },
    options: { keepRow?: (id: string) => boolean } = {},
  ): Promise<QrsTable> {
    const path = '/user/table';
    const query = { skip: page.skip, take: page.take, sortColumn: 'id', orderAscending: 'true' };
    let rows = new TableRowCollector(options.keepRow);
    const read = await this.transport.requestJsonStream(
      { method: 'POST', path, query, body: definition },
      () => {
        rows = new TableRowCollector(options.keepRow);
        return { root: 'object', paths: ['$.columnNames', '$.rows.*'], onValue: rows.onValue };
      },
    );
    const table = rows.table(read);
    if (!table)
      throw new QrsResponseError('expected a table ({ columnNames, rows })', 'POST', path);
    return table;
  }

  private async getUsersRaw(filter: string): Promise<unknown[]> {
    const body = await this.transport.requestJson({
      method: 'GET',
      path: '/user/full',
      query: { filter },
    });
    if (!Array.isArray(body))
      throw new QrsResponseError('expected a JSON array of users', 'GET', '/user/full');
    return body;
  }

  private async getJson<T>(
    path: string,
    schema: z.ZodType<T>,
    query?: Record<string, string | undefined>,
  ): Promise<T> {
    const body = await this.transport.requestJson({
      method: 'GET',
      path,
      ...(query ? { query } : {}),
    });
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
