/**
 * `POST /qrs/user/table`: users as a table of only the columns asked for (spec 38.22.0:
 * `TableDefinition` in, `Table` = `{ columnNames, rows }` out, `skip`/`take` paging), turned back
 * into the `QrsUser` shape `/qrs/user/full` gives, so the release rules judge both alike.
 *
 * Nothing is guessed: a column QRS did not send leaves that field out of every record (the rules
 * treat a missing flag or list as doubt), and a row whose cells do not fit the schema is returned
 * in `invalid` (doubt too). A List cell may come in several forms (`listCell`); one of a form not
 * known here makes the whole table unusable. The table is never the only evidence for a DELETE:
 * shared/licensing/release cross-checks it and re-reads the users it is about to release.
 */

import { StewardError } from '#shared/errors.ts';
import { describeIssues, type QrsUser, userSchema } from './schemas.ts';

export type UserFlagColumn = 'inactive' | 'blacklisted' | 'removedExternally';

/** What the rules read from a user record (the id and the user's names always come along). */
export interface UserColumns {
  flags: readonly UserFlagColumn[];
  tags: boolean;
  customProperties: boolean;
}

export interface TableColumn {
  name: string;
  columnType: 'Property' | 'List';
  definition: string;
  list?: TableColumn[];
}

/** The body QRS expects; QMC sends `entity`, the spec names it `type`: both say `User`. */
export interface TableDefinition {
  entity: 'User';
  type: 'User';
  columns: TableColumn[];
}

/** A page of a QRS table as sent: `rows` are arrays in the order of `columnNames`. */
export interface QrsTable {
  columnNames: string[];
  rows: unknown[][];
}

const property = (name: string): TableColumn => ({
  name,
  columnType: 'Property',
  definition: name,
});

const TAG_VALUE_COLUMNS = ['name'];
const PROPERTY_VALUE_COLUMNS = ['value', 'definition.name'];

export function userTableDefinition(columns: UserColumns): TableDefinition {
  const list: TableColumn[] = [
    property('id'),
    property('userId'),
    property('userDirectory'),
    ...columns.flags.map(property),
  ];
  if (columns.tags)
    list.push({
      name: 'tags',
      columnType: 'List',
      definition: 'Tag',
      list: TAG_VALUE_COLUMNS.map(property),
    });
  if (columns.customProperties)
    list.push({
      name: 'customProperties',
      columnType: 'List',
      definition: 'CustomPropertyValue',
      list: PROPERTY_VALUE_COLUMNS.map(property),
    });
  return { entity: 'User', type: 'User', columns: list };
}

/** `{ columnNames: string[], rows: array[] }` or `undefined` when the body is not a table. */
export function asTable(body: unknown): QrsTable | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { columnNames, rows } = body as Record<string, unknown>;
  if (!Array.isArray(columnNames) || !columnNames.every((name) => typeof name === 'string'))
    return undefined;
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) return undefined;
  return { columnNames: columnNames as string[], rows: rows as unknown[][] };
}

export interface UsersFromTable {
  users: Map<string, QrsUser>;
  invalid: Array<{ id: string | null; problem: string }>;
}

/**
 * A List cell in a form this reader does not know: the table as a whole cannot be trusted for the
 * run (the caller reads users by id instead), never an empty list taken on faith.
 */
export class UserTableShapeError extends StewardError {
  constructor(message: string) {
    super(message);
    this.name = 'UserTableShapeError';
  }
}

/** The list fields of every row, wanted or not (the cross-check counts the whole table). */
export type TableRowLists = Pick<QrsUser, 'tags' | 'customProperties'>;

/**
 * The records of the rows whose (lower-cased) id is in `wanted`; the others are only passed to
 * `observe` (with their lists), so a page of 10,000 users costs memory only for the ones the plan
 * needs. Throws `UserTableShapeError` on a List cell of an unknown form.
 */
export function usersFromTable(
  table: QrsTable,
  wanted: ReadonlySet<string>,
  into: UsersFromTable = { users: new Map(), invalid: [] },
  observe?: (lists: TableRowLists) => void,
): UsersFromTable {
  const at = (name: string) => indexOfName(table.columnNames, name);
  const idAt = at('id');
  if (idAt < 0) return into;
  const simple = ['userId', 'userDirectory', 'inactive', 'blacklisted', 'removedExternally']
    .map((name) => [name, at(name)] as const)
    .filter(([, index]) => index >= 0);
  const listsOf = tableRowLists(table.columnNames);
  for (const row of table.rows) {
    const id = row[idAt];
    const isWanted = typeof id === 'string' && wanted.has(id.toLowerCase());
    if (!isWanted && !observe) continue;
    const lists = listsOf(row);
    observe?.(lists);
    if (!isWanted) continue;
    const record: Record<string, unknown> = { id, ...lists };
    for (const [name, index] of simple) record[name] = row[index];
    // Checked by hand (the schema's rules): 50,000 rows then skip zod but for the odd one.
    if (fitsUserSchema(record)) {
      into.users.set(id, record as QrsUser);
      continue;
    }
    const parsed = userSchema.safeParse(record);
    if (parsed.success) into.users.set(id, parsed.data);
    else into.invalid.push({ id, problem: describeIssues(parsed.error, 'user table row') });
  }
  return into;
}

