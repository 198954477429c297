/**
 * Schema problems as an administrator reads them, each naming its key: "write true or false", "a
 * list: [ … ]", "a TCP port, 1–65535", and "did you mean" for a misspelt key (docs/faults.md,
 * "Configuration mistakes"). Kept apart from load.ts so the Lambda bundles, which validate JSON
 * and never parse YAML, do not carry the YAML parser.
 */
import type { z } from 'zod';
import { suggestion } from './did-you-mean.ts';

/** `sites[0].licenseRelease.maxReleasesPerRun: must be at least 1`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    out += typeof segment === 'number' ? `[${segment}]` : `${out ? '.' : ''}${String(segment)}`;
  }
  return out || '(top level)';
}

/**
 * @param input the data that was validated: its values make the messages concrete
 *   (`write true or false, not "yes"`).
 * @param knownKeys every key the schema knows, for "did you mean" (./schema-keys.ts).
 */
export function formatIssues(
  error: z.ZodError,
  input?: unknown,
  knownKeys: readonly string[] = [],
): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map(
          // A key known elsewhere (`user` under qrs) is no suggestion for itself here.
          (key) =>
            `${formatPath([...issue.path, key])}: unknown key${suggestion(
              key,
              knownKeys.filter((known) => known !== key),
            )}`,
        )
        .join('; ');
    }
    const where = formatPath(issue.path);
    const value = valueAt(input, issue.path);
    // "Required" only where a value was looked for and is absent (a key that must be absent,
    // `z.undefined()`, keeps its own message).
    if (
      issue.code === 'invalid_type' &&
      input !== undefined &&
      value === undefined &&
      issue.expected !== 'undefined'
    )
      return `${where}: is required`;
    // What is written under a secret's key is never echoed: it may be the secret itself.
    const echo = SECRET_KEY.test(where) ? undefined : value;
    return `${where}: ${plainMessage(issue, echo)}`;
  });
}

const SECRET_KEY = /password|token|secret|key\b|cert|\bca\b/i;

/** Zod's own wording ("Invalid input: expected boolean, received string") in the admin's words. */
function plainMessage(issue: z.core.$ZodIssue, value: unknown): string {
  const given = shown(value);
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    switch (issue.expected) {
      case 'boolean':
        return `write true or false${given ? `, not ${given}` : ''}`;
      case 'array':
        return typeof value === 'string' || typeof value === 'number'
          ? `must be a list: [ ${String(value)} ]`
          : 'must be a list: [ a, b ] or one "- item" per line';
      case 'number':
        return `must be a number${given ? `, not ${given}` : ''}`;
      case 'int':
        return `must be a whole number${given ? `, not ${given}` : ''}`;
      case 'string':
        return 'must be text (quote it: "…")';
      case 'object':
        return 'must be a block of settings (key: value lines indented below it)';
      default:
        return `must be ${issue.expected}${given ? `, not ${given}` : ''}`;
    }
  }
  const last = issue.path[issue.path.length - 1];
  if ((issue.code === 'too_big' || issue.code === 'too_small') && last === 'port')
    return `must be a TCP port, 1–65535${given ? `, not ${given}` : ''} (QRS listens on 4242)`;
  if (issue.code === 'too_big' && issue.message.startsWith('Too big'))
    return `must be at most ${String(issue.maximum)}${given ? `, not ${given}` : ''}`;
  if (issue.code === 'too_small' && issue.message.startsWith('Too small'))
    return issue.origin === 'array' || issue.origin === 'string'
      ? 'must not be empty'
      : `must be at least ${String(issue.minimum)}${given ? `, not ${given}` : ''}`;
  if (issue.code === 'invalid_value' && issue.message.startsWith('Invalid option'))
    return `must be one of ${issue.values.map(String).join(', ')}${given ? `, not ${given}` : ''}`;
  return issue.message;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

/** A short, safe rendering of a scalar the admin wrote (objects and long text are not echoed). */
function shown(value: unknown): string {
  if (typeof value === 'string') return value.length <= 60 ? JSON.stringify(value) : '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}
