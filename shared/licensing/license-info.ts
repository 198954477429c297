/**
 * What `/qrs/license` says about the license itself: its model (serial + control number with a
 * LEF, or a signed key), its expiry and the LEF's licensed counts. The signed key text itself is
 * never copied anywhere.
 */
import type { License } from '../qrs/schemas.ts';
import { type Expiry, expiryFromDate, NO_EXPIRY, signedKeyValidTo } from './expiry.ts';
import { type LefLicensedCounts, lefLicensedCounts, lefTimeLimit, parseLef } from './lef.ts';

export type LicenseModel = 'lef' | 'signedKey';

export interface LicenseInfo extends Expiry {
  model: LicenseModel;
  /** Counts granted by the LEF (null for a signed key): allocated above these means over-licensed. */
  licensed: LefLicensedCounts | null;
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
  const lef = license.lef?.trim() ?? '';
  if (lef !== '') {
    const attributes = parseLef(lef);
    const limit = lefTimeLimit(attributes);
    return {
      model: 'lef',
      ...readExpiry(limit, now, 'the LEF TIMELIMIT line', onWarning),
      licensed: lefLicensedCounts(attributes),
    };
  }
  const keyDetails = license.keyDetails?.trim() ?? '';
  if (keyDetails !== '' || (license.key?.trim() ?? '') !== '') {
    return {
      model: 'signedKey',
      ...readExpiry(
        signedKeyValidTo(keyDetails),
        now,
        'the signed key "Valid To:" line',
        onWarning,
      ),
      licensed: null,
    };
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
