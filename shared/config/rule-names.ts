/**
 * Warnings at load for protection rules whose names may not say what their author meant: invisible
 * characters, or letters of several scripts (a pasted look-alike). Matching ignores invisible
 * characters and folds look-alike forms (docs/release.md, "Matching"), but a Cyrillic `а` in a
 * Latin tag name is another name: the admin should know before a run relies on it.
 */
import { nameSurprises } from '#shared/same-name.ts';
import type { Config } from './schema.ts';

export function ruleNameNotices(config: Pick<Config, 'sites'>): string[] {
  const notices: string[] = [];
  config.sites.forEach((site, index) => {
    const rules = site.licenseRelease?.neverRelease;
    if (!rules) return;
    const at = `sites[${index}].licenseRelease.neverRelease`;
    const names: Array<[string, string]> = [
      ...rules.user.flatMap(
        (rule, n): Array<[string, string]> => [
          [`${at}.user[${n}].userDir`, rule.userDir],
          [`${at}.user[${n}].userId`, rule.userId],
        ],
      ),
      ...rules.userDirectory.map((name, n): [string, string] => [
        `${at}.userDirectory[${n}]`,
        name,
      ]),
      ...rules.tag.map((name, n): [string, string] => [`${at}.tag[${n}]`, name]),
      ...rules.customProperty.flatMap(
        (rule, n): Array<[string, string]> => [
          [`${at}.customProperty[${n}].name`, rule.name],
          [`${at}.customProperty[${n}].value`, rule.value],
        ],
      ),
    ];
    for (const [key, name] of names)
      for (const surprise of nameSurprises(name))
        notices.push(
          `${key} ${JSON.stringify(name)} ${surprise}: check that it is the name QRS shows (matching ignores invisible characters; letters of another script are other letters)`,
        );
  });
  return notices;
}
