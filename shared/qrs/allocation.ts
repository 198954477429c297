/**
 * A license allocation as the planner sees it: normalised from a QRS access type item, with
 * anything that did not match the schema kept as `null` plus a note, never guessed.
 *
 * The record is compact on purpose (docs/release.md, "Memory"): only the fields the rules and
 * the output read (id, the user's id, directory and user id, the two dates, the quarantine flag),
 * the few directory names shared by every allocation, so a site of 200,000 fits one function.
 */
import { z } from 'zod';
import { accessTypeItemSchema, describeIssues, userCondensedSchema } from './schemas.ts';

/** `userAccess`: the user access passes of a token site (docs/release.md, "Token sites"). */
export type LicenseType = 'professional' | 'analyzer' | 'userAccess';
export const LICENSE_TYPES: readonly LicenseType[] = ['professional', 'analyzer', 'userAccess'];

export interface Allocation {
  id: string;
  licenseType: LicenseType;
  /** Raw date strings as QRS sent them; parsed (and judged) by the planner. */
  createdDate: string | null;
  lastUsed: string | null;
  quarantined: boolean | null;
  user: { id: string; userId: string; userDirectory: string } | null;
  /** What did not match the schema, for the kept allocation's `detail` (shared when empty). */
  problems: readonly string[];
}

/** An item that could not be used at all (no id): reported, never acted on. */
export interface MalformedItem {
  index: number;
  problem: string;
}

const optionalString = z.string().nullish();
const optionalBoolean = z.boolean().nullish();

const NO_PROBLEMS: readonly string[] = Object.freeze([]);

/**
 * Builds the compact records of one access type list, one item at a time as the stream parser
 * hands them over (client.ts), so the list itself is never held.
 */
export class AllocationCollector {
  readonly allocations: Allocation[] = [];
  readonly malformed: MalformedItem[] = [];
  private readonly licenseType: LicenseType;
  /** One string per directory name (a site has a handful), instead of one per allocation. */
  private readonly names = new Map<string, string>();
  private index = 0;

  constructor(licenseType: LicenseType) {
    this.licenseType = licenseType;
  }

  add(raw: unknown): void {
    const index = this.index++;
    const allocation =
      wellFormed(raw, this.licenseType, this.names) ?? checked(raw, index, this.licenseType);
    if ('problem' in allocation) this.malformed.push(allocation);
    else this.allocations.push(allocation);
  }
}

/** The same records from a list already parsed (tests, and any caller holding the body). */
export function normaliseAllocations(
  body: unknown,
  licenseType: LicenseType,
): { allocations: Allocation[]; malformed: MalformedItem[] } {
  if (!Array.isArray(body)) throw new TypeError('expected a JSON array of access types');
  const collector = new AllocationCollector(licenseType);
  for (const raw of body) collector.add(raw);
  return { allocations: collector.allocations, malformed: collector.malformed };
}

/** The odd item, checked by the schemas: what does not fit is noted, never guessed. */
function checked(
  raw: unknown,
  index: number,
  licenseType: LicenseType,
): Allocation | MalformedItem {
  const item = accessTypeItemSchema.safeParse(raw);
  if (!item.success) return { index, problem: describeIssues(item.error, `[${index}]`) };
  const problems: string[] = [];
  const pick = <T>(field: string, schema: z.ZodType<T>, value: unknown): NonNullable<T> | null => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data ?? null;
    problems.push(`${field}: ${describeIssues(parsed.error)}`);
    return null;
  };
  const user = item.data.user == null ? null : pick('user', userCondensedSchema, item.data.user);
  return {
    id: item.data.id,
    licenseType,
    createdDate: pick('createdDate', optionalString, item.data.createdDate),
    lastUsed: pick('lastUsed', optionalString, item.data.lastUsed),
    quarantined: pick('quarantined', optionalBoolean, item.data.quarantined),
    user: user && { id: user.id, userId: user.userId, userDirectory: user.userDirectory },
    problems,
  };
}

/**
 * The shape nearly every item has, checked by hand: on a site of 50,000 allocations the schemas
 * above then run only for the odd item, which they describe exactly as before (same result).
 */
function wellFormed(
  raw: unknown,
  licenseType: LicenseType,
  names: Map<string, string>,
): Allocation | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const { id, createdDate, lastUsed, quarantined, user } = raw as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0) return undefined;
  if (!isOptionalString(createdDate) || !isOptionalString(lastUsed)) return undefined;
  if (quarantined != null && typeof quarantined !== 'boolean') return undefined;
  let owner: Allocation['user'] = null;
  if (user != null) {
    if (typeof user !== 'object' || Array.isArray(user)) return undefined;
    const fields = user as Record<string, unknown>;
    if (
      typeof fields.id !== 'string' ||
      typeof fields.userId !== 'string' ||
      typeof fields.userDirectory !== 'string' ||
      !isOptionalString(fields.name)
    )
      return undefined;
    owner = {
      id: fields.id,
      userId: fields.userId,
      userDirectory: shared(names, fields.userDirectory),
    };
  }
  return {
    id,
    licenseType,
    createdDate: createdDate ?? null,
    lastUsed: lastUsed ?? null,
    quarantined: quarantined ?? null,
    user: owner,
    problems: NO_PROBLEMS,
  };
}

function isOptionalString(value: unknown): value is string | null | undefined {
  return value == null || typeof value === 'string';
}

function shared(names: Map<string, string>, name: string): string {
  const known = names.get(name);
  if (known !== undefined) return known;
  names.set(name, name);
  return name;
}
