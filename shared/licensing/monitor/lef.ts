/**
 * The License Enabler File (LEF) that comes with a serial + control number license: a serial on
 * the first line, `ATTRIBUTE;value;validFrom;validTo` lines, a checksum on the last line. QRS
 * returns it with CRLF line breaks.
 */

export interface LefAttribute {
  value: string;
  validFrom: string;
  validTo: string;
}

/** Licensed counts the LEF grants; `null` where the LEF does not say. */
export interface LefLicensedCounts {
  professional: number | null;
  analyzer: number | null;
  tokens: number | null;
}

/** Attributes by upper-case name; lines without `;` (serial, checksum) are not attributes. */
export function parseLef(text: string): Map<string, LefAttribute> {
  const attributes = new Map<string, LefAttribute>();
  for (const line of text.split(/\r?\n/)) {
    if (!line.includes(';')) continue;
    const [name = '', value = '', validFrom = '', validTo = ''] = line
      .split(';')
      .map((field) => field.trim());
    if (name === '') continue;
    attributes.set(name.toUpperCase(), { value, validFrom, validTo });
  }
  return attributes;
}

/**
 * The `TIMELIMIT` date (`TIMELIMIT;;;2020-01-31`), or `null` for a LEF without a time limit.
 * The date normally sits in the validTo field; a value field holding a date is accepted too.
 */
export function lefTimeLimit(attributes: Map<string, LefAttribute>): string | null {
  const limit = attributes.get('TIMELIMIT');
  if (!limit) return null;
  return limit.validTo || limit.value || null;
}

export function lefLicensedCounts(attributes: Map<string, LefAttribute>): LefLicensedCounts {
  // A P/A LEF may still carry a TOKENS line next to IGNORE_TOKENS;YES: those tokens do not apply.
  const tokensIgnored = attributes.get('IGNORE_TOKENS')?.value.toUpperCase() === 'YES';
  return {
    professional: wholeNumber(attributes.get('PROFESSIONAL')?.value),
    analyzer: wholeNumber(attributes.get('ANALYZER')?.value),
    tokens: tokensIgnored ? null : wholeNumber(attributes.get('TOKENS')?.value),
  };
}

function wholeNumber(text: string | undefined): number | null {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
}