/**
 * Reads the List cells (tags, custom properties) of a row of a table with these columns; throws
 * `UserTableShapeError` on a cell of an unknown form. A column not asked for stays absent.
 */
export function tableRowLists(columnNames: readonly string[]): (row: unknown[]) => TableRowLists {
  const tagsAt = indexOfName(columnNames, 'tags');
  const propertiesAt = indexOfName(columnNames, 'customProperties');
  return (row) => {
    const lists: TableRowLists = {};
    if (tagsAt >= 0) lists.tags = listCell(row[tagsAt], 'tags', TAG_VALUE_COLUMNS, tagOf);
    if (propertiesAt >= 0)
      lists.customProperties = listCell(
        row[propertiesAt],
        'customProperties',
        PROPERTY_VALUE_COLUMNS,
        propertyOf,
      );
    return lists;
  };
}

/** What `userSchema` accepts, for the fields a table row can hold. */
function fitsUserSchema(record: Record<string, unknown>): boolean {
  const { userId, userDirectory, inactive, blacklisted, removedExternally, tags } = record;
  if (typeof userId !== 'string' || typeof userDirectory !== 'string') return false;
  for (const flag of [inactive, blacklisted, removedExternally])
    if (flag !== undefined && typeof flag !== 'boolean') return false;
  if (tags != null && !(Array.isArray(tags) && tags.every((tag) => typeof tag?.name === 'string')))
    return false;
  const properties = record.customProperties;
  return (
    properties == null ||
    (Array.isArray(properties) &&
      properties.every(
        (property) =>
          typeof property?.value === 'string' && typeof property.definition?.name === 'string',
      ))
  );
}

/**
 * A List cell as records, in each form Qlik's definition leaves open (docs/release.md, "What is
 * read from QRS"): `null`/absent (no items), an array of sub-rows in the order of the list's
 * columns, an array of objects keyed by the column names (or nested: `definition: { name }`), or
 * a nested table `{ columnNames, rows }`. Anything else throws: the whole table is then unusable.
 */
function listCell<T>(
  cell: unknown,
  column: string,
  columns: readonly string[],
  make: (values: readonly string[]) => T,
): T[] {
  if (cell === null || cell === undefined) return [];
  if (Array.isArray(cell)) return cell.map((item) => make(listItem(item, column, columns)));
  const nested = asTable(cell);
  if (nested) {
    const positions = columns.map((name) => indexOfName(nested.columnNames, name));
    if (positions.some((position) => position < 0))
      throw unknownForm(column, `a nested table without the columns ${columns.join(', ')}`);
    return nested.rows.map((row) => make(positions.map((position) => text(row[position], column))));
  }
  throw unknownForm(column, describeValue(cell));
}

/** One item of a List cell: a sub-row (the list's columns, in order) or an object. */
function listItem(item: unknown, column: string, columns: readonly string[]): string[] {
  if (Array.isArray(item)) {
    if (item.length < columns.length)
      throw unknownForm(column, `a sub-row of ${item.length} cells for ${columns.length} columns`);
    return columns.map((_, index) => text(item[index], column));
  }
  if (typeof item === 'object' && item !== null) {
    const fields = item as Record<string, unknown>;
    return columns.map((name) => text(fieldAt(fields, name), column));
  }
  throw unknownForm(column, `an item that is ${describeValue(item)}`);
}

function text(value: unknown, column: string): string {
  if (typeof value === 'string') return value;
  throw unknownForm(column, `a value that is ${describeValue(value)}, not text`);
}

/** `definition.name` as one key or as a path; property names matched ignoring case, as QRS does. */
function fieldAt(fields: Record<string, unknown>, path: string): unknown {
  const whole = keyOf(fields, path);
  if (whole !== undefined) return fields[whole];
  let value: unknown = fields;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    const record = value as Record<string, unknown>;
    const key = keyOf(record, part);
    value = key === undefined ? undefined : record[key];
  }
  return value;
}

function keyOf(record: Record<string, unknown>, name: string): string | undefined {
  if (name in record) return name;
  const lower = name.toLowerCase();
  return Object.keys(record).find((key) => key.toLowerCase() === lower);
}

function indexOfName(names: readonly string[], name: string): number {
  const exact = names.indexOf(name);
  if (exact >= 0) return exact;
  const lower = name.toLowerCase();
  return names.findIndex((candidate) => candidate.toLowerCase() === lower);
}

function unknownForm(column: string, what: string): UserTableShapeError {
  return new UserTableShapeError(`a ${column} cell holds ${what}`);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object of another shape' : `a ${typeof value}`;
}

const tagOf = ([name]: readonly string[]) => ({ name: name as string });
const propertyOf = ([value, definitionName]: readonly string[]) => ({
  value: value as string,
  definition: { name: definitionName as string },
});
