/**
 * A release run as InfluxDB points (docs/influxdb.md):
 *
 * - `qlik_sense_license_release` (Butler's measurement): one point per allocation this run freed
 *   (404 "already gone" included, flagged), tags `license_type` and `user` (`DIR\id`) as Butler
 *   writes them, field `days_since_last_use`; plus the allocation id, which Butler's lacked.
 *   Nothing in a dry run, so a Butler dashboard never counts a would-be release.
 * - `license_steward_release`: every event of the run (`action` tag: `released`, `already_gone`,
 *   `failed`, `would_release`), the same content as the Timestream release records.
 *
 * Both carry the static tags and `site`. Each point's time is the moment of the DELETE's answer
 * (of the plan, in a dry run); `user` keeps the points of one run apart.
 */
import type { CompletedReleaseRun, ReleaseSink } from '#shared/licensing/sinks.ts';
import {
  INFLUX_FIELD,
  INFLUX_MEASUREMENT,
  INFLUX_RELEASE_LICENSE_TYPE,
  INFLUX_TAG,
  RELEASE_ACTION,
} from '#shared/names.ts';
import {
  bool,
  type FieldValue,
  float,
  type InfluxPoint,
  integer,
  text,
  toLine,
} from './line-protocol.ts';
import type { InfluxDbWriter } from './writer.ts';

type Field = readonly [name: string, value: FieldValue | null];

export function releasePoints(
  run: CompletedReleaseRun,
  staticTags: Readonly<Record<string, string>> = {},
): InfluxPoint[] {
  const points: InfluxPoint[] = [];
  const point = (measurement: string, tags: Record<string, string>, fields: Field[], at: Date) => {
    points.push({
      measurement,
      tags: { ...staticTags, [INFLUX_TAG.site]: run.result.site, ...tags },
      fields: fields.filter((field): field is readonly [string, FieldValue] => field[1] !== null),
      time: at,
    });
  };
  for (const event of run.events) {
    const { item } = event;
    const tags = {
      [INFLUX_TAG.licenseType]: INFLUX_RELEASE_LICENSE_TYPE[item.licenseType],
      [INFLUX_TAG.user]: `${item.userDirectory ?? 'unknown'}\\${item.userId ?? 'unknown'}`,
    };
    if (event.action === 'released' || event.action === 'alreadyGone') {
      point(
        INFLUX_MEASUREMENT.release,
        tags,
        [
          [
            INFLUX_FIELD.daysSinceLastUse,
            item.inactiveDays === null ? null : float(item.inactiveDays),
          ],
          [INFLUX_FIELD.accessTypeId, text(item.accessTypeId)],
          [INFLUX_FIELD.alreadyGone, bool(event.action === 'alreadyGone')],
          [INFLUX_FIELD.runId, text(run.runId)],
        ],
        event.at,
      );
    }
    point(
      INFLUX_MEASUREMENT.releaseEvent,
      { ...tags, [INFLUX_TAG.action]: RELEASE_ACTION[event.action] },
      [
        [INFLUX_FIELD.accessTypeId, text(item.accessTypeId)],
        [INFLUX_FIELD.userDirectory, item.userDirectory === null ? null : text(item.userDirectory)],
        [INFLUX_FIELD.userId, item.userId === null ? null : text(item.userId)],
        [INFLUX_FIELD.inactiveDays, item.inactiveDays === null ? null : integer(item.inactiveDays)],
        [INFLUX_FIELD.lastActivity, item.lastActivity === null ? null : text(item.lastActivity)],
        [INFLUX_FIELD.dryRun, bool(run.result.dryRun)],
        [INFLUX_FIELD.runId, text(run.runId)],
        [INFLUX_FIELD.error, event.error ? text(event.error) : null],
      ],
      event.at,
    );
  }
  return points;
}

export function influxDbReleaseSink(
  writer: InfluxDbWriter,
  staticTags: Readonly<Record<string, string>>,
): ReleaseSink {
  return {
    name: 'influxdb',
    async write(run) {
      const lines = releasePoints(run, staticTags).map(toLine);
      if (lines.length > 0) await writer.write(lines);
    },
  };
}
