/**
 * The rows of a `/qrs/user/table` page as the stream parser hands them over (client.ts): each
 * row is kept only when the caller wants its id, so a page is never held whole. The result is the
 * same `{ columnNames, rows }` a buffered read gives (`asTable` in user-table.ts), less the rows
 * nobody asked for; a body that is not a table is `undefined`, as there. Every row's List cells
 * can be handed to `observeLists` as it streams (the cross-check counts the whole table without
 * keeping it); a cell of an unknown form is kept as `failure` and ends the observing.
 */
import type { JsonStreamRead } from './json-stream.ts';
import { type QrsTable, type TableRowLists, tableRowLists } from './user-table.ts';

export interface TableRowOptions {
  /** Keep only the rows whose id this accepts (all when absent). */
  keepRow?: (id: string) => boolean;
  /** Called with the List cells of every row, kept or not. */
  observeLists?: (lists: TableRowLists) => void;
}

export class TableRowCollector {
  private columnNames: string[] | undefined;
  private readonly rows: unknown[][] = [];
  /** Rows that came before `columnNames` (QRS sends the names first; kept until they come). */
  private early: unknown[][] = [];
  private shapeProblem = false;
  private idAt = -1;
  private readonly keepRow: ((id: string) => boolean) | undefined;
  private readonly observeLists: ((lists: TableRowLists) => void) | undefined;
  private listsOf: ((row: unknown[]) => TableRowLists) | undefined;
  /** The first error reading a row's lists (`UserTableShapeError`): the page is unusable. */
  failure: unknown;

  constructor(options: TableRowOptions = {}) {
    this.keepRow = options.keepRow;
    this.observeLists = options.observeLists;
  }

  readonly onValue = (value: unknown, at: { key: string | number | undefined; depth: number }) => {
    if (at.depth === 1 && at.key === 'columnNames') {
      if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) {
        this.shapeProblem = true;
        return;
      }
      this.columnNames = value;
      this.idAt = value.indexOf('id');
      this.listsOf = tableRowLists(value);
      for (const row of this.early) this.offer(row);
      this.early = [];
      return;
    }
    if (at.depth !== 2) return;
    // `$.rows.*` of an object rather than an array has string keys: not a table.
    if (typeof at.key !== 'number' || !Array.isArray(value)) {
      this.shapeProblem = true;
      return;
    }
    if (this.columnNames) this.offer(value);
    else this.early.push(value);
  };

  /** The page, or `undefined` when the body was not a table. */
  table(read: Pick<JsonStreamRead, 'topLevelKeys'>): QrsTable | undefined {
    if (this.shapeProblem || !this.columnNames || !read.topLevelKeys.has('rows')) return undefined;
    return { columnNames: this.columnNames, rows: this.rows };
  }

  private offer(row: unknown[]): void {
    if (this.observeLists && this.listsOf && this.failure === undefined) {
      try {
        this.observeLists(this.listsOf(row));
      } catch (error) {
        this.failure = error;
      }
    }
    if (!this.keepRow) {
      this.rows.push(row);
      return;
    }
    const id = row[this.idAt];
    if (typeof id === 'string' && this.keepRow(id)) this.rows.push(row);
  }
}
