/** The QRS response limit follows the Lambda function's memory (docs/release.md, "Memory"). */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  maxResponseBytesFor,
  responseLimitOrigin,
} from '#shared/qrs/response-limit.ts';

const MB = 1024 * 1024;

describe('the largest QRS answer a run accepts', () => {
  it('is 1/16 of the function memory in Lambda: 32 MB at 512 MB', () => {
    expect(maxResponseBytesFor({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512' })).toBe(32 * MB);
    expect(maxResponseBytesFor({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024' })).toBe(64 * MB);
    expect(maxResponseBytesFor({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128' })).toBe(8 * MB);
  });

  it('is 256 MB outside Lambda (the CLI), and never more', () => {
    expect(maxResponseBytesFor({})).toBe(DEFAULT_MAX_RESPONSE_BYTES);
    expect(maxResponseBytesFor({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 'x' })).toBe(256 * MB);
    expect(maxResponseBytesFor({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '10240' })).toBe(256 * MB);
  });

  it('says where the limit comes from', () => {
    const env = { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512' };
    expect(responseLimitOrigin(32 * MB, env)).toMatch(/^ \(1\/16 of the function's 512 MB/);
    expect(responseLimitOrigin(4096, env)).toBe('');
    expect(responseLimitOrigin(256 * MB, {})).toBe('');
  });
});
