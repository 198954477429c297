/**
 * The cross-check of the bulk user table (docs/release.md, "What is read from QRS"): for each
 * `tag` and `customProperty` rule, the users the table shows as matching are counted over every
 * row and compared with QRS's own count of the same question (rule-counts.ts). A server that
 * resolves List columns differently (empty lists, another form read as empty) shows fewer users
 * than QRS counts; any difference means the table is not trusted for the run.
 */
import type { NeverRelease } from '#shared/config/schema.ts';
import type { TableRowLists } from '#shared/qrs/user-table.ts';
import type { RuleCounter } from './rule-counts.ts';
import { sameName } from './rules.ts';

/** One page's counts: added to the tally only once the whole page is read (`commit`). */
export interface PageTally {
  observe(lists: TableRowLists): void;
  commit(): void;
}

export interface TableTally {
  /** Called for every row of every page. */
  observe(lists: TableRowLists): void;
  /** A page's own counts, so a page read again (a retry) is not counted twice. */
  page(): PageTally;
  /**
   * `undefined` when every count agrees, else why the table is not trusted. QRS's counts are
   * asked at once; the comparison waits for `tableRead` (the pages being read), and a failure of
   * either is thrown only once both have settled, so no page is left reading behind the caller.
   */
  disagreement(counter: RuleCounter, tableRead?: Promise<unknown>): Promise<string | undefined>;
  /** Rules checked (= `/qrs/user/count` requests the check needs). */
  readonly rules: number;
}

export function tableTally(rules: NeverRelease): TableTally {
  const tags = rules.tag.map((tag) => ({ tag, seen: 0 }));
  const properties = rules.customProperty.map((rule) => ({ rule, seen: 0 }));
  /** Which rules the row's lists match: one flag per tag rule, then per property rule. */
  const matches = (lists: TableRowLists): boolean[] => [
    ...tags.map((entry) => lists.tags?.some((tag) => sameName(tag.name, entry.tag)) ?? false),
    ...properties.map((entry) => {
      const values = lists.customProperties ?? [];
      // The filter's two halves each hold for any property of the user: counted alike here.
      return (
        values.some((value) => sameName(value.definition.name, entry.rule.name)) &&
        values.some((value) => sameName(value.value, entry.rule.value))
      );
    }),
  ];
  const entries = [...tags, ...properties];
  const add = (counts: readonly number[]) => {
    entries.forEach((entry, index) => {
      entry.seen += counts[index] ?? 0;
    });
  };
  return {
    rules: entries.length,
    observe(lists) {
      add(matches(lists).map(Number));
    },
    page() {
      const counts = entries.map(() => 0);
      return {
        observe(lists) {
          matches(lists).forEach((match, index) => {
            if (match) counts[index] = (counts[index] ?? 0) + 1;
          });
        },
        commit: () => add(counts),
      };
    },
    async disagreement(counter, tableRead = Promise.resolve()) {
      const differences: string[] = [];
      const [counts, table] = await Promise.allSettled([
        Promise.all([
          Promise.all(tags.map((entry) => counter.usersWithTag(entry.tag))),
          Promise.all(properties.map((entry) => counter.usersWithProperty(entry.rule))),
        ]),
        tableRead,
      ]);
      if (table.status === 'rejected') throw table.reason;
      if (counts.status === 'rejected') throw counts.reason;
      const [tagCounts, propertyCounts] = counts.value;
      tags.forEach((entry, index) => {
        const counted = tagCounts[index];
        if (counted !== entry.seen)
          differences.push(
            `tag "${entry.tag}": the table shows ${entry.seen} users, QRS counts ${counted}`,
          );
      });
      properties.forEach((entry, index) => {
        const counted = propertyCounts[index];
        if (counted !== entry.seen)
          differences.push(
            `customProperty ${entry.rule.name}=${entry.rule.value}: the table shows ${entry.seen} users, QRS counts ${counted}`,
          );
      });
      return differences.length > 0 ? differences.join('; ') : undefined;
    },
  };
}
