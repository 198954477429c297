/**
 * A license allocation as the planner sees it: normalised from a QRS access type item, with
 * anything that did not match the schema kept as `null` plus a note, never guessed.
 */
import { z } from 'zod';
import { accessTypeItemSchema, describeIssues, userCondensedSchema } from './schemas.ts';

export type LicenseType = 'professional' | 'analyzer';
export const LICENSE_TYPES: readonly LicenseType[] = ['professional', 'analyzer'];

export interface Allocation {
  id: string;
  licenseType: LicenseType;
  /** Raw date strings as QRS sent them; parsed (and judged) by the planner. */
  createdDate: string | null;
  lastUsed: string | null;
  quarantined: boolean | null;
  user: { id: string; userId: string; userDirectory: string; name: string | null } | null;
  /** What did not match the schema, for the kept allocation's `detail`. */
  problems: string[];
}

/** An item that could not be used at all (no id): reported, never acted on. */
export interface MalformedItem {
  index: number;
  problem: string;
}

const optionalString = z.string().nullish();

export function normaliseAllocations(
  body: unknown,
  licenseType: LicenseType,
): { allocations: Allocation[]; malformed: MalformedItem[] } {
  const allocations: Allocation[] = [];
  const malformed: MalformedItem[] = [];
  if (!Array.isArray(body)) throw new TypeError('expected a JSON array of access types');
  body.forEach((raw, index) => {
    const item = accessTypeItemSchema.safeParse(raw);
    if (!item.success) {
      malformed.push({ index, problem: describeIssues(item.error, `[${index}]`) });
      return;
    }
    const problems: string[] = [];
    const pick = <T>(
      field: string,
      schema: z.ZodType<T>,
      value: unknown,
    ): NonNullable<T> | null => {
      const parsed = schema.safeParse(value);
      if (parsed.success) return parsed.data ?? null;
      problems.push(`${field}: ${describeIssues(parsed.error)}`);
      return null;
    };
    const user = item.data.user == null ? null : pick('user', userCondensedSchema, item.data.user);
    allocations.push({
      id: item.data.id,
      licenseType,
      createdDate: pick('createdDate', optionalString, item.data.createdDate),
      lastUsed: pick('lastUsed', optionalString, item.data.lastUsed),
      quarantined: pick('quarantined', z.boolean().nullish(), item.data.quarantined),
      user: user && {
        id: user.id,
        userId: user.userId,
        userDirectory: user.userDirectory,
        name: user.name ?? null,
      },
      problems,
    });
  });
  return { allocations, malformed };
}
