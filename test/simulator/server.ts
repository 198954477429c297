/**
 * The QRS simulator: a real HTTPS server with mutual TLS that behaves like the Qlik Sense
 * Repository Service for the endpoints license-steward uses. Tests, the demo (`npm start`) and the
 * benchmark run against it. It counts requests per route and can inject faults.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { DAY_MS } from '#test/support/time.ts';
import { createTestPki, type TestPki } from './certs.ts';
import { FilterSyntaxError, idsOnlyFilter, parseFilter } from './filter.ts';
import {
  NO_DATE,
  type SimAllocation,
  type SimLicenseType,
  type SimSite,
  type SimUser,
} from './site.ts';

export interface FaultRule {
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Route key to match (e.g. `/qrs/user/full`, `/qrs/license/analyzeraccesstype/{id}`) or a pattern on the path. */
  route: string | RegExp;
  /** How many matching requests the fault applies to; every one when absent. */
  times?: number;
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  latencyMs?: number;
  /** Destroy the socket without an answer. */
  reset?: boolean;
  /** Never answer (for timeout tests). */
  hang?: boolean;
  /** Answer 200 with a body that is not valid JSON. */
  malformed?: 'truncated' | 'garbage';
}

export interface SimulatorOptions {
  site: SimSite;
  pki?: TestPki;
  /** Server certificate to present; the PKI's localhost certificate by default. */
  serverCert?: { cert: string; key: string };
  host?: string;
  port?: number;
  /** Latency added to every request, and to DELETEs on top. */
  latencyMs?: number;
  deleteLatencyMs?: number;
  now?: () => Date;
  /** How far the server's clock (its `Date` header) is from the real one, in ms (+ = ahead). */
  clockOffsetMs?: number;
  /** Highest TLS version offered. Windows Server 2016/2019 (where QRS runs) stop at 1.2. */
  tlsMaxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** The form of the user table's List cells; `subRows` by default. */
  tableListForm?: TableListForm;
  /** Sends the user table's columns in reverse order (a server free to order them). */
  reverseTableColumns?: boolean;
}

/**
 * How `POST /qrs/user/table` sends a List cell (Qlik's definition leaves it open): sub-rows in
 * the order of the list's columns (the default), objects keyed by the column names, a nested
 * table `{ columnNames, rows }`, sub-rows but `null` for a user without items, every List cell
 * empty (a server that resolves lists differently), or bare strings (a form no reader knows).
 */
export type TableListForm =
  | 'subRows'
  | 'objects'
  | 'nestedTable'
  | 'nullWhenEmpty'
  | 'empty'
  | 'strings';

export interface RouteCounter {
  requests: number;
  inFlight: number;
  maxInFlight: number;
}

export interface Simulator {
  host: string;
  port: number;
  pki: TestPki;
  site: SimSite;
  faults: FaultRule[];
  /** Per route key, e.g. `GET /qrs/user/full`. */
  counters: Map<string, RouteCounter>;
  /** Per HTTP method, every route together (e.g. `DELETE`: both license types at once). */
  methodCounters: Map<string, RouteCounter>;
  /** Filters received, per route key (to check what the client asked for). */
  filters: Map<string, string[]>;
  /** `X-Qlik-User` headers seen, as sent. */
  users: string[];
  /** `X-Qlik-User` identities seen, decoded (URL-encoded UTF-8) as QRS decodes them. */
  identities: Array<{ directory: string; id: string }>;
  /** xrfkeys seen (each request should bring a fresh one). */
  xrfkeys: string[];
  bytesSent: number;
  requestCount(key?: string): number;
  resetCounters(): void;
  setLatency(latencyMs: number, deleteLatencyMs?: number): void;
  /**
   * Moves the server's clock (its `Date` header) this far from the real one (+ = ahead); `null`
   * sends no `Date` header at all (a proxy that strips it).
   */
  setClockOffset(ms: number | null): void;
  setTableListForm(form: TableListForm): void;
  close(): Promise<void>;
}

type Handler = (context: RequestContext) => Promise<Answer> | Answer;
interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: string;
  site: SimSite;
  now: Date;
}
interface Answer {
  status: number;
  body?: unknown;
}

