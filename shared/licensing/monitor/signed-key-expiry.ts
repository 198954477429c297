/**
 * The expiry of a signed license key, read from QRS's `keyDetails` text (docs/monitor.md, "License
 * expiry"). Qlik does not document that text, so the reading is deliberately tolerant about where
 * the date is and strict about what it is:
 * - every `Valid To` anywhere in the text counts: a `Valid To: D` line (any case, spacing,
 *   `:` or `=`, not only at a line start) and a JSON-style `"validTo": "D"`;
 * - several blocks (several `Valid To`): the earliest day wins, the first thing to run out is
 *   what the administrator must act on (an early warning is harmless, a missed expiry is not);
 * - `Never`/`Unlimited`/9999-12-31 mean no limit; a key whose every `Valid To` says so has none;
 * - no `Valid To` at all, or one that cannot be read: the expiry is unknown and `problem` says
 *   why, never a silent "no limit" (the monitor then raises a warning and a metric for an alarm).
 */
import { type Expiry, expiryThrough, NO_EXPIRY } from './expiry.ts';
import { type LicenseDay, readLicenseDate } from './license-date.ts';

export interface SignedKeyExpiry extends Expiry {
  /** `null`, or a sentence saying why the expiry could not be read. */
  problem: string | null;
}

const TEXT_VALID_TO = /\bvalid[ \t_-]*to[ \t]*[:=][ \t]*([^\r\n]*)/gi;
const JSON_VALID_TO = /"valid_?to"\s*:\s*"([^"]*)"/gi;

/** Every `Valid To` value in the text, in order. */
export function validToValues(keyDetails: string): string[] {
  const found: Array<{ at: number; value: string }> = [];
  for (const match of keyDetails.matchAll(JSON_VALID_TO))
    found.push({ at: match.index, value: match[1] ?? '' });
  for (const match of keyDetails.matchAll(TEXT_VALID_TO))
    found.push({ at: match.index, value: (match[1] ?? '').replace(/[;,]\s*$/, '') });
  return found.sort((a, b) => a.at - b.at).map((entry) => entry.value.trim());
}

export function signedKeyExpiry(keyDetails: string, now: Date): SignedKeyExpiry {
  if (keyDetails.trim() === '')
    return unknown('QRS sent no key details (keyDetails) for the signed license key');
  const values = validToValues(keyDetails);
  if (values.length === 0)
    return unknown('the signed license key details (keyDetails) have no "Valid To" date');
  const days: LicenseDay[] = [];
  for (const value of values) {
    const reading = readLicenseDate(value);
    if (reading.kind === 'unreadable')
      return unknown(
        `the signed license key's "Valid To" value "${value.slice(0, 40)}" cannot be read (${reading.reason})`,
      );
    if (reading.kind === 'day') days.push(reading.day);
  }
  const earliest = days.sort((a, b) => a.year - b.year || a.month - b.month || a.day - b.day)[0];
  return earliest ? { ...expiryThrough(earliest, now), problem: null } : noProblem(NO_EXPIRY);
}

function unknown(why: string): SignedKeyExpiry {
  return {
    ...NO_EXPIRY,
    problem: `License expiry unknown: ${why}; check the license in the QMC (no expiry warning can be given until it can be read).`,
  };
}

function noProblem(expiry: Expiry): SignedKeyExpiry {
  return { ...expiry, problem: null };
}
