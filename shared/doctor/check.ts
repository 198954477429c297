/**
 * The doctor's result shapes (docs/doctor.md): one list of checks per site, each `ok` or not, with
 * a `detail` that says what was found or, for a failure, what to do.
 */

export type DoctorCheckName =
  | 'config'
  | 'certificate-sources'
  | 'client-certificate'
  | 'ca-certificate'
  | 'qrs-reachable'
  | 'tls-server-verified'
  | 'tls-client-accepted'
  | 'identity-accepted'
  | 'license-read'
  | 'allocations-read'
  | 'users-read'
  | 'clock'
  | 'protection-rules';

export interface DoctorCheck {
  check: DoctorCheckName;
  ok: boolean;
  detail: string;
}

export interface SiteDoctorReport {
  site: string;
  checks: DoctorCheck[];
}

export const pass = (check: DoctorCheckName, detail: string): DoctorCheck => ({
  check,
  ok: true,
  detail,
});

export const fail = (check: DoctorCheckName, detail: string): DoctorCheck => ({
  check,
  ok: false,
  detail,
});
