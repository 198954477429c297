/** The Lambda context a handler gets, for invoking the real handlers in-process. */
import type { Context } from 'aws-lambda';

export interface LambdaContextOptions {
  /** @default 'license-steward-release' */
  functionName?: string;
  /** What `getRemainingTimeInMillis` answers: a fixed number or a function. @default 600 s */
  remainingMs?: number | (() => number);
  /** @default a new random id per call (a new invocation, not an AWS retry of the same one) */
  requestId?: string;
}

export function lambdaContext(options: LambdaContextOptions = {}): Context {
  const functionName = options.functionName ?? 'license-steward-release';
  const remaining = options.remainingMs ?? 600_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-north-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: options.requestId ?? `request-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: typeof remaining === 'number' ? () => remaining : remaining,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
