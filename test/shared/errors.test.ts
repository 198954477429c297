/** One base error (shared/errors.ts): the CLI's exit status comes from the error's exit kind. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '#functions/cli/io.ts';
import { ConfigError } from '#shared/config/errors.ts';
import { exitKindOf, StewardError } from '#shared/errors.ts';
import { PlanError } from '#shared/licensing/release/plan-file.ts';
import { QrsError } from '#shared/qrs/errors.ts';
import { SecretError } from '#shared/secrets/ssm-reader.ts';

describe('exit kinds', () => {
  it('usage, configuration and plan errors exit 2; run failures exit 1', () => {
    expect(exitKindOf(new UsageError('x'))).toBe('usage');
    expect(exitKindOf(new ConfigError('f.yaml', ['sites: required']))).toBe('usage');
    expect(exitKindOf(new PlanError('too old'))).toBe('usage');
    expect(exitKindOf(new QrsError('refused', 'GET', '/license'))).toBe('failed');
    expect(exitKindOf(new SecretError('cannot read'))).toBe('failed');
  });

  it('an error that is not ours is a failed run', () => {
    expect(exitKindOf(new TypeError('boom'))).toBe('failed');
    expect(exitKindOf('a string')).toBe('failed');
  });

  it('carries the error behind it as the standard cause, and keeps its own name', () => {
    const cause = new Error('socket hang up');
    const error = new QrsError('QRS GET /license failed', 'GET', '/license', { cause });
    expect(error).toBeInstanceOf(StewardError);
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('QrsError');
  });
});
