/**
 * What `/qrs/license` says about the license itself: its model (serial + control number with a
 * LEF, or a signed key), its expiry and the LEF's licensed counts. The signed key text itself is
 * never copied anywhere.
 */
import type { License } from '#shared/qrs/schemas.ts';
import { type Expiry, expiryFromDate, NO_EXPIRY } from './expiry.ts';
import { type LefLicensedCounts, lefLicensedCounts, lefTimeLimit, parseLef } from './lef.ts';
import { signedKeyExpiry } from './signed-key-expiry.ts';

export type LicenseModel = 'lef' | 'signedKey';

export interface LicenseInfo extends Expiry {
  model: LicenseModel;
  /** Counts granted by the LEF (null for a signed key): allocated above these means over-licensed. */
  licensed: LefLicensedCounts | null;
  /**
   * `null`, or a sentence when the expiry could not be read (then it is unknown, not "no limit")
   * or QRS reports the license expired or invalid.
   */
  problem: string | null;
}

export interface LicenseWarning {
  message: string;
}

/**
 * `null` when the server reports neither a LEF nor a signed key. A date that cannot be read is
 * reported through `onWarning` and leaves the expiry unknown (null) rather than failing the run.
 */
export function describeLicense(
  license: License,
  now: Date,
  onWarning: (warning: LicenseWarning) => void = () => {},
): LicenseInfo | null {
  const info = licenseOf(license, now, onWarning);
  const status = statusProblem(license);
  if (!info || !status) return info;
  onWarning({ message: status });
  return { ...info, problem: info.problem ? `${info.problem} ${status}` : status };
}

/**
 * QRS's own verdict (`isExpired` with `expiredReason`, `isInvalid`): a license QRS no longer
 * honours is a problem whatever its dates say, and is reported as one (docs/monitor.md).
 */
function statusProblem(license: License): string | null {
  const reason = license.expiredReason?.trim();
  const parts: string[] = [];
  if (license.isExpired === true)
    parts.push(`QRS reports the license as expired${reason ? ` (${reason})` : ''}.`);
  if (license.isInvalid === true) parts.push('QRS reports the license as invalid.');
  return parts.length > 0 ? parts.join(' ') : null;
}

function licenseOf(
  license: License,
  now: Date,
  onWarning: (warning: LicenseWarning) => void,
): LicenseInfo | null {
  const lef = license.lef?.trim() ?? '';
  if (lef !== '') {
    const attributes = parseLef(lef);
    const limit = lefTimeLimit(attributes);
    let problem: string | null = null;
    const expiry = readExpiry(limit, now, 'the LEF TIMELIMIT line', (warning) => {
      problem = `License expiry unknown: ${warning.message}.`;
      onWarning(warning);
    });
    return { model: 'lef', ...expiry, licensed: lefLicensedCounts(attributes), problem };
  }
  const keyDetails = license.keyDetails ?? '';
  if (keyDetails.trim() !== '' || (license.key?.trim() ?? '') !== '') {
    const expiry = signedKeyExpiry(keyDetails, now);
    if (expiry.problem) onWarning({ message: expiry.problem });
    return { model: 'signedKey', ...expiry, licensed: null };
  }
  return null;
}

function readExpiry(
  date: string | null,
  now: Date,
  where: string,
  onWarning: (warning: LicenseWarning) => void,
): Expiry {
  if (date === null) return NO_EXPIRY;
  try {
    return expiryFromDate(date, now, where);
  } catch (error) {
    onWarning({ message: (error as Error).message });
    return NO_EXPIRY;
  }
}
