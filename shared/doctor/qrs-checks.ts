/**
 * The doctor's checks against QRS, in the order a connection is built: TCP, TLS both ways, the
 * identity, then each read license-steward needs, then QRS's clock. Read-only: only GETs. A check
 * runs only when the ones it builds on passed (the list ends at the first failure).
 */
import net from 'node:net';
import { describeLicense } from '#shared/licensing/monitor/license-info.ts';
import { validThrough } from '#shared/licensing/monitor/usage-warnings.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import { QrsHttpError, QrsNetworkError, QrsTlsError } from '#shared/qrs/errors.ts';
import { type DoctorCheck, fail, pass } from './check.ts';

/** Beyond this difference from QRS's clock, release decisions would be made on the wrong time. */
export const CLOCK_TOLERANCE_MS = 2 * 60_000;

export type DoctorQrs = Pick<
  QrsClient,
  | 'getLicense'
  | 'countAllocations'
  | 'countUsers'
  | 'getTags'
  | 'getCustomPropertyDefinitions'
  | 'baseUrl'
  | 'lastResponseDate'
>;

export interface QrsTarget {
  host: string;
  port: number;
  /** The name the server certificate is checked against. */
  tlsName: string;
  user: { directory: string; id: string };
  timeoutMs: number;
}

export function reachable(target: QrsTarget): Promise<DoctorCheck> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const done = (check: DoctorCheck) => {
      socket.destroy();
      resolve(check);
    };
    socket.setTimeout(Math.min(target.timeoutMs, 10_000), () =>
      done(
        fail(
          'qrs-reachable',
          `no answer from ${target.host}:${target.port}: check routing, VPN, firewall and security groups, and that QRS listens on ${target.port}`,
        ),
      ),
    );
    socket.once('connect', () =>
      done(pass('qrs-reachable', `TCP connection to ${target.host}:${target.port}`)),
    );
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(
        fail(
          'qrs-reachable',
          `cannot connect to ${target.host}:${target.port} (${error.code}): ${
            error.code === 'ECONNREFUSED'
              ? 'nothing listens there: check the port (QRS is 4242) and that the Repository Service runs'
              : error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN'
                ? 'the host name does not resolve: check it and DNS'
                : 'check the host, the route and the firewall'
          }`,
        ),
      ),
    );
  });
}

/**
 * The first request (`GET /qrs/license`) proves TLS both ways and the identity; its answer is
 * also the license check.
 */
export async function connectionChecks(
  qrs: DoctorQrs,
  target: QrsTarget,
  now: Date,
): Promise<DoctorCheck[]> {
  let license: Awaited<ReturnType<DoctorQrs['getLicense']>>;
  try {
    license = await qrs.getLicense();
  } catch (error) {
    return connectionFailure(error, target);
  }
  const identity = `${target.user.directory}\\${target.user.id}`;
  const checks = [
    pass(
      'tls-server-verified',
      `the server certificate is valid for "${target.tlsName}" and from root.pem`,
    ),
    pass('tls-client-accepted', 'QRS accepted client.pem'),
    pass('identity-accepted', `QRS answered as ${identity} (X-Qlik-User)`),
  ];
  const info = describeLicense(license, now);
  if (!info) return [...checks, pass('license-read', 'QRS reports no license on this site')];
  const model = info.model === 'lef' ? 'serial + control number (LEF)' : 'signed key';
  const expiry = info.problem
    ? `; WARNING ${info.problem}`
    : info.expiresAt
      ? `, valid through ${validThrough(info.expiresAt)}`
      : ', no time limit';
  return [...checks, pass('license-read', `${model}${expiry}`)];
}

function connectionFailure(error: unknown, target: QrsTarget): DoctorCheck[] {
  const message = error instanceof Error ? error.message : String(error);
  const clientSide =
    (error instanceof QrsTlsError && /ALERT/.test(error.code)) ||
    (error instanceof QrsNetworkError && /ECONNRESET|EPIPE/.test(error.code));
  if (error instanceof QrsTlsError && !clientSide) return [fail('tls-server-verified', message)];
  // QRS ended the handshake before this side could judge the server certificate: that check
  // follows once the client certificate is accepted.
  if (clientSide)
    return [
      fail(
        'tls-client-accepted',
        `QRS refused client.pem during the TLS handshake (${message}): export client.pem and client_key.pem again from this site's QMC; on a multi-node site the certificates of the central node`,
      ),
    ];
  if (error instanceof QrsHttpError && (error.status === 401 || error.status === 403))
    return [
      pass(
        'tls-server-verified',
        `the server certificate is valid for "${target.tlsName}" and from root.pem`,
      ),
      pass('tls-client-accepted', 'QRS accepted client.pem'),
      fail(
        'identity-accepted',
        `${message}. Check qrs.user (now ${target.user.directory}\\${target.user.id}): an existing user with the RootAdmin or a license-reading role`,
      ),
    ];
  return [fail('tls-server-verified', `the first request to QRS failed: ${message}`)];
}

export async function readChecks(qrs: DoctorQrs): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  try {
    const [professional, analyzer] = await Promise.all([
      qrs.countAllocations('professional'),
      qrs.countAllocations('analyzer'),
    ]);
    checks.push(
      pass('allocations-read', `${professional} professional and ${analyzer} analyzer allocations`),
    );
  } catch (error) {
    return [
      fail(
        'allocations-read',
        `${errorText(error)}: the QRS user needs read access to license access types`,
      ),
    ];
  }
  try {
    checks.push(pass('users-read', `${await qrs.countUsers()} users`));
  } catch (error) {
    checks.push(fail('users-read', `${errorText(error)}: the QRS user needs read access to users`));
  }
  return checks;
}

/** QRS's `Date` header against this machine's clock, allowing for the request's own time. */
export function clockCheck(
  serverDate: string | undefined,
  sentAt: number,
  receivedAt: number,
): DoctorCheck {
  const server = serverDate === undefined ? Number.NaN : Date.parse(serverDate);
  if (!Number.isFinite(server))
    return fail(
      'clock',
      'QRS sent no Date header, so its clock cannot be compared: is a proxy in between?',
    );
  // The header has whole seconds: compare with the interval the answer came in, widened by 1 s.
  const skew =
    server < sentAt - 1000
      ? server - (sentAt - 1000)
      : server > receivedAt
        ? server - receivedAt
        : 0;
  const minutes = (Math.abs(skew) / 60_000).toFixed(1);
  if (Math.abs(skew) <= CLOCK_TOLERANCE_MS)
    return pass(
      'clock',
      `QRS and this machine agree within ${Math.max(1, Math.ceil(Math.abs(skew) / 1000))} s`,
    );
  return fail(
    'clock',
    `QRS's clock is ${minutes} minutes ${skew < 0 ? 'behind' : 'ahead of'} this machine (tolerance ${CLOCK_TOLERANCE_MS / 60_000} min): release decisions use this machine's time, so sync both clocks (NTP; Windows Time on the Qlik server)`,
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
