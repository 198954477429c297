/**
 * A license allocation as the planner sees it: normalised from a QRS access type item, with
 * anything that did not match the schema kept as `null` plus a note, never guessed.
 *
 * The record is compact on purpose (docs/release.md, "Memory"): only the fields the rules and
 * the output read, the few directory names shared by every allocation, one empty problem list for
 * all well-formed items, so a site of 200,000 fits one function.
 */
import { z } from 'zod';
import { RELEASE_LICENSE_TYPES, type ReleaseLicenseType } from '#shared/names.ts';
import { accessTypeItemSchema, describeIssues, userCondensedSchema } from './schemas.ts';

/** `userAccess`: the user access passes of a token site (docs/release.md, "Token sites"). */
export type LicenseType = ReleaseLicenseType;
export const LICENSE_TYPES: readonly LicenseType[] = RELEASE_LICENSE_TYPES;

export interface Allocation {
  id: string;
  licenseType: LicenseType;
  /** Raw date strings as QRS sent them; parsed (and judged) by the planner. */
  createdDate: string | null;
  lastUsed: string | null;
  quarantined: boolean | null;
  user: { id: string; userId: string; userDirectory: string; name: string | null } | null;
  /** Who held it when QRS says its user was deleted (`deletedUserDirectory`, `deletedUserId`). */
  deletedUser: { userDirectory: string; userId: string } | null;
  /**
   * What did not match the schema, per field (`quarantined: expected boolean`), for the kept
   * allocation's `detail`; empty for a well-formed item.
   */
  problems: AllocationProblems;
}

/** The fields of an allocation the planner judges, which a schema problem may name. */
export type AllocationField = 'createdDate' | 'lastUsed' | 'quarantined' | 'user';
export type AllocationProblems = Partial<Record<AllocationField, string>>;

/** An item that could not be used at all (no id): reported, never acted on. */
export interface MalformedItem {
  index: number;
  problem: string;
}

const optionalString = z.string().nullish();
const optionalBoolean = z.boolean().nullish();

/** What a well-formed item has: no problem (one object shared by all of them, never written). */
const NO_PROBLEMS: AllocationProblems = Object.freeze({});

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
  const problems: AllocationProblems = {};
  const pick = <T>(
    field: AllocationField,
    schema: z.ZodType<T>,
    value: unknown,
  ): NonNullable<T> | null => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data ?? null;
    problems[field] = `${field}: ${describeIssues(parsed.error)}`;
    return null;
  };
  const user = item.data.user == null ? null : pick('user', userCondensedSchema, item.data.user);
  return {
    id: item.data.id,
    licenseType,
    createdDate: pick('createdDate', optionalString, item.data.createdDate),
    lastUsed:
      item.data.lastUsed === undefined
        ? absent('lastUsed', problems)
        : pick('lastUsed', optionalString, item.data.lastUsed),
    quarantined: pick('quarantined', optionalBoolean, item.data.quarantined),
    user: user && {
      id: user.id,
      userId: user.userId,
      userDirectory: user.userDirectory,
      name: user.name ?? null,
    },
    deletedUser: deletedUserOf(item.data.deletedUserDirectory, item.data.deletedUserId),
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
  const { id, createdDate, lastUsed, quarantined, user, deletedUserDirectory, deletedUserId } =
    raw as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0) return undefined;
  if (!isOptionalString(createdDate) || !isOptionalString(lastUsed)) return undefined;
  // Absent (not null): the schemas' path notes it as a problem.
  if (lastUsed === undefined) return undefined;
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
      name: fields.name ?? null,
    };
  }
  return {
    id,
    licenseType,
    createdDate: createdDate ?? null,
    lastUsed: lastUsed ?? null,
    quarantined: quarantined ?? null,
    user: owner,
    deletedUser: deletedUserOf(deletedUserDirectory, deletedUserId),
    problems: NO_PROBLEMS,
  };
}

/** QRS sends empty strings while the user exists; both names are needed to say who it was. */
function deletedUserOf(directory: unknown, userId: unknown): Allocation['deletedUser'] {
  return typeof directory === 'string' &&
    directory !== '' &&
    typeof userId === 'string' &&
    userId !== ''
    ? { userDirectory: directory, userId }
    : null;
}

/**
 * `lastUsed` left out of an item: QRS always sends it (1753 when never used), so an item without
 * it cannot tell "never used" from "use not known". Doubt: the planner keeps it (`no-date`)
 * instead of judging it by its allocation date, as a `null` is judged (docs/release.md).
 */
function absent(field: AllocationField, problems: AllocationProblems): null {
  problems[field] = `${field}: absent (QRS always sends it, 1753-01-01 when never used)`;
  return null;
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
