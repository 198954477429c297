/**
 * `Promise.all` that waits for every request to finish before it throws the first failure: a
 * request still retrying in the background would otherwise log its retry lines after the run had
 * already reported its final error (docs/faults.md).
 */
export async function allSettled<T extends readonly unknown[] | []>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = (await Promise.allSettled(promises)) as PromiseSettledResult<unknown>[];
  const values: unknown[] = [];
  for (const result of settled) {
    if (result.status === 'rejected') throw result.reason;
    values.push(result.value);
  }
  return values as { -readonly [K in keyof T]: Awaited<T[K]> };
}
