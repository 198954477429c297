/**
 * Schema problems as people read them, each naming its key. Kept apart from load.ts so the Lambda
 * bundles, which validate JSON and never parse YAML, do not carry the YAML parser.
 */
import type { z } from 'zod';

/** `sites[0].licenseRelease.maxReleasesPerRun: must be at least 1`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    out += typeof segment === 'number' ? `[${segment}]` : `${out ? '.' : ''}${String(segment)}`;
  }
  return out || '(top level)';
}

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`).join('; ');
    }
    if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
      return `${formatPath(issue.path)}: is required`;
    }
    return `${formatPath(issue.path)}: ${issue.message}`;
  });
}
