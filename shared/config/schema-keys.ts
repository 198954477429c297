/**
 * Every key name a schema knows, at any depth: the vocabulary "did you mean" chooses from when a
 * key is unknown (`neverRelase` → `neverRelease`). Walks zod's own definitions.
 */
import type { z } from 'zod';

interface Def {
  shape?: Record<string, unknown>;
  element?: unknown;
  options?: unknown[];
  innerType?: unknown;
  in?: unknown;
  out?: unknown;
  left?: unknown;
  right?: unknown;
  valueType?: unknown;
}

export function schemaKeys(schema: z.ZodType): string[] {
  const keys = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    const def = (node as { _zod?: { def?: Def } })._zod?.def;
    if (!def) return;
    if (def.shape)
      for (const [key, child] of Object.entries(def.shape)) {
        keys.add(key);
        visit(child);
      }
    for (const child of [def.element, def.innerType, def.in, def.out, def.left, def.right])
      visit(child);
    for (const child of def.options ?? []) visit(child);
    visit(def.valueType);
  };
  visit(schema);
  return [...keys];
}
