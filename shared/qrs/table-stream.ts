/**
 * The rows of a `/qrs/user/table` page as the stream parser hands them over (client.ts): each
 * row is kept only when the caller wants its id, so a page is never held whole. The result is the
 * same `{ columnNames, rows }` a buffered read gives (`asTable` in user-table.ts), less the rows
 * nobody asked for; a body that is not a table is `undefined`, as there.
 */
import type { JsonStreamRead } from './json-stream.ts';
import type { QrsTable } from './user-table.ts';

export class TableRowCollector {
  private columnNames: string[] | undefined;
  private readonly rows: unknown[][] = [];
  /** Rows that came before `columnNames` (QRS sends the names first; kept until they come). */
  private early: unknown[][] = [];
  private shapeProblem = false;
  private idAt = -1;
  private readonly keepRow: ((id: string) => boolean) | undefined;

  constructor(keepRow?: (id: string) => boolean) {
    this.keepRow = keepRow;
  }

  readonly onValue = (value: unknown, at: { key: string | number | undefined; depth: number }) => {
    if (at.depth === 1 && at.key === 'columnNames') {
      if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) {
        this.shapeProblem = true;
        return;
      }
      this.columnNames = value;
      this.idAt = value.indexOf('id');
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
    if (!this.keepRow) {
      this.rows.push(row);
      return;
    }
    const id = row[this.idAt];
    if (typeof id === 'string' && this.keepRow(id)) this.rows.push(row);
  }
}
