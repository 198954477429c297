/**
 * Secrets out of InfluxDB's error answers before they reach logs, `sinkErrors` and the release
 * report: a server (or a proxy before it) may echo the token or password as sent, URL-encoded
 * (a query string) or base64 (a Basic header). Every form is blanked, before any cut, so that no
 * part of a secret survives at the edge of a shortened message.
 */

/** The forms a secret may be echoed in; forms shorter than 4 characters are left alone. */
export function secretForms(secret: string): string[] {
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  const urlEncoded = encodeURIComponent(secret);
  const formEncoded = new URLSearchParams({ s: secret }).toString().slice(2);
  const forms = [
    secret,
    urlEncoded,
    urlEncoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    formEncoded,
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(secret, 'utf8').toString('base64url'),
  ];
  // Longest first: a shorter form inside a longer one must not leave the longer one's rest.
  return [...new Set(forms)].filter((form) => form.length >= 4).sort((a, b) => b.length - a.length);
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets)
    for (const form of secretForms(secret)) redacted = redacted.split(form).join('***');
  return redacted;
}
