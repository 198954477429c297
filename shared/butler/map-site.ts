/**
 * The site's QRS block from `Butler.configQRS` and `Butler.cert`: host and port, the identity
 * from the X-Qlik-User header, the certificates as files. Butler's switch that turned server
 * certificate checks off is not carried: license-steward always verifies (docs/butler.md).
 */
import { ConfigError } from '#shared/config/errors.ts';
import type { Butler, ButlerQrs } from './butler-schema.ts';
import type { Draft, KeyPath } from './draft.ts';

const SITE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const DEFAULT_USER = { directory: 'INTERNAL', id: 'sa_api' };

export interface QrsValue {
  host: string;
  port: number;
  user: { directory: string; id: string };
  certificates: { cert: { file: string }; key: { file: string }; ca: { file: string } };
}

/** `--site NAME`, or a name from the QRS host (`qlik.corp.example.com` → `qlik`). */
export function siteNameFor(host: string, requested: string | undefined): string {
  if (requested !== undefined) {
    if (!SITE_NAME.test(requested))
      throw new ConfigError('--site', [
        `"${requested}" is not a site name: 1-40 letters, digits, - or _, starting with a letter or digit`,
      ]);
    return requested;
  }
  const label = host.split('.')[0]?.toLowerCase() ?? '';
  return /^\d+$/.test(label) || !SITE_NAME.test(label) ? 'qliksense' : label;
}

/** `UserDirectory=INTERNAL; UserId=sa_api`: keys in any case and order, any spacing. */
export function parseQlikUser(value: string): { directory: string; id: string } | undefined {
  const fields = new Map<string, string>();
  for (const part of value.split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0)
      fields.set(part.slice(0, equals).trim().toLowerCase(), part.slice(equals + 1).trim());
  }
  const directory = fields.get('userdirectory');
  const id = fields.get('userid');
  return directory && id ? { directory, id } : undefined;
}

/** The header value and the Butler key it came from (Butler 12+: `headers.static`; before: `headerKey`). */
function qlikUserHeader(qrs: ButlerQrs): { value: string; key: string } | undefined {
  const index = qrs.headers?.static.findIndex((h) => h.name.trim().toLowerCase() === 'x-qlik-user');
  if (index !== undefined && index >= 0)
    return {
      value: qrs.headers?.static[index]?.value ?? '',
      key: `Butler.configQRS.headers.static[${index}].value`,
    };
  if (qrs.headerKey?.trim().toLowerCase() === 'x-qlik-user' && qrs.headerValue !== undefined)
    return { value: qrs.headerValue, key: 'Butler.configQRS.headerValue' };
  return undefined;
}

export function mapQrs(butler: Butler, base: KeyPath, draft: Draft): QrsValue {
  const qrs = butler.configQRS;
  const path = [...base, 'qrs'];
  draft.carried('Butler.configQRS.host, port', 'qrs.host, qrs.port');
  // Butler takes one QRS host; several nodes are new here (docs/monitor.md, "Several QRS nodes").
  draft.remark([...path, 'host'], {
    before:
      'new: for several QRS nodes, replace host with a list (reads use the first that answers):\n' +
      'hosts: [ { host: qlik-central.corp.example.com }, { host: qlik-rim1.corp.example.com } ]',
  });
  const header = qlikUserHeader(qrs);
  let user = DEFAULT_USER;
  if (header === undefined) {
    draft.remark([...path, 'user'], {
      before:
        "Butler.configQRS names no X-Qlik-User header: this is license-steward's default identity",
    });
    draft.findings.check.push(
      `Butler.configQRS has no X-Qlik-User header: the identity is ${DEFAULT_USER.directory}\\${DEFAULT_USER.id}; set qrs.user to the account Butler used`,
    );
  } else {
    const parsed = parseQlikUser(header.value);
    if (parsed === undefined)
      draft.problems.push(
        `${header.key}: "${header.value}" is not an X-Qlik-User value (UserDirectory=DIR; UserId=ID)`,
      );
    else {
      user = parsed;
      draft.carried(`${header.key} (X-Qlik-User)`, 'qrs.user');
      draft.remark([...path, 'user'], { after: 'the X-Qlik-User identity of Butler' });
    }
  }
  if (qrs.useSSL === false)
    draft.findings.check.push(
      'Butler.configQRS.useSSL was false: license-steward reaches QRS over HTTPS only (QRS itself serves only HTTPS on 4242)',
    );
  if (qrs.authentication !== undefined && qrs.authentication.toLowerCase() !== 'certificates')
    draft.findings.check.push(
      `Butler.configQRS.authentication is "${qrs.authentication}": license-steward authenticates with the client certificate only`,
    );
  const cert = butler.cert;
  const certificates = {
    cert: { file: cert.clientCert },
    key: { file: cert.clientCertKey },
    ca: { file: cert.clientCertCA },
  };
  draft.carried('Butler.cert.clientCert, clientCertKey, clientCertCA', 'qrs.certificates (files)');
  remarkCertificates(
    Object.values(certificates).map((source) => source.file),
    path,
    draft,
  );
  const verifies = qrs.rejectUnauthorized === true || String(qrs.rejectUnauthorized) === 'true';
  if (!verifies) {
    draft.remark([...path, 'certificates', 'ca'], {
      before:
        'Butler ran with rejectUnauthorized set to false (the server certificate was not checked).\n' +
        'license-steward always verifies QRS against this CA: run `license-steward doctor` first.',
    });
    draft.findings.check.push(
      'Butler.configQRS.rejectUnauthorized was set to false: license-steward always verifies the QRS certificate against qrs.certificates.ca. Check with `license-steward doctor --config FILE` (or `monitor`); if the certificate names another host, set qrs.servername',
    );
  }
  return { host: qrs.host, port: qrs.port, user, certificates };
}

function remarkCertificates(files: string[], path: KeyPath, draft: Draft): void {
  const notes: string[] = [];
  if (files.some((file) => /^<.*>$/.test(file.trim())))
    draft.findings.check.push(
      'Butler.cert still holds the template placeholders: set the three PEM paths',
    );
  if (files.some((file) => file.startsWith('/nodeapp/')))
    notes.push(
      'Butler ran in Docker (/nodeapp/...): point these at your copies of the QMC export.',
    );
  if (files.some((file) => !/^([A-Za-z]:[\\/]|[\\/])/.test(file)))
    notes.push(
      "Relative paths are read from this file's folder (Butler read them from its working folder).",
    );
  draft.remark([...path, 'certificates'], {
    before: [
      'The QMC-exported PEM files Butler used (Butler.cert). To deploy, store them in SSM with',
      '`license-steward certs put` and use { ssmParameter: NAME } instead.',
      ...notes,
    ].join('\n'),
  });
  if (notes.length > 0) draft.findings.check.push(`qrs.certificates: ${notes.join(' ')}`);
}
