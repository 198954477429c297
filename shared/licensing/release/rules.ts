/**
 * Butler's `neverRelease` protection rules, compiled once per run into sets of name keys so that
 * each allocation is judged in constant time (50,000 allocations must not mean 50,000 × rules).
 * Names match when they are "the same name" (`sameName`: NFKC, case folded, invisible characters
 * removed; docs/release.md, "Matching"), so a look-alike spelling never escapes a protection.
 */
import type { FlagRule, NeverRelease } from '#shared/config/schema.ts';
import type { QrsUser } from '#shared/qrs/schemas.ts';
import type { UserColumns } from '#shared/qrs/user-table.ts';
import { nameKey } from '#shared/same-name.ts';
import type { KeepReason } from './types.ts';

export interface Protection {
  reason: KeepReason;
  detail?: string;
}

type UserFlag = 'inactive' | 'blacklisted' | 'removedExternally';

interface FlagCheck {
  rule: 'Yes' | 'No';
  flag: UserFlag;
  reason: KeepReason;
  /** The word the QMC and the config use (`blocked` is QRS's `blacklisted`). */
  label: string;
}

export interface ProtectionRules {
  /** Rules that need the full user record (tag, custom property, flags); false = no user look-ups. */
  readonly needsUserRecord: boolean;
  /** What of the user record the rules read (the columns of a bulk user read). */
  readonly userColumns: UserColumns;
  /** `user` and `userDirectory`: decided from the allocation's own user reference. */
  matchAllocationUser(user: { userDirectory: string; userId: string }): Protection | undefined;
  /** `tag`, `customProperty` and the flags, in that order; a missing flag a rule needs is doubt. */
  matchUserRecord(record: QrsUser): Protection | undefined;
  /** A short description for audit log lines. */
  readonly summary: string;
  /** The rules as configured (the checks against QRS read them). */
  readonly source: NeverRelease;
}

/**
 * Whether a name from a rule and one from QRS are the same name, the one comparison every
 * protection rule makes (user, userDirectory, tag, customProperty name and value).
 */
export function sameName(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}

const fold = nameKey;
/** Joins two folded parts; NUL cannot occur in QRS names, so pairs cannot collide. */
const pair = (a: string, b: string): string => `${fold(a)}\u0000${fold(b)}`;

export function compileProtectionRules(neverRelease: NeverRelease): ProtectionRules {
  const users = new Set(neverRelease.user.map((rule) => pair(rule.userDir, rule.userId)));
  const directories = new Set(neverRelease.userDirectory.map(fold));
  const tags = new Set(neverRelease.tag.map(fold));
  const properties = new Set(
    neverRelease.customProperty.map((rule) => pair(rule.name, rule.value)),
  );
  const flags = flagChecks(neverRelease);
  const needsUserRecord = tags.size > 0 || properties.size > 0 || flags.length > 0;

  return {
    needsUserRecord,
    userColumns: {
      flags: flags.map((check) => check.flag),
      tags: tags.size > 0,
      customProperties: properties.size > 0,
    },
    summary: describeRules(neverRelease),
    source: neverRelease,
    matchAllocationUser(user) {
      if (users.has(pair(user.userDirectory, user.userId)))
        return {
          reason: 'protected:user',
          detail: `neverRelease.user ${user.userDirectory}\\${user.userId}`,
        };
      if (directories.has(fold(user.userDirectory)))
        return {
          reason: 'protected:userDirectory',
          detail: `neverRelease.userDirectory ${user.userDirectory}`,
        };
      return undefined;
    },
    matchUserRecord(record) {
      // A record without the list a rule reads is doubt, as a missing flag is: keep.
      if (tags.size > 0) {
        if (!Array.isArray(record.tags))
          return {
            reason: 'protected:tag',
            detail: 'the user record has no tags list: kept on doubt',
          };
        const tag = record.tags.find((candidate) => tags.has(fold(candidate.name)));
        if (tag) return { reason: 'protected:tag', detail: `neverRelease.tag ${tag.name}` };
      }
      if (properties.size > 0) {
        if (!Array.isArray(record.customProperties))
          return {
            reason: 'protected:customProperty',
            detail: 'the user record has no customProperties list: kept on doubt',
          };
        const property = record.customProperties.find((candidate) =>
          properties.has(pair(candidate.definition.name, candidate.value)),
        );
        if (property)
          return {
            reason: 'protected:customProperty',
            detail: `neverRelease.customProperty ${property.definition.name}=${property.value}`,
          };
      }
      for (const check of flags) {
        const value = record[check.flag];
        if (typeof value !== 'boolean')
          return {
            reason: check.reason,
            detail: `the user record has no ${check.flag} flag, which neverRelease.${check.label}: ${check.rule} needs (doubt: kept)`,
          };
        if (value === (check.rule === 'Yes'))
          return {
            reason: check.reason,
            detail: `neverRelease.${check.label}: ${check.rule} (${check.flag} is ${value})`,
          };
      }
      return undefined;
    },
  };
}

function flagChecks(rules: NeverRelease): FlagCheck[] {
  const all: Array<{ rule: FlagRule; flag: UserFlag; reason: KeepReason; label: string }> = [
    { rule: rules.inactive, flag: 'inactive', reason: 'protected:inactive', label: 'inactive' },
    { rule: rules.blocked, flag: 'blacklisted', reason: 'protected:blocked', label: 'blocked' },
    {
      rule: rules.removedExternally,
      flag: 'removedExternally',
      reason: 'protected:removedExternally',
      label: 'removedExternally',
    },
  ];
  return all.flatMap((check) =>
    check.rule === 'Ignore' ? [] : [{ ...check, rule: check.rule as 'Yes' | 'No' }],
  );
}

/** `user×1 userDirectory[INTERNAL,ADMIN] tag[…] customProperty[…] blocked=Yes`, or `none`. */
function describeRules(rules: NeverRelease): string {
  const parts: string[] = [];
  if (rules.user.length > 0) parts.push(`user×${rules.user.length}`);
  if (rules.userDirectory.length > 0) parts.push(`userDirectory[${rules.userDirectory.join(',')}]`);
  if (rules.tag.length > 0) parts.push(`tag[${rules.tag.join(',')}]`);
  if (rules.customProperty.length > 0)
    parts.push(
      `customProperty[${rules.customProperty.map((rule) => `${rule.name}=${rule.value}`).join(',')}]`,
    );
  for (const [label, rule] of [
    ['inactive', rules.inactive],
    ['blocked', rules.blocked],
    ['removedExternally', rules.removedExternally],
  ] as const)
    if (rule !== 'Ignore') parts.push(`${label}=${rule}`);
  return parts.length > 0 ? parts.join(' ') : 'none';
}
