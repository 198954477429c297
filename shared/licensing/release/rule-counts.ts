/**
 * Server-side counts about the protection rules, one module for the two uses
 * (docs/release.md, "What is read from QRS"): the cross-check of the bulk user table
 * (table-cross-check.ts) and the check that every `neverRelease` rule names something QRS has
 * (rule-check.ts). Each count is asked once per run, whichever use asks first.
 *
 * The filters, in QRS's filter language (string comparison ignores case; a path through a list,
 * `tags.name`, holds when any item matches):
 * - `tag`: `tags.name eq '<tag>'` on `/qrs/user/count`; the tags themselves: `/qrs/tag`, all of
 *   them, compared in code (a rule may be a look-alike spelling QRS's filter cannot find).
 * - `customProperty`: `customProperties.definition.name eq '<name>' and customProperties.value eq
 *   '<value>'` on `/qrs/user/count` (each half holds for any of the user's values, so the table's
 *   side is counted the same way); the definitions: `/qrs/custompropertydefinition/full`, all of
 *   them, compared in code.
 * - `user`: `(userDirectory eq '<dir>' and userId eq '<id>') or …` on `/qrs/user/count`.
 * - `userDirectory`: `userDirectory eq '<dir>'` on `/qrs/user/count`.
 */
import type { NeverRelease } from '#shared/config/schema.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import { qrsString } from '#shared/qrs/filter.ts';
import type { CustomPropertyDefinition } from '#shared/qrs/schemas.ts';

/** Without the tag and definition reads (test doubles), only user counts can be asked. */
export type RuleCountQrs = Pick<QrsClient, 'countUsers'> &
  Partial<Pick<QrsClient, 'getTags' | 'getCustomPropertyDefinitions'>>;

type UserRule = NeverRelease['user'][number];
type PropertyRule = NeverRelease['customProperty'][number];

export const ruleFilter = {
  usersWithTag: (tag: string) => `tags.name eq ${qrsString(tag)}`,
  usersWithProperty: (rule: PropertyRule) =>
    `customProperties.definition.name eq ${qrsString(rule.name)} and customProperties.value eq ${qrsString(rule.value)}`,
  user: (rule: UserRule) =>
    `userDirectory eq ${qrsString(rule.userDir)} and userId eq ${qrsString(rule.userId)}`,
  usersOf: (rules: readonly UserRule[]) =>
    rules.map((rule) => `(${ruleFilter.user(rule)})`).join(' or '),
  usersInDirectory: (directory: string) => `userDirectory eq ${qrsString(directory)}`,
} as const;

/** The counts of one run, each asked once (a promise per filter, shared by both uses). */
export class RuleCounter {
  private readonly asked = new Map<string, Promise<unknown>>();
  private readonly qrs: RuleCountQrs;

  constructor(qrs: RuleCountQrs) {
    this.qrs = qrs;
  }

  /** QRS requests this counter has sent. */
  get requests(): number {
    return this.asked.size;
  }

  users(filter: string): Promise<number> {
    return this.once(`user ${filter}`, () => this.qrs.countUsers(filter));
  }

  usersWithTag(tag: string): Promise<number> {
    return this.users(ruleFilter.usersWithTag(tag));
  }

  usersWithProperty(rule: PropertyRule): Promise<number> {
    return this.users(ruleFilter.usersWithProperty(rule));
  }

  /** Every tag (one request, whichever rule asks first). */
  tags(): Promise<Array<{ name: string }>> {
    const { getTags } = this.qrs;
    if (!getTags) return Promise.reject(new Error('this QRS client cannot read tags'));
    return this.once('tags', () => getTags.call(this.qrs));
  }

  /** Every custom property definition (one request, whichever rule asks first). */
  propertyDefinitions(): Promise<CustomPropertyDefinition[]> {
    const { getCustomPropertyDefinitions: read } = this.qrs;
    if (!read) return Promise.reject(new Error('this QRS client cannot read custom properties'));
    return this.once('definitions', () => read.call(this.qrs));
  }

  private once<T>(key: string, ask: () => Promise<T>): Promise<T> {
    let answer = this.asked.get(key) as Promise<T> | undefined;
    if (!answer) {
      answer = ask();
      this.asked.set(key, answer);
    }
    return answer;
  }
}
