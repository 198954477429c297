/**
 * The `X-Qlik-User` header: `UserDirectory=<dir>; UserId=<id>`, both values URL-encoded UTF-8 as
 * QRS decodes them (docs/certificates.md), so a non-ASCII or `;`-containing id arrives intact.
 */
export function qlikUserHeader(user: { directory: string; id: string }): string {
  return `UserDirectory=${encodeURIComponent(user.directory)}; UserId=${encodeURIComponent(user.id)}`;
}
