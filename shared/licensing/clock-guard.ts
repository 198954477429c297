/**
 * The clock guard. Release decisions measure inactivity from "now"; a clock that is days off
 * would release licenses of people who used them yesterday (or keep every license). Each QRS
 * answer carries the server's `Date` header: when it and this machine's clock differ by more than
 * `sites[].qrs.maxClockSkewSeconds`, a release run refuses to plan and the monitor warns
 * (docs/release.md). A clock that cannot be checked (no usable `Date` header) is doubt: a run
 * that would release is refused; a dry run and the monitor warn.
 */

import { StewardError } from '#shared/errors.ts';
import type { ServerClock } from '#shared/qrs/client.ts';

export type ClockCheck =
  | { ok: true; skewMs: number }
  | { ok: false; skewMs: number; message: string }
  | { ok: 'unknown'; message: string };

export class ClockSkewError extends StewardError {
  constructor(message: string) {
    super(message);
    this.name = 'ClockSkewError';
  }
}

/** Compares the last `Date` header QRS sent with this machine's clock when it arrived. */
export function checkClock(clock: ServerClock | undefined, maxSkewSeconds: number): ClockCheck {
  if (!clock)
    return {
      ok: 'unknown',
      message: 'QRS sent no Date header, so this machine’s clock could not be compared with it',
    };
  const server = Date.parse(clock.serverDate);
  if (!Number.isFinite(server))
    return {
      ok: 'unknown',
      message: `QRS sent a Date header that is no date: "${clock.serverDate}"`,
    };
  // The header has whole seconds: up to 1 s of difference is the header's own rounding.
  const skewMs = server - clock.receivedAt;
  if (Math.abs(skewMs) <= maxSkewSeconds * 1000 + 1000) return { ok: true, skewMs };
  const local = new Date(clock.receivedAt).toISOString();
  const qrs = new Date(server).toISOString();
  return {
    ok: false,
    skewMs,
    message: `the clocks disagree: QRS's clock is ${describeSkew(skewMs)} ${skewMs > 0 ? 'ahead of' : 'behind'} this machine's (QRS's Date header says ${qrs}, this machine's clock said ${local}), more than sites[].qrs.maxClockSkewSeconds (${maxSkewSeconds} s). Inactivity is measured from the clock, so fix the wrong one (NTP on this machine or on the Qlik Sense server)`,
  };
}

/**
 * Throws `ClockSkewError` when the clocks disagree (release: no plan, no DELETE). A clock that
 * cannot be compared (no usable `Date` header) is doubt: a run that would release is refused too;
 * a dry run goes on with a warning.
 */
export function requireClocksAgree(
  clock: ServerClock | undefined,
  maxSkewSeconds: number,
  warn: (message: string, extra?: Record<string, unknown>) => void,
  options: { releases: boolean },
): void {
  const check = checkClock(clock, maxSkewSeconds);
  if (check.ok === false) throw new ClockSkewError(`release refused: ${check.message}`);
  if (check.ok !== 'unknown') return;
  if (options.releases)
    throw new ClockSkewError(
      `release refused: the clock could not be checked (${check.message}); a dry run still shows the plan`,
    );
  warn(`Clock not checked: ${check.message}`);
}

/** Logs a warning when the clocks disagree or cannot be compared (monitor). */
export function warnIfClocksDisagree(
  clock: ServerClock | undefined,
  maxSkewSeconds: number,
  warn: (message: string, extra?: Record<string, unknown>) => void,
): void {
  const check = checkClock(clock, maxSkewSeconds);
  if (check.ok === false) warn(`Clock warning: ${check.message}`, { skewMs: check.skewMs });
  else if (check.ok === 'unknown') warn(`Clock not checked: ${check.message}`);
}

function describeSkew(ms: number): string {
  const seconds = Math.abs(ms) / 1000;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} minutes`;
  if (seconds < 2 * 86_400) return `${Math.round(seconds / 3600)} hours`;
  return `${Math.round(seconds / 86_400)} days`;
}
