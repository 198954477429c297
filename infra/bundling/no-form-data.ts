/**
 * Stands in for the `form-data` package in the Lambda bundles (bundle-aliases.ts). axios imports
 * it for multipart uploads, which license-steward never sends; the real package brings mime-db
 * (~137 kB) into every bundle. Should a multipart body ever be built, this fails loudly rather
 * than sending something else.
 */
export default class NoFormData {
  constructor() {
    throw new Error(
      'multipart form data is not bundled in license-steward (infra/bundling/bundle-aliases.ts)',
    );
  }
}