const ACCESS_TYPE_ROUTE = /^(professional|analyzer|user)accesstype$/i;

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const pki = options.pki ?? (await createTestPki());
  const site = options.site;
  const now = options.now ?? (() => new Date());
  const counters = new Map<string, RouteCounter>();
  const methodCounters = new Map<string, RouteCounter>();
  const filters = new Map<string, string[]>();
  const faults: FaultRule[] = [];
  const users: string[] = [];
  const identities: Array<{ directory: string; id: string }> = [];
  const xrfkeys: string[] = [];
  let clockOffsetMs: number | null = options.clockOffsetMs ?? 0;
  let latencyMs = options.latencyMs ?? 0;
  let deleteLatencyMs = options.deleteLatencyMs ?? 0;
  const table = {
    listForm: options.tableListForm ?? ('subRows' as TableListForm),
    reverse: options.reverseTableColumns ?? false,
  };
  const sockets = new Set<Socket>();

  const routes: Array<{ method: string; pattern: string; handler: Handler }> = [
    { method: 'GET', pattern: '/qrs/about', handler: () => ({ status: 200, body: about() }) },
    {
      method: 'GET',
      pattern: '/qrs/license',
      handler: ({ site }) => ({ status: 200, body: licenseBody(site) }),
    },
    {
      method: 'GET',
      pattern: '/qrs/license/accesstypeoverview',
      handler: ({ site }) => ({ status: 200, body: overview(site) }),
    },
    {
      method: 'GET',
      pattern: '/qrs/license/{type}/full',
      handler: (c) => listAccessTypes(c, true),
    },
    { method: 'GET', pattern: '/qrs/license/{type}', handler: (c) => listAccessTypes(c, false) },
    {
      method: 'GET',
      pattern: '/qrs/license/{type}/count',
      handler: (c) => ({ status: 200, body: { value: filterItems(c, accessTypesOf(c)).length } }),
    },
    { method: 'DELETE', pattern: '/qrs/license/{type}/{id}', handler: deleteAccessType },
    { method: 'GET', pattern: '/qrs/user/full', handler: (c) => listUsers(c, true) },
    { method: 'GET', pattern: '/qrs/user', handler: (c) => listUsers(c, false) },
    {
      method: 'GET',
      pattern: '/qrs/user/count',
      handler: (c) => ({
        status: 200,
        body: { value: filterItems(c, [...c.site.users.values()].map(userFull)).length },
      }),
    },
    { method: 'GET', pattern: '/qrs/user/{id}', handler: getUser },
    { method: 'POST', pattern: '/qrs/user/table', handler: (c) => userTable(c, table) },
    {
      method: 'GET',
      pattern: '/qrs/tag',
      handler: (c) => ({
        status: 200,
        body: filterItems(
          c,
          tagsOf(c.site).map((name, index) => tagCondensed(name, index)),
        ),
      }),
    },
    {
      method: 'GET',
      pattern: '/qrs/tag/count',
      handler: (c) => ({
        status: 200,
        body: {
          value: filterItems(
            c,
            tagsOf(c.site).map((name) => ({ name })),
          ).length,
        },
      }),
    },
    {
      method: 'GET',
      pattern: '/qrs/custompropertydefinition/full',
      handler: (c) => ({ status: 200, body: filterItems(c, propertyDefinitionsOf(c.site)) }),
    },
    {
      method: 'GET',
      pattern: '/qrs/custompropertydefinition/count',
      handler: (c) => ({
        status: 200,
        body: { value: filterItems(c, propertyDefinitionsOf(c.site)).length },
      }),
    },
  ];

  const server = https.createServer(
    {
      key: options.serverCert?.key ?? pki.server.key,
      cert: options.serverCert?.cert ?? pki.server.cert,
      ca: pki.ca,
      requestCert: true,
      rejectUnauthorized: true,
      maxVersion: options.tlsMaxVersion ?? 'TLSv1.2',
    },
    (request, response) => {
      handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) send(response, 500, { message: String(error) });
      });
    },
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A rejected client certificate is a TLS alert, not an HTTP answer: nothing to do here.
  server.on('tlsClientError', () => {});

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'https://qrs');
    // QRS reads query parameter names case-insensitively (`Xrfkey=` works).
    const query = new URLSearchParams();
    for (const [name, value] of url.searchParams) query.append(name.toLowerCase(), value);
    const method = request.method ?? 'GET';
    const match = matchRoute(method, url.pathname);
    const key = `${method} ${match?.pattern ?? url.pathname}`;
    const counter = counters.get(key) ?? { requests: 0, inFlight: 0, maxInFlight: 0 };
    counters.set(key, counter);
    const methodCounter = methodCounters.get(method) ?? {
      requests: 0,
      inFlight: 0,
      maxInFlight: 0,
    };
    methodCounters.set(method, methodCounter);
    for (const each of [counter, methodCounter]) {
      each.requests++;
      each.inFlight++;
      each.maxInFlight = Math.max(each.maxInFlight, each.inFlight);
    }
    // Out of flight once the answer is handed to the socket: the client may send its next
    // request on the same kept-alive socket before the response's 'close' event has run here.
    let answered = false;
    const answer = () => {
      if (answered) return;
      answered = true;
      counter.inFlight--;
      methodCounter.inFlight--;
    };
    answering.set(response, answer);
    response.on('close', answer);
    const body = await readBody(request);

    const xrfkeyQuery = query.get('xrfkey');
    const xrfkeyHeader = request.headers['x-qlik-xrfkey'];
    if (!xrfkeyQuery || xrfkeyQuery !== xrfkeyHeader || !/^[A-Za-z0-9]{16}$/.test(xrfkeyQuery)) {
      return send(
        response,
        403,
        'XSRF prevention check failed. Possible XSRF discovered.',
        'text/plain',
      );
    }
    const userHeader = request.headers['x-qlik-user'];
    const identity = typeof userHeader === 'string' ? parseQlikUser(userHeader) : undefined;
    if (typeof userHeader !== 'string' || !identity) {
      return send(response, 403, 'Missing or malformed X-Qlik-User header', 'text/plain');
    }
    users.push(userHeader);
    identities.push(identity);
    xrfkeys.push(xrfkeyQuery);

    const filter = query.get('filter');
    if (filter !== null) filters.set(key, [...(filters.get(key) ?? []), filter]);

    await delay(latencyMs + (method === 'DELETE' ? deleteLatencyMs : 0));
    const fault = takeFault(method, url.pathname, match?.pattern);
    if (fault) {
      if (fault.latencyMs) await delay(fault.latencyMs);
      if (fault.hang) return;
      if (fault.reset) {
        request.socket.destroy();
        return;
      }
      if (fault.malformed) {
        const text =
          fault.malformed === 'truncated'
            ? '[{"id":"0f0e2a4c-1f2b-4c3d-9e8f-0a1b2c3d4e5f","createdDa'
            : '<html>Gateway</html>';
        return send(response, 200, text, 'application/json');
      }
      if (fault.status) {
        for (const [name, value] of Object.entries(fault.headers ?? {}))
          response.setHeader(name, value);
        return send(response, fault.status, fault.body ?? { message: `Injected ${fault.status}` });
      }
    }
    if (!match) return send(response, 404, { message: 'No such route' });
    try {
      const answer = await match.handler({
        params: match.params,
        query,
        body,
        site,
        now: now(),
      });
      return send(response, answer.status, answer.body);
    } catch (error) {
      if (error instanceof FilterSyntaxError)
        return send(response, 400, { message: error.message });
      throw error;
    }
  }

  function matchRoute(method: string, pathname: string) {
    const parts = pathname.replace(/\/+$/, '').split('/');
    for (const route of routes) {
      if (route.method !== method) continue;
      const patternParts = route.pattern.split('/');
      if (patternParts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = patternParts.every((segment, i) => {
        const actual = parts[i] ?? '';
        if (segment.startsWith('{')) {
          if (segment === '{type}' && !ACCESS_TYPE_ROUTE.test(actual)) return false;
          if (segment === '{id}' && ['full', 'count', 'table', 'many'].includes(actual))
            return false;
          const value = decodeURIComponent(actual);
          params[segment.slice(1, -1)] = segment === '{type}' ? value.toLowerCase() : value;
          return true;
        }
        return segment === actual.toLowerCase();
      });
      if (ok) {
        const pattern = route.pattern.replace('{type}', params.type ?? '{type}');
        return { pattern, params, handler: route.handler };
      }
    }
    return undefined;
  }

  function takeFault(
    method: string,
    pathname: string,
    pattern: string | undefined,
  ): FaultRule | undefined {
    const index = faults.findIndex(
      (rule) =>
        (!rule.method || rule.method === method) &&
        (typeof rule.route === 'string'
          ? rule.route === pattern || rule.route === pathname
          : rule.route.test(pathname)),
    );
    if (index < 0) return undefined;
    const rule = faults[index] as FaultRule;
    if (rule.times !== undefined) {
      rule.times--;
      if (rule.times <= 0) faults.splice(index, 1);
    }
    return rule;
  }

  let bytesSent = 0;
  const answering = new WeakMap<ServerResponse, () => void>();
  function send(
    response: ServerResponse,
    status: number,
    body: unknown,
    type = 'application/json',
  ): void {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    bytesSent += Buffer.byteLength(text);
    answering.get(response)?.();
    if (clockOffsetMs === null) response.sendDate = false;
    response.writeHead(status, {
      // What IIS sends for QRS: the server's clock, whole seconds (the client's clock guard).
      ...(clockOffsetMs === null
        ? {}
        : { Date: new Date(Date.now() + clockOffsetMs).toUTCString() }),
      'Content-Type': `${type}; charset=utf-8`,
      'Content-Length': Buffer.byteLength(text),
    });
    response.end(text);
  }

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const address = server.address() as AddressInfo;

  return {
    host: options.host ?? '127.0.0.1',
    port: address.port,
    pki,
    site,
    faults,
    counters,
    methodCounters,
    filters,
    users,
    identities,
    xrfkeys,
    get bytesSent() {
      return bytesSent;
    },
    requestCount(key?: string) {
      if (key) return counters.get(key)?.requests ?? 0;
      let total = 0;
      for (const counter of counters.values()) total += counter.requests;
      return total;
    },
    resetCounters() {
      counters.clear();
      methodCounters.clear();
      filters.clear();
      users.length = 0;
      identities.length = 0;
      xrfkeys.length = 0;
      bytesSent = 0;
    },
    setLatency(latency: number, deleteLatency = 0) {
      latencyMs = latency;
      deleteLatencyMs = deleteLatency;
    },
    setClockOffset(ms: number | null) {
      clockOffsetMs = ms;
    },
    setTableListForm(form: TableListForm) {
      table.listForm = form;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** `UserDirectory=<dir>; UserId=<id>`, each value URL-encoded UTF-8; undefined when malformed. */
function parseQlikUser(header: string): { directory: string; id: string } | undefined {
  const match = /^\s*UserDirectory=([^;]+);\s*UserId=(.+?)\s*$/i.exec(header);
  if (!match) return undefined;
  try {
    return {
      directory: decodeURIComponent(match[1] as string),
      id: decodeURIComponent(match[2] as string),
    };
  } catch {
    return undefined;
  }
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function filterItems<T>(context: RequestContext, items: T[]): T[] {
  const filter = context.query.get('filter');
  if (filter === null || filter.trim() === '') return items;
  const predicate = parseFilter(filter);
  return items.filter((item) => predicate(item));
}

function licenseTypeOf(context: RequestContext): SimLicenseType {
  const type = context.params.type ?? '';
  if (type.startsWith('professional')) return 'professional';
  return type.startsWith('user') ? 'userAccess' : 'analyzer';
}

function accessTypesOf(context: RequestContext) {
  const type = licenseTypeOf(context);
  return listedAllocations(context.site)
    .filter((allocation) => allocation.licenseType === type)
    .map((allocation) => accessTypeFull(context.site, allocation));
}

/**
 * The allocations QRS lists: deleting a user frees its allocation, or quarantines it when it was
 * used within 7 days, so an allocation of a deleted user is seen only while it is quarantined.
 */
function listedAllocations(site: SimSite): SimAllocation[] {
  return [...site.allocations.values()].filter(
    (allocation) =>
      allocation.quarantined || (allocation.userRef !== null && site.users.has(allocation.userRef)),
  );
}

function listAccessTypes(context: RequestContext, full: boolean): Answer {
  const items = filterItems(context, accessTypesOf(context));
  return {
    status: 200,
    body: full ? items : items.map(({ id, privileges }) => ({ id, privileges })),
  };
}

function deleteAccessType(context: RequestContext): Answer {
  const id = context.params.id ?? '';
  const allocation = context.site.allocations.get(id);
  if (!allocation || allocation.licenseType !== licenseTypeOf(context)) {
    return { status: 404, body: { message: `Cannot find ${context.params.type} with id ${id}` } };
  }
  const lastUsed = Date.parse(allocation.lastUsed);
  const usedWithinWeek =
    allocation.lastUsed !== NO_DATE && context.now.getTime() - lastUsed < 7 * DAY_MS;
  // With a serial/control number (LEF) license, a recently used allocation goes into quarantine.
  if (context.site.license.model === 'lef' && usedWithinWeek) {
    allocation.quarantined = true;
    allocation.quarantineEnd = new Date(context.now.getTime() + 7 * DAY_MS).toISOString();
  } else {
    context.site.allocations.delete(id);
  }
  return { status: 204 };
}

function listUsers(context: RequestContext, full: boolean): Answer {
  const filter = context.query.get('filter');
  const ids = filter === null ? undefined : idsOnlyFilter(filter);
  // `id eq … or id eq …` (the release's user batches): a key lookup, as QRS's database does it,
  // instead of the whole expression against every user.
  const items = ids
    ? usersByIds(context.site, ids).map(userFull)
    : filterItems(context, [...context.site.users.values()].map(userFull));
  return {
    status: 200,
    body: full
      ? items
      : items.map(({ id, userId, userDirectory, name }) => ({
          id,
          userId,
          userDirectory,
          name,
          privileges: null,
        })),
  };
}

/** The users with these (lower-cased) ids; an id stored in another case is found by a scan. */
function usersByIds(site: SimSite, ids: ReadonlySet<string>): SimUser[] {
  const found: SimUser[] = [];
  const rest = new Set<string>();
  for (const id of ids) {
    const user = site.users.get(id);
    if (user) found.push(user);
    else rest.add(id);
  }
  if (rest.size > 0)
    for (const user of site.users.values())
      if (user.id !== user.id.toLowerCase() && rest.has(user.id.toLowerCase())) found.push(user);
  return found;
}

interface TableColumnSpec {
  name: string;
  columnType: string;
  definition: string;
  list?: TableColumnSpec[];
}

/** The list types of a user a table column can name, and the `User` field that holds them. */
const USER_LISTS: Record<string, string> = {
  tag: 'tags',
  custompropertyvalue: 'customProperties',
};

/**
 * `POST /qrs/user/table` (spec: `TableDefinition` in, `Table` out, 201): Property columns by
 * (dotted) property path, List columns as sub-rows in the order of their columns; `filter`,
 * `sortColumn`/`orderAscending` and `skip`/`take` (0 or absent = all) as QRS has them.
 */
/** The stored users in one sort order, per site (the pages of one bulk read share it). */
const sortedUsers = new WeakMap<
  Map<string, SimUser>,
  { column: string; size: number; users: object[] }
>();

function userTable(
  context: RequestContext,
  shape: { listForm: TableListForm; reverse: boolean },
): Answer {
  let definition: { columns?: TableColumnSpec[] };
  try {
    definition = JSON.parse(context.body) as { columns?: TableColumnSpec[] };
  } catch {
    return { status: 400, body: { message: 'The table definition is not JSON' } };
  }
  const columns = definition.columns;
  if (!Array.isArray(columns) || columns.length === 0)
    return { status: 400, body: { message: 'A table definition needs columns' } };
  for (const column of columns) {
    const known =
      column.columnType === 'Property' ||
      (column.columnType === 'List' &&
        USER_LISTS[column.definition?.toLowerCase()] !== undefined &&
        Array.isArray(column.list));
    if (!known)
      return { status: 400, body: { message: `Unsupported column ${JSON.stringify(column)}` } };
  }
  const query = caseless(context.query);
  const sortColumn = query.get('sortcolumn');
  const ascending = query.get('orderascending') !== 'false';
  const skip = Math.max(0, Number(query.get('skip') ?? 0) || 0);
  const take = Math.max(0, Number(query.get('take') ?? 0) || 0);
  // Without a filter, sorted and paged on the stored users and only the page made into `User`
  // records: as a database answers a page from an index, not by building every row first.
  const filter = context.query.get('filter');
  let users: object[] =
    filter === null || filter.trim() === ''
      ? [...context.site.users.values()]
      : filterItems(context, [...context.site.users.values()].map(userFull));
  if (sortColumn) {
    const unfiltered = filter === null || filter.trim() === '';
    const cached = unfiltered ? sortedUsers.get(context.site.users) : undefined;
    const stored = context.site.users;
    // Still the same users (none removed, none added, none replaced)? Then the same order.
    const fresh =
      cached?.column === sortColumn &&
      cached.size === stored.size &&
      cached.users.every((user) => stored.get((user as SimUser).id) === user);
    if (cached && fresh) {
      users = cached.users;
    } else {
      const keyed = users.map((user) => ({ key: String(valueAt(user, sortColumn) ?? ''), user }));
      keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      users = keyed.map((entry) => entry.user);
      // The pages of one read ask for the same order: sort a large site once, not per page.
      if (unfiltered)
        sortedUsers.set(context.site.users, {
          column: sortColumn,
          size: context.site.users.size,
          users,
        });
    }
    if (!ascending) users = [...users].reverse();
  }
  const slice = take > 0 ? users.slice(skip, skip + take) : users.slice(skip);
  const page = slice.map((user) => ('schemaPath' in user ? user : userFull(user as SimUser)));
  const cell = (user: object, column: TableColumnSpec): unknown => {
    if (column.columnType === 'Property') return valueAt(user, column.definition) ?? null;
    const found = valueAt(user, USER_LISTS[column.definition.toLowerCase()] as string);
    const items: object[] = Array.isArray(found) ? found : [];
    return listCell(items, column.list ?? [], shape.listForm, (item, sub) => cell(item, sub));
  };
  const ordered = shape.reverse ? [...columns].reverse() : columns;
  return {
    status: 201,
    body: {
      id: '00000000-0000-0000-0000-000000000000',
      schemaPath: 'Table',
      columnNames: ordered.map((column) => column.name),
      rows: page.map((user) => ordered.map((column) => cell(user, column))),
    },
  };
}

/** One List cell in the form the simulator is set to send (`TableListForm`). */
function listCell(
  items: object[],
  columns: TableColumnSpec[],
  form: TableListForm,
  value: (item: object, column: TableColumnSpec) => unknown,
): unknown {
  const subRows = () => items.map((item) => columns.map((column) => value(item, column)));
  switch (form) {
    case 'empty':
      return [];
    case 'nullWhenEmpty':
      return items.length === 0 ? null : subRows();
    case 'strings':
      return items.map((item) => (columns[0] ? value(item, columns[0]) : null));
    case 'nestedTable':
      return { columnNames: columns.map((column) => column.name), rows: subRows() };
    case 'objects':
      return items.map((item) => {
        const object: Record<string, unknown> = {};
        for (const column of columns) setPath(object, column.name, value(item, column));
        return object;
      });
    default:
      return subRows();
  }
}

/** `definition.name` → `{ definition: { name } }`, as a serializer of the item's type would. */
function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = object;
  for (const part of parts.slice(0, -1)) {
    at[part] = (at[part] as Record<string, unknown> | undefined) ?? {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts[parts.length - 1] as string] = value;
}

/** `TagCondensed` as `GET /qrs/tag` lists it. */
function tagCondensed(name: string, index: number) {
  return {
    id: `00000000-0000-4000-c000-${String(index).padStart(12, '0')}`,
    name,
    privileges: null,
  };
}

/** The site's tags: those its users carry, and those made but not given to anyone. */
function tagsOf(site: SimSite): string[] {
  const names = new Map<string, string>();
  for (const name of site.extraTags ?? []) names.set(name.toLowerCase(), name);
  for (const user of site.users.values())
    for (const name of user.tags) names.set(name.toLowerCase(), name);
  return [...names.values()];
}

/**
 * `CustomPropertyDefinition`s: those the site declares, else one per property name its users
 * carry, with the values they use as the choices (object type `User`).
 */
function propertyDefinitionsOf(site: SimSite) {
  const definitions = new Map<
    string,
    { name: string; choiceValues: string[]; objectTypes: string[] }
  >();
  for (const user of site.users.values())
    for (const property of user.customProperties) {
      const key = property.name.toLowerCase();
      const definition = definitions.get(key) ?? {
        name: property.name,
        choiceValues: [],
        objectTypes: ['User'],
      };
      if (!definition.choiceValues.includes(property.value))
        definition.choiceValues.push(property.value);
      definitions.set(key, definition);
    }
  for (const declared of site.propertyDefinitions ?? [])
    definitions.set(declared.name.toLowerCase(), { objectTypes: ['User'], ...declared });
  return [...definitions.values()].map((definition, index) => ({
    id: `00000000-0000-4000-b000-${String(index).padStart(12, '0')}`,
    valueType: 'Text',
    description: '',
    privileges: null,
    schemaPath: 'CustomPropertyDefinition',
    ...definition,
  }));
}

/** A property path such as `definition.name`, matched case-insensitively as QRS does. */
function valueAt(item: object, path: string): unknown {
  let value: unknown = item;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    const fields = value as Record<string, unknown>;
    const key = Object.keys(fields).find((name) => name.toLowerCase() === part.toLowerCase());
    value = key === undefined ? undefined : fields[key];
  }
  return value;
}

/** Query parameters by lower-cased name (QRS reads `sortColumn` and `sortcolumn` alike). */
function caseless(query: URLSearchParams): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, value] of query) map.set(name.toLowerCase(), value);
  return map;
}

