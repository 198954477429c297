/**
 * Server-side counts about the protection rules, one module for the two uses
 * (docs/release.md, "What is read from QRS"): the cross-check of the bulk user table
 * (table-cross-check.ts) and the check that every `neverRelease` rule names something QRS has
 * (rule-check.ts). Each count is asked once per run, whichever use asks first.
 *
 * The filters, in QRS's filter language (string comparison ignores case; a path through a list,
 * `tags.name`, holds when any item matches):
 * - `tag`: `tags.name eq '<tag>'` on `/qrs/user/count`; the tag itself: `name eq '<tag>'` on
 *   `/qrs/tag/count`.
 * - `customProperty`: `customProperties.definition.name eq '<name>' and customProperties.value eq
 *   '<value>'` on `/qrs/user/count` (each half holds for any of the user's values, so the table's
 *   side is counted the same way); the definition: `name eq '<name>'` on
 *   `/qrs/custompropertydefinition/full`.
 * - `user`: `(userDirectory eq '<dir>' and userId eq '<id>') or …` on `/qrs/user/count`.
 * - `userDirectory`: `userDirectory eq '<dir>'` on `/qrs/user/count`.
 */
import type { NeverRelease } from '#shared/config/schema.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import { qrsString } from '#shared/qrs/filter.ts';
import type { CustomPropertyDefinition } from '#shared/qrs/schemas.ts';

/** Without the tag and definition reads (test doubles), only user counts can be asked. */
export type RuleCountQrs = Pick<QrsClient, 'countUsers'> &
  Partial<Pick<QrsClient, 'countTags' | 'getCustomPropertyDefinitions'>>;

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
  byName: (name: string) => `name eq ${qrsString(name)}`,
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

  tags(name: string): Promise<number> {
    const { countTags } = this.qrs;
    if (!countTags) return Promise.reject(new Error('this QRS client cannot count tags'));
    return this.once(`tag ${name}`, () => countTags.call(this.qrs, ruleFilter.byName(name)));
  }

  propertyDefinitions(name: string): Promise<CustomPropertyDefinition[]> {
    const { getCustomPropertyDefinitions: read } = this.qrs;
    if (!read) return Promise.reject(new Error('this QRS client cannot read custom properties'));
    return this.once(`definition ${name}`, () => read.call(this.qrs, ruleFilter.byName(name)));
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
