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

export interface TableTally {
  /** Called for every row of every page. */
  observe(lists: TableRowLists): void;
  /** `undefined` when every count agrees, else why the table is not trusted. */
  disagreement(counter: RuleCounter): Promise<string | undefined>;
  /** Rules checked (= `/qrs/user/count` requests the check needs). */
  readonly rules: number;
}

export function tableTally(rules: NeverRelease): TableTally {
  const tags = rules.tag.map((tag) => ({ tag, seen: 0 }));
  const properties = rules.customProperty.map((rule) => ({ rule, seen: 0 }));
  return {
    rules: tags.length + properties.length,
    observe(lists) {
      for (const entry of tags)
        if (lists.tags?.some((tag) => sameName(tag.name, entry.tag))) entry.seen++;
      for (const entry of properties) {
        const values = lists.customProperties ?? [];
        // The filter's two halves each hold for any property of the user: counted alike here.
        if (
          values.some((value) => sameName(value.definition.name, entry.rule.name)) &&
          values.some((value) => sameName(value.value, entry.rule.value))
        )
          entry.seen++;
      }
    },
    async disagreement(counter) {
      const differences: string[] = [];
      const [tagCounts, propertyCounts] = await Promise.all([
        Promise.all(tags.map((entry) => counter.usersWithTag(entry.tag))),
        Promise.all(properties.map((entry) => counter.usersWithProperty(entry.rule))),
      ]);
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