function getUser(context: RequestContext): Answer {
  const user = context.site.users.get(context.params.id ?? '');
  return user
    ? { status: 200, body: userFull(user) }
    : { status: 404, body: { message: 'Not found' } };
}

function userCondensed(user: SimUser) {
  return {
    id: user.id,
    userId: user.userId,
    userDirectory: user.userDirectory,
    userDirectoryConnectorName: user.userDirectory,
    name: user.name,
    privileges: null,
  };
}

/** `User` as `/qrs/user/full` returns it. */
export function userFull(user: SimUser) {
  return {
    id: user.id,
    createdDate: user.createdDate,
    modifiedDate: user.createdDate,
    modifiedByUserName: 'INTERNAL\\sa_repository',
    customProperties: user.customProperties.map((property, index) => ({
      id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      createdDate: user.createdDate,
      modifiedDate: user.createdDate,
      modifiedByUserName: 'INTERNAL\\sa_repository',
      value: property.value,
      definition: {
        id: `00000000-0000-4000-9000-${String(index).padStart(12, '0')}`,
        name: property.name,
        valueType: 'Text',
        choiceValues: [property.value],
        privileges: null,
      },
      schemaPath: 'CustomPropertyValue',
    })),
    userId: user.userId,
    userDirectory: user.userDirectory,
    userDirectoryConnectorName: user.userDirectory,
    name: user.name,
    roles: [],
    attributes: [],
    inactive: user.inactive,
    removedExternally: user.removedExternally,
    blacklisted: user.blacklisted,
    deleteProhibited: false,
    tags: user.tags.map((name, index) => ({
      id: `00000000-0000-4000-a000-${String(index).padStart(12, '0')}`,
      name,
      privileges: null,
    })),
    favorites: [],
    privileges: null,
    schemaPath: 'User',
  };
}

