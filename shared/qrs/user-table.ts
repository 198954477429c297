/**
 * `POST /qrs/user/table`: users as a table of only the columns asked for (spec 38.22.0:
 * `TableDefinition` in, `Table` = `{ columnNames, rows }` out, `skip`/`take` paging), turned back
 * into the `QrsUser` shape `/qrs/user/full` gives, so the release rules judge both alike.
 *
 * Nothing is guessed: a column QRS did not send leaves that field out of every record (the rules
 * treat a missing flag or list as doubt), and a row whose cells do not fit the schema is returned
 * in `invalid` (doubt too). A list cell is read as sub-rows in the order of the list's columns, or
 * as objects keyed by the column names.
 */
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
 * The records of the rows whose (lower-cased) id is in `wanted`; the others are skipped unread, so
 * a page of 10,000 users costs memory only for the ones the plan needs.
 */
export function usersFromTable(
  table: QrsTable,
  wanted: ReadonlySet<string>,
  into: UsersFromTable = { users: new Map(), invalid: [] },
): UsersFromTable {
  const at = (name: string) => table.columnNames.indexOf(name);
  const idAt = at('id');
  if (idAt < 0) return into;
  const simple = ['userId', 'userDirectory', 'inactive', 'blacklisted', 'removedExternally']
    .map((name) => [name, at(name)] as const)
    .filter(([, index]) => index >= 0);
  const tagsAt = at('tags');
  const propertiesAt = at('customProperties');
  for (const row of table.rows) {
    const id = row[idAt];
    if (typeof id !== 'string' || !wanted.has(id.toLowerCase())) continue;
    const record: Record<string, unknown> = { id };
    for (const [name, index] of simple) record[name] = row[index];
    if (tagsAt >= 0) record.tags = listCell(row[tagsAt], TAG_VALUE_COLUMNS, tagOf);
    if (propertiesAt >= 0)
      record.customProperties = listCell(row[propertiesAt], PROPERTY_VALUE_COLUMNS, propertyOf);
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

/** A list cell as records; anything that is not a list is passed on for the schema to refuse. */
function listCell(
  cell: unknown,
  columns: readonly string[],
  make: (values: readonly unknown[]) => unknown,
): unknown {
  if (cell === null || cell === undefined) return cell;
  if (!Array.isArray(cell)) return cell;
  return cell.map((item) => {
    if (Array.isArray(item)) return make(item);
    if (typeof item === 'object' && item !== null) {
      const fields = item as Record<string, unknown>;
      return make(columns.map((name) => (name in fields ? fields[name] : nested(fields, name))));
    }
    return item;
  });
}

/** `definition.name` as a path, for a list item sent as a nested object. */
function nested(fields: Record<string, unknown>, path: string): unknown {
  let value: unknown = fields;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const tagOf = ([name]: readonly unknown[]) => ({ name });
const propertyOf = ([value, definitionName]: readonly unknown[]) => ({
  value,
  definition: { name: definitionName },
});
