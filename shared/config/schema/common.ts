/** Value types shared by the configuration's sections (docs: README "Configure"). */
import { isIPv6 } from 'node:net';
import { z } from 'zod';
import { parseSchedule } from '../schedule.ts';

export const nonEmpty = z.string().trim().min(1, 'must not be empty');

/**
 * A host name or address as QRS's is written: `qs.example.com`, never a URL or `host:port`, which
 * would only fail later as a DNS error (docs/faults.md, "Configuration mistakes").
 */
export const hostName = nonEmpty.superRefine((host, context) => {
  const fix = (message: string) => context.addIssue({ code: 'custom', message });
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(host);
  if (scheme) {
    const bare = host.slice(scheme[0].length).split(/[/:]/)[0];
    return fix(
      `write the host name only, without "${scheme[0]}": host: ${bare || 'qs.example.com'}`,
    );
  }
  if (isIPv6(host) || /^\[[0-9a-f:.]+\]$/i.test(host)) return;
  const withPort = /^([^:/\s]+):(\d*)$/.exec(host);
  if (withPort)
    return fix(
      `write the port apart: host: ${withPort[1]} and port: ${withPort[2] || 4242} (QRS listens on 4242)`,
    );
  if (/[/\s:@?#]/.test(host))
    return fix(
      'must be a host name or IP address only, such as qs.example.com (no path, spaces or port)',
    );
});

/** A schedule expression, normalised (Butler's "every N minutes" becomes `rate(N minutes)`). */
export const schedule = z.string().transform((text, context) => {
  try {
    return parseSchedule(text);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

export const timezone = z.string().refine(
  (name) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: name });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not an IANA time zone name (e.g. Europe/Stockholm, UTC)' },
);

/** SSM parameter names as AWS accepts them (a path like /license-steward/prod/client-cert). */
export const ssmParameterName = z
  .string()
  .regex(
    /^[a-zA-Z0-9_.\-/]{1,1011}$/,
    'is not a valid SSM parameter name (letters, digits, _ . - /)',
  );

/** A certificate or key: a PEM file (CLI) or an SSM SecureString parameter (Lambda, or CLI with AWS credentials). */
export const secretSourceSchema = z
  .union([z.strictObject({ file: nonEmpty }), z.strictObject({ ssmParameter: ssmParameterName })], {
    error: 'must be { file: PATH } or { ssmParameter: NAME }',
  })
  .superRefine((source, context) => {
    // PEM text pasted as the path would be echoed in "cannot read file …": refuse it, unechoed.
    if ('file' in source && /-----BEGIN|[\r\n]/.test(source.file))
      context.addIssue({
        code: 'custom',
        path: ['file'],
        message:
          'must be the path of a PEM file, not the PEM text (save the text as a file, or store it in SSM with `license-steward certs put`)',
      });
  });
export type SecretSource = z.infer<typeof secretSourceSchema>;

/** A rule list that may be written as an empty key (`tag:`) in YAML: null means none. */
export const ruleList = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((list) => list ?? []);

/**
 * Whether a source's name looks like the secret itself pasted in its place: long, and nothing a
 * path, a parameter name or a variable name usually has (`/`, `.`, or one letter case only).
 */
function looksLikeASecret(name: string): boolean {
  if (name.length < 32) return false;
  const pathLike = name.includes('/') || name.includes('.');
  const mixedCase = /[a-z]/.test(name) && /[A-Z]/.test(name) && /\d/.test(name);
  return !pathLike && mixedCase;
}

/**
 * A token or password: an SSM SecureString parameter (Lambda), a file or an environment variable.
 * A name that looks like the secret itself is refused without echoing it: errors name their
 * source, and a token pasted there would land in logs and reports.
 */
export const tokenSourceSchema = z
  .union(
    [
      z.strictObject({ ssmParameter: ssmParameterName }),
      z.strictObject({ file: nonEmpty }),
      z.strictObject({
        env: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name'),
      }),
    ],
    { error: 'must be { ssmParameter: NAME }, { file: PATH } or { env: VARIABLE }' },
  )
  .superRefine((source, context) => {
    const [key, name] = Object.entries(source)[0] as [string, string];
    if (looksLikeASecret(name))
      context.addIssue({
        code: 'custom',
        path: [key],
        message: `looks like the secret itself, not a ${key === 'env' ? 'variable name' : key === 'file' ? 'file path' : 'parameter name'}: store the secret there and name it here (the value is not shown)`,
      });
  });
export type TokenSource = z.infer<typeof tokenSourceSchema>;