const ACCESS_TYPE_SCHEMA_PATH: Record<SimLicenseType, string> = {
  professional: 'License.ProfessionalAccessType',
  analyzer: 'License.AnalyzerAccessType',
  userAccess: 'License.UserAccessType',
};

/** `LicenseProfessionalAccessType` / `…AnalyzerAccessType` / `…UserAccessType` as `…/full` returns it. */
function accessTypeFull(site: SimSite, allocation: SimAllocation) {
  const user = allocation.userRef ? site.users.get(allocation.userRef) : undefined;
  return {
    id: allocation.id,
    createdDate: allocation.createdDate,
    modifiedDate: allocation.lastUsed === NO_DATE ? allocation.createdDate : allocation.lastUsed,
    modifiedByUserName: 'INTERNAL\\sa_repository',
    user: user ? userCondensed(user) : null,
    lastUsed: allocation.lastUsed,
    excess: allocation.excess,
    quarantined: allocation.quarantined,
    quarantineEnd: allocation.quarantineEnd,
    deletedUserId: allocation.deletedUserId,
    deletedUserDirectory: allocation.deletedUserDirectory,
    privileges: null,
    schemaPath: ACCESS_TYPE_SCHEMA_PATH[allocation.licenseType],
  };
}

function about() {
  return {
    buildVersion: '38.22.0.0',
    buildDate: '11/14/2022',
    databaseProvider: 'Devart.Data.PostgreSql',
    nodeType: 1,
    schemaPath: 'About',
  };
}

