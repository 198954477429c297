/**
 * A monitor snapshot as Butler's InfluxDB points (docs/influxdb.md):
 *
 * - `qlik_sense_license`, one point per license type the server reports as enabled, tag
 *   `license_type` = `professional`, `analyzer`, `analyzer_capacity`, `token_login`, `token_user`,
 *   `tokens_available`, Butler's field names;
 * - `qlik_sense_server_license`: `license_expired`, `expiry_date`, `days_until_expiry`.
 *
 * Every number is a float field, as Butler writes them (InfluxDB fixes a field's type: an integer
 * where Butler's history has floats would be refused). Tags: the static tags plus `site`. A value
 * the server did not report is left out (never a made-up 0); a type that is off has no point.
 */

import type { LicenseSnapshot } from '#shared/licensing/monitor/snapshot.ts';
import type { UsageSink } from '#shared/licensing/sinks.ts';
import {
  INFLUX_FIELD,
  INFLUX_LICENSE_TYPE,
  INFLUX_MEASUREMENT,
  INFLUX_TAG,
} from '#shared/names.ts';
import { bool, type FieldValue, float, type InfluxPoint, text, toLine } from './line-protocol.ts';
import type { InfluxDbWriter } from './writer.ts';

type Field = readonly [name: string, value: FieldValue | null];

const number = (value: number | null | undefined): FieldValue | null =>
  value === null || value === undefined ? null : float(value);

export function usagePoints(
  snapshot: LicenseSnapshot,
  staticTags: Readonly<Record<string, string>> = {},
): InfluxPoint[] {
  const time = new Date(snapshot.collectedAt);
  const points: InfluxPoint[] = [];
  const add = (measurement: string, licenseType: string | null, fields: Field[]) => {
    const present = fields.filter(
      (field): field is readonly [string, FieldValue] => field[1] !== null,
    );
    if (present.length === 0) return;
    points.push({
      measurement,
      tags: {
        ...staticTags,
        [INFLUX_TAG.site]: snapshot.site,
        ...(licenseType === null ? {} : { [INFLUX_TAG.licenseType]: licenseType }),
      },
      fields: present,
      time,
    });
  };
  const { professional, analyzer, analyzerCapacity, tokens, license } = snapshot;

  const accessFields = (usage: NonNullable<LicenseSnapshot['professional']>): Field[] => [
    [INFLUX_FIELD.allocated, number(usage.allocated)],
    [INFLUX_FIELD.available, number(usage.available)],
    [INFLUX_FIELD.excess, number(usage.excess)],
    [INFLUX_FIELD.quarantined, number(usage.quarantined)],
    [INFLUX_FIELD.total, number(usage.total)],
    [INFLUX_FIELD.used, number(usage.used)],
  ];

  // Butler's order: analyzer, analyzer capacity, professional, login tokens, user tokens, tokens.
  if (analyzer?.enabled === true)
    add(INFLUX_MEASUREMENT.license, INFLUX_LICENSE_TYPE.analyzer, accessFields(analyzer));
  if (analyzerCapacity?.enabled === true) {
    add(INFLUX_MEASUREMENT.license, INFLUX_LICENSE_TYPE.analyzerCapacity, [
      [INFLUX_FIELD.allocatedMinutes, number(analyzerCapacity.allocatedMinutes)],
      [INFLUX_FIELD.unavailableMinutes, number(analyzerCapacity.unavailableMinutes)],
      [INFLUX_FIELD.usedMinutes, number(analyzerCapacity.usedMinutes)],
    ]);
  }
  if (professional?.enabled === true)
    add(INFLUX_MEASUREMENT.license, INFLUX_LICENSE_TYPE.professional, accessFields(professional));
  if (tokens?.enabled === true) {
    const { loginAccess, userAccess } = tokens;
    if (loginAccess) {
      add(INFLUX_MEASUREMENT.license, INFLUX_LICENSE_TYPE.tokenLogin, [
        [INFLUX_FIELD.allocatedTokens, number(loginAccess.allocatedTokens)],
        [INFLUX_FIELD.tokenCost, number(loginAccess.tokenCost)],
        [INFLUX_FIELD.unavailableTokens, number(loginAccess.unavailableTokens)],
        [INFLUX_FIELD.usedTokens, number(loginAccess.usedTokens)],
      ]);
    }
    if (userAccess) {
      // Butler reads `used_tokens` from `userAccess.userTokens`, which QRS does not have; the real
      // field is `usedTokens`.
      add(INFLUX_MEASUREMENT.license, INFLUX_LICENSE_TYPE.tokenUser, [
        [INFLUX_FIELD.allocatedTokens, number(userAccess.allocatedTokens)],
        [INFLUX_FIELD.quarantinedTokens, number(userAccess.quarantinedTokens)],
        [INFLUX_FIELD.tokenCost, number(userAccess.tokenCost)],
        [INFLUX_FIELD.usedTokens, number(userAccess.usedTokens)],
      ]);
    }
    add(INFLUX_MEASUREMENT.license, INFLUX_LICENSE_TYPE.tokensAvailable, [
      [INFLUX_FIELD.availableTokens, number(tokens.available)],
      [INFLUX_FIELD.totalTokens, number(tokens.total)],
    ]);
  }
  if (license) {
    const expiresAt = license.expiresAt === null ? null : Date.parse(license.expiresAt);
    add(INFLUX_MEASUREMENT.serverLicense, null, [
      [INFLUX_FIELD.licenseExpired, bool(expiresAt !== null && expiresAt <= time.getTime())],
      // The last valid day, as the license states it (valid through the end of that day, UTC).
      [INFLUX_FIELD.expiryDate, expiresAt === null ? null : text(lastValidDay(expiresAt))],
      [INFLUX_FIELD.daysUntilExpiry, number(license.daysUntilExpiry)],
      [INFLUX_FIELD.model, text(license.model)],
      [INFLUX_FIELD.licensedProfessional, number(license.licensed?.professional)],
      [INFLUX_FIELD.licensedAnalyzer, number(license.licensed?.analyzer)],
      [INFLUX_FIELD.licensedTokens, number(license.licensed?.tokens)],
    ]);
  }
  return points;
}

function lastValidDay(expiresAt: number): string {
  return new Date(expiresAt - 1).toISOString().slice(0, 10);
}

export function influxDbUsageSink(
  writer: InfluxDbWriter,
  staticTags: Readonly<Record<string, string>>,
): UsageSink {
  return {
    name: 'influxdb',
    async write(snapshot: LicenseSnapshot): Promise<void> {
      const lines = usagePoints(snapshot, staticTags).map(toLine);
      if (lines.length > 0) await writer.write(lines);
    },
  };
}
