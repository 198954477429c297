/**
 * "Did you mean …?": the closest of the known words to a misspelt one (a config key, a command, an
 * option), or nothing when none is close enough to be a likely typo.
 */

/** Spelling that differs only in case, hyphens or underscores is the same word (`--dryrun`). */
function normalise(word: string): string {
  return word.toLowerCase().replace(/[-_]/g, '');
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`. */
function distance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: columns }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++)
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  return at(a.length, b.length);
}

/**
 * The known word closest to `word`, if it is within a typo's reach: a third of the word's length
 * (at least 1, at most 3 edits), so `relase` finds `release` but `foo` finds nothing.
 */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  const typed = normalise(word);
  const reach = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  let best: { word: string; distance: number } | undefined;
  for (const candidate of known) {
    const d = distance(typed, normalise(candidate));
    if (d <= reach && (best === undefined || d < best.distance))
      best = { word: candidate, distance: d };
  }
  return best?.word;
}

/** ` (did you mean "x"?)`, or nothing. */
export function suggestion(word: string, known: readonly string[], quote = '"'): string {
  const match = didYouMean(word, known);
  return match === undefined ? '' : ` (did you mean ${quote}${match}${quote}?)`;
}
