/**
 * Packages the Lambda bundles replace (esbuild's `alias`, https://esbuild.github.io/api/#alias),
 * shared by the deployed bundles (constructs/steward-function.ts) and the benchmark's, so both
 * measure the same code. Each replacement is a small module that throws if it is ever used.
 */
import path from 'node:path';

export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  // axios's multipart uploads (never sent here); the real package pulls in mime-db.
  'form-data': path.join(import.meta.dirname, 'no-form-data.ts'),
};

/** The same aliases as esbuild command-line arguments (what the CDK's `esbuildArgs` takes). */
export function aliasArgs(): string[] {
  return Object.entries(BUNDLE_ALIASES).map(([name, replacement]) => `${name}=${replacement}`);
}
