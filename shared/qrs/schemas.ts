/**
 * Response schemas for the QRS endpoints license-steward uses, from Qlik's OpenAPI spec 38.22.0
 * (the license and user endpoints) and real sample payloads. Unknown fields pass
 * through; blocks older servers do not send are optional.
 */
import { z } from 'zod';

const count = z.number().int();

/** `AccessTypeOverviewDetailsCondensed`: professionalAccess / analyzerAccess. */
export const accessTypeDetailsSchema = z.looseObject({
  enabled: z.boolean().optional(),
  total: count.optional(),
  allocated: count.optional(),
  used: count.optional(),
  quarantined: count.optional(),
  excess: count.optional(),
  available: count.optional(),
});

/** `AccessTypeOverviewAnalyzerTimeAccessDetailsCondensed`. */
export const analyzerTimeAccessSchema = z.looseObject({
  enabled: z.boolean().optional(),
  allocatedMinutes: count.optional(),
  usedMinutes: count.optional(),
  unavailableMinutes: count.optional(),
});

/** `AccessTypeOverviewUserAccessDetailsCondensed` / `...LoginAccessDetailsCondensed` (tokens). */
export const tokenAccessSchema = z.looseObject({
  enabled: z.boolean().optional(),
  tokenCost: z.number().optional(),
  allocatedTokens: z.number().optional(),
  usedTokens: z.number().optional(),
  quarantinedTokens: z.number().optional(),
  unavailableTokens: z.number().optional(),
});

/** `GET /qrs/license/accesstypeoverview` (`AccessTypeOverview`). */
export const accessTypeOverviewSchema = z.looseObject({
  totalTokens: z.number().optional(),
  availableTokens: z.number().optional(),
  tokensEnabled: z.boolean().optional(),
  userAccess: tokenAccessSchema.nullish(),
  loginAccess: tokenAccessSchema.nullish(),
  professionalAccess: accessTypeDetailsSchema.nullish(),
  analyzerAccess: accessTypeDetailsSchema.nullish(),
  analyzerTimeAccess: analyzerTimeAccessSchema.nullish(),
});
export type AccessTypeOverview = z.infer<typeof accessTypeOverviewSchema>;

/** `GET /qrs/license` (`License`): serial + control number with a LEF, or a signed key. */
export const licenseSchema = z.looseObject({
  id: z.string().optional(),
  serial: z.string().nullish(),
  lef: z.string().nullish(),
  key: z.string().nullish(),
  keyDetails: z.string().nullish(),
  name: z.string().nullish(),
  organization: z.string().nullish(),
  isExpired: z.boolean().optional(),
  expiredReason: z.string().nullish(),
  isInvalid: z.boolean().optional(),
  isBlacklisted: z.boolean().optional(),
});
export type License = z.infer<typeof licenseSchema>;

/** `UserCondensed` as embedded in an access type allocation. */
export const userCondensedSchema = z.looseObject({
  id: z.string(),
  userId: z.string(),
  userDirectory: z.string(),
  name: z.string().nullish(),
});
export type UserCondensed = z.infer<typeof userCondensedSchema>;

/**
 * One item of `/qrs/license/{professional,analyzer}accesstype/full` (`LicenseProfessionalAccessType`,
 * `LicenseAnalyzerAccessType`). Only `id` is required here: an item with a missing user or odd
 * dates is still returned (normalised) so the planner can keep it with a reason.
 */
export const accessTypeItemSchema = z.looseObject({
  id: z.string().min(1),
  createdDate: z.unknown().optional(),
  lastUsed: z.unknown().optional(),
  quarantined: z.unknown().optional(),
  quarantineEnd: z.unknown().optional(),
  excess: z.unknown().optional(),
  user: z.unknown().optional(),
  deletedUserId: z.unknown().optional(),
  deletedUserDirectory: z.unknown().optional(),
});

/** `Tag` / `TagCondensed` on a user. */
export const tagSchema = z.looseObject({ name: z.string() });

/** `CustomPropertyValue` on a user. */
export const customPropertyValueSchema = z.looseObject({
  value: z.string(),
  definition: z.looseObject({ name: z.string() }),
});

/** `User` as returned by `/qrs/user/full`. Flags are optional: a missing flag is doubt for rules. */
export const userSchema = z.looseObject({
  id: z.string(),
  userId: z.string(),
  userDirectory: z.string(),
  name: z.string().nullish(),
  inactive: z.boolean().optional(),
  blacklisted: z.boolean().optional(),
  removedExternally: z.boolean().optional(),
  tags: z.array(tagSchema).nullish(),
  customProperties: z.array(customPropertyValueSchema).nullish(),
});
export type QrsUser = z.infer<typeof userSchema>;

/** `CustomPropertyDefinition` (`/qrs/custompropertydefinition/full`): the rule check reads its choices. */
export const customPropertyDefinitionSchema = z.looseObject({
  name: z.string(),
  /** Empty (or absent) for a free-text property: any value is allowed. */
  choiceValues: z.array(z.string()).nullish(),
  objectTypes: z.array(z.string()).nullish(),
});
export type CustomPropertyDefinition = z.infer<typeof customPropertyDefinitionSchema>;

/** `/count` bodies are `{"value": N}` on real servers (the spec says a bare integer). */
export const countSchema = z.union([
  z.looseObject({ value: z.number().int().nonnegative() }).transform((body) => body.value),
  z.number().int().nonnegative(),
]);

/** Explains a zod failure with the field paths, without echoing the (possibly large) input. */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('; ');
}
