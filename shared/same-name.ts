/**
 * What "the same name" means wherever a protection rule compares a name from the configuration
 * with one from QRS (users, directories, tags, custom properties; docs/release.md, "Matching"):
 * Unicode NFKC (composed and decomposed `é`, full-width letters, no-break spaces all become the
 * plain form), case folded, invisible characters removed, runs of white space one space, no space
 * at either end. A leaf: any layer may import it, it imports nothing.
 */

/** Zero-width spaces and joiners, the BOM, soft hyphens, bidi marks: nothing a reader can see. */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
const SPACES = /\s+/gu;

/** Printable ASCII: NFKC leaves it alone and it holds nothing invisible (most names, every run). */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The comparable form of a name: two names are the same when their keys are equal. */
export function nameKey(name: string): string {
  if (PRINTABLE_ASCII.test(name)) return name.replace(SPACES, ' ').trim().toLowerCase();
  const plain = name.normalize('NFKC').replace(INVISIBLE, '').replace(SPACES, ' ').trim();
  // Upper then lower case folds what lower case alone keeps apart (ß and SS, final sigma);
  // NFKC again, since case mapping may leave a decomposed form (İ).
  return plain.toUpperCase().toLowerCase().normalize('NFKC');
}

/** Scripts a name's letters come from; Han, kana and Hangul together count as one (CJK). */
const SCRIPTS: ReadonlyArray<[string, RegExp]> = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['CJK', /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u],
];

/**
 * Why a name in a rule may not be what its author meant (the configuration warns at load): it
 * holds characters nobody can see, or letters of several scripts (a Cyrillic `а` in a Latin word).
 */
export function nameSurprises(name: string): string[] {
  const surprises: string[] = [];
  const invisible = [...new Set(name.match(INVISIBLE) ?? [])];
  if (invisible.length > 0)
    surprises.push(`holds invisible characters (${invisible.map(codePoint).join(', ')})`);
  const scripts = new Set<string>();
  for (const letter of name.normalize('NFKC').match(/\p{L}/gu) ?? [])
    for (const [script, pattern] of SCRIPTS) if (pattern.test(letter)) scripts.add(script);
  if (scripts.size > 1)
    surprises.push(`mixes letters of several scripts (${[...scripts].join(', ')})`);
  return surprises;
}

function codePoint(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
