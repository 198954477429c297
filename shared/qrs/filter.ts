/** Builders for QRS `?filter=` expressions, quoting values so user data cannot change the filter. */

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** A string literal: single quotes, an embedded quote doubled. */
export function qrsString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A date literal in the ISO form QRS stores. */
export function qrsDate(value: Date): string {
  return `'${value.toISOString()}'`;
}

/** `id eq <guid> or id eq <guid> ...`; GUIDs are bare in QRS filters, so each is checked first. */
export function idIn(ids: readonly string[], property = 'id'): string {
  for (const id of ids) if (!isGuid(id)) throw new RangeError(`not a GUID: ${JSON.stringify(id)}`);
  return ids.map((id) => `${property} eq ${id}`).join(' or ');
}
