/**
 * Every `neverRelease` rule held against QRS (docs/release.md, "Rules that match nothing"): a
 * typo in a rule silently removes the protection, so each rule must name something QRS has: the
 * user exists, the user directory has users, the tag exists, the custom property exists and the
 * value is one of its choices (where it has choices). A few counts (rule-counts.ts), shared with
 * the cross-check of the bulk user table. `doctor` shows the findings as a failed check, a dry
 * run as warnings, and a real release refuses to run (unless `allowUnmatchedRules: true`).
 *
 * Names are the rules' "same name" (`sameName`): tags and custom properties are few, so they are
 * read whole and compared in code. Users and directories are counted with QRS's filter, which
 * compares case-insensitively only: for a rule whose spelling the rules read more loosely (other
 * Unicode forms, invisible characters), a zero count cannot prove a typo, and is reported as
 * unconfirmed (a warning, never a refusal).
 */
import type { NeverRelease } from '#shared/config/schema.ts';
import { StewardError } from '#shared/errors.ts';
import { nameKey } from '#shared/same-name.ts';
import { type RuleCounter, ruleFilter } from './rule-counts.ts';
import { sameName } from './rules.ts';

export interface RuleFinding {
  /** The rule as written, e.g. `neverRelease.tag "License do not relase"`. */
  rule: string;
  /** What QRS says instead. */
  problem: string;
  /** false: QRS's filter found nothing, but cannot look for every spelling the rule matches. */
  decisive: boolean;
}

export class UnmatchedRulesError extends StewardError {
  constructor(findings: readonly RuleFinding[]) {
    const one = findings.length === 1;
    super(
      `release refused: ${one ? 'a protection rule matches' : `${findings.length} protection rules match`} nothing in QRS, so ${one ? 'it protects' : 'they protect'} nobody: ${describeFindings(findings)}. Fix the rule (a typo?), or set licenseRelease.allowUnmatchedRules: true for rules meant to match nobody yet`,
    );
    this.name = 'UnmatchedRulesError';
  }
}

export function describeFindings(findings: readonly RuleFinding[]): string {
  return findings.map((finding) => `${finding.rule}: ${finding.problem}`).join('; ');
}

/** One line per finding, for a run's warnings. */
export function findingWarning(finding: RuleFinding): string {
  return finding.decisive
    ? `${finding.rule} matches nothing in QRS (${finding.problem}): it protects nobody. Check the spelling, or set licenseRelease.allowUnmatchedRules: true if it is meant to match nobody yet`
    : `${finding.rule} could not be confirmed in QRS (${finding.problem}): check that it is spelled as in the QMC`;
}

const UNCONFIRMED =
  "QRS's filter found no such spelling, and the rule also matches other spellings of the same name that the filter cannot look for";

/**
 * Plain printable ASCII, single spaces: QRS's case-insensitive filter then finds the spellings
 * the rule matches (a non-ASCII name may be stored in another Unicode form, e.g. decomposed).
 */
const PLAIN = /^[\x21-\x7e]+( [\x21-\x7e]+)*$/;
const literal = (text: string): boolean => PLAIN.test(text);

export async function checkRulesInQrs(
  rules: NeverRelease,
  counter: RuleCounter,
): Promise<RuleFinding[]> {
  const checks = await Promise.all([
    checkUsers(rules.user, counter),
    ...rules.userDirectory.map(async (directory): Promise<RuleFinding[]> => {
      if ((await counter.users(ruleFilter.usersInDirectory(directory))) > 0) return [];
      const decisive = literal(directory);
      return [
        {
          rule: `neverRelease.userDirectory "${directory}"`,
          problem: decisive ? 'no user in QRS has this user directory' : UNCONFIRMED,
          decisive,
        },
      ];
    }),
    ...rules.tag.map(async (tag): Promise<RuleFinding[]> => {
      if ((await counter.usersWithTag(tag)) > 0) return [];
      if ((await counter.tags()).some((known) => sameName(known.name, tag))) return [];
      return [
        {
          rule: `neverRelease.tag "${tag}"`,
          problem: 'QRS has no tag of this name',
          decisive: true,
        },
      ];
    }),
    // Judged on the definitions, not on a user count: QRS's count filter may meet the name on
    // one of a user's properties and the value on another, so a mistyped value could count > 0.
    ...rules.customProperty.map(async (rule): Promise<RuleFinding[]> => {
      const problem = propertyProblem(rule, await counter.propertyDefinitions());
      return problem
        ? [
            {
              rule: `neverRelease.customProperty ${rule.name}=${rule.value}`,
              problem,
              decisive: true,
            },
          ]
        : [];
    }),
  ]);
  return checks.flat();
}

type UserRule = NeverRelease['user'][number];

/** One count for all `user` rules; only when it falls short, one count each to name them. */
async function checkUsers(
  rules: readonly UserRule[],
  counter: RuleCounter,
): Promise<RuleFinding[]> {
  const distinct = new Map<string, UserRule>();
  for (const rule of rules)
    distinct.set(`${nameKey(rule.userDir)}\u0000${nameKey(rule.userId)}`, rule);
  const unique = [...distinct.values()];
  if (unique.length === 0) return [];
  if ((await counter.users(ruleFilter.usersOf(unique))) === unique.length) return [];
  const counts = await Promise.all(unique.map((rule) => counter.users(ruleFilter.user(rule))));
  return unique.flatMap((rule, index) => {
    if (counts[index] !== 0) return [];
    const decisive = literal(rule.userDir) && literal(rule.userId);
    return [
      {
        rule: `neverRelease.user ${rule.userDir}\\${rule.userId}`,
        problem: decisive ? 'QRS has no such user' : UNCONFIRMED,
        decisive,
      },
    ];
  });
}

function propertyProblem(
  rule: NeverRelease['customProperty'][number],
  definitions: ReadonlyArray<{
    name: string;
    choiceValues?: string[] | null;
    objectTypes?: string[] | null;
  }>,
): string | undefined {
  const definition = definitions.find((candidate) => sameName(candidate.name, rule.name));
  if (!definition) return 'QRS has no custom property of this name';
  const types = definition.objectTypes ?? [];
  if (types.length > 0 && !types.some((type) => sameName(type, 'User')))
    return `the custom property ${definition.name} is not for users (it applies to ${types.join(', ')})`;
  const choices = definition.choiceValues ?? [];
  if (choices.length > 0 && !choices.some((choice) => sameName(choice, rule.value)))
    return `"${rule.value}" is not one of its choices (${choices.join(', ')})`;
  // A free-text property, or a choice nobody has yet: the rule is right, it matches nobody today.
  return undefined;
}