function licenseBody(site: SimSite) {
  const common = {
    id: 'c517fae1-adbb-4848-b404-1d8a8d3748ad',
    createdDate: '2022-01-10T09:00:00.000Z',
    modifiedDate: '2022-01-10T09:00:00.000Z',
    modifiedByUserName: 'INTERNAL\\sa_repository',
    name: 'Qlik',
    organization: 'Qlik',
    product: 2,
    numberOfCores: -1,
    isExpired: false,
    expiredReason: '',
    isBlacklisted: false,
    isInvalid: false,
    isSubscription: false,
    isCloudServices: false,
    isElastic: false,
    privileges: null,
    schemaPath: 'License',
  };
  return site.license.model === 'lef'
    ? {
        ...common,
        serial: site.license.serial,
        check: '1100275618',
        lef: site.license.text,
        key: '',
        keyDetails: '',
      }
    : {
        ...common,
        serial: '',
        check: '',
        lef: '',
        key: 'eyJhbGciOi...signed',
        keyDetails: site.license.text,
      };
}

function overview(site: SimSite) {
  const details = (type: 'professional' | 'analyzer') => {
    const of = listedAllocations(site).filter((a) => a.licenseType === type);
    const quarantined = of.filter((a) => a.quarantined).length;
    const allocated = of.length - quarantined;
    const total = site.totals[type];
    return {
      enabled: true,
      total,
      allocated,
      used: of.filter((a) => !a.quarantined && a.lastUsed !== NO_DATE).length,
      quarantined,
      excess: Math.max(0, allocated + quarantined - total),
      available: Math.max(0, total - allocated - quarantined),
      schemaPath: 'AccessTypeOverview.Details',
    };
  };
  const tokens = tokensOf(site);
  return {
    totalTokens: tokens?.total ?? 0,
    availableTokens: tokens?.available ?? 0,
    tokensEnabled: tokens !== null,
    userAccess: {
      enabled: tokens !== null,
      tokenCost: tokens?.userAccess.tokenCost ?? 1,
      allocatedTokens: tokens?.userAccess.allocatedTokens ?? 0,
      usedTokens: tokens?.userAccess.usedTokens ?? 0,
      quarantinedTokens: tokens?.userAccess.quarantinedTokens ?? 0,
      schemaPath: 'AccessTypeOverview.UserAccessDetails',
    },
    loginAccess: {
      enabled: tokens !== null,
      tokenCost: tokens?.loginAccess.tokenCost ?? 0.1,
      allocatedTokens: tokens?.loginAccess.allocatedTokens ?? 0,
      usedTokens: tokens?.loginAccess.usedTokens ?? 0,
      unavailableTokens: tokens?.loginAccess.unavailableTokens ?? 0,
      schemaPath: 'AccessTypeOverview.LoginAccessDetails',
    },
    professionalAccess:
      tokens === null ? details('professional') : { ...details('professional'), enabled: false },
    analyzerAccess:
      tokens === null ? details('analyzer') : { ...details('analyzer'), enabled: false },
    ...(site.oldServer
      ? {}
      : {
          analyzerTimeAccess: {
            enabled: site.analyzerCapacity !== null,
            allocatedMinutes: site.analyzerCapacity?.allocatedMinutes ?? 0,
            usedMinutes: site.analyzerCapacity?.usedMinutes ?? 0,
            unavailableMinutes: site.analyzerCapacity?.unavailableMinutes ?? 0,
            schemaPath: 'AccessTypeOverview.AnalyzerTimeAccessDetails',
          },
        }),
    schemaPath: 'AccessTypeOverview',
  };
}

/**
 * The token blocks, with the user access numbers counted from the site's passes when it has any:
 * a pass holds `tokenCost` tokens while allocated or quarantined. Like QRS, `available` never goes
 * below 0 when the LEF's token count has shrunk below what is allocated.
 */
function tokensOf(site: SimSite): SimSite['tokens'] {
  const tokens = site.tokens;
  if (!tokens) return null;
  const passes = [...site.allocations.values()].filter((a) => a.licenseType === 'userAccess');
  if (passes.length === 0) return tokens;
  const cost = tokens.userAccess.tokenCost ?? 1;
  const quarantined = passes.filter((pass) => pass.quarantined);
  const allocated = passes.filter((pass) => !pass.quarantined);
  const userAccess = {
    tokenCost: cost,
    allocatedTokens: allocated.length * cost,
    usedTokens: allocated.filter((pass) => pass.lastUsed !== NO_DATE).length * cost,
    quarantinedTokens: quarantined.length * cost,
  };
  const held =
    userAccess.allocatedTokens + userAccess.quarantinedTokens + tokens.loginAccess.allocatedTokens;
  return { ...tokens, userAccess, available: Math.max(0, tokens.total - held) };
}
