/**
 * `npm run -s invoke -- license-release|license-monitor --config FILE --event JSON|@FILE
 * [--remaining-ms N]`: runs a Lambda handler exactly as deployed (its own handler.ts: the same
 * middy chain, sinks, SSM reader and, for release, the run ledger when LICENSE_STEWARD_RUNS_TABLE
 * is set), in this process, and prints its return value as JSON on stdout (logs go to stderr).
 * The YAML config is validated and handed to the handler where the bundle has it inlined
 * (LICENSE_STEWARD_CONFIG). AWS clients use the SDK's standard settings (AWS_REGION,
 * AWS_ENDPOINT_URL_<SERVICE>), so they can point at local stand-ins. Exit: 0 returned, 1 threw,
 * 2 usage or configuration (docs/deploy.md, "Try the Lambda code first").
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Context } from 'aws-lambda';
import { ConfigError } from '#shared/config/errors.ts';
import { loadConfig } from '#shared/config/load.ts';
import { runtimeConfig } from '#shared/config/runtime-config.ts';
import { DEFAULT_TIMEOUT_SECONDS } from '#shared/config/schema/aws.ts';
import { CONFIG_ENV } from '#shared/env-names.ts';
import { configFromEnv } from '#shared/lambda/config-from-env.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './io.ts';

export const INVOKE_USAGE = `Usage:
  npm run -s invoke -- license-release|license-monitor --config FILE --event JSON|@FILE [--remaining-ms N]

  --config FILE      the YAML configuration (certificates may be files here; deployed: SSM)
  --event JSON|@FILE the event, e.g. '{"site": "prod", "scheduledTime": "2026-01-31T02:00:00Z"}'
  --remaining-ms N   the time the handler is told it has (default: the function's timeout)

Exit status: 0 the handler returned, 1 it threw, 2 bad usage or configuration.`;

const FUNCTIONS = {
  'license-release': { job: 'release', load: () => import('../license-release/handler.ts') },
  'license-monitor': { job: 'monitor', load: () => import('../license-monitor/handler.ts') },
} as const;
type FunctionName = keyof typeof FUNCTIONS;
type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface InvokeIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export async function runInvoke(argv: readonly string[], io: InvokeIo): Promise<number> {
  let request: { name: FunctionName; configText: string; event: unknown; remainingMs: number };
  try {
    request = parseRequest(argv);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
    io.stderr(
      `invoke: ${error.message}\n${error instanceof UsageError ? `\n${INVOKE_USAGE}\n` : ''}`,
    );
    return EXIT_USAGE;
  }
  // Where the CDK app inlines it in the bundle; handler.ts reads it at import, as in Lambda.
  process.env[CONFIG_ENV] = request.configText;
  let result: unknown;
  try {
    const { handler } = (await FUNCTIONS[request.name].load()) as { handler: LambdaHandler };
    result = await handler(request.event, invokeContext(request.name, request.remainingMs));
  } catch (error) {
    io.stderr(`invoke: ${request.name} threw: ${(error as Error).message}\n`);
    return EXIT_FAILED;
  }
  io.stdout(`${JSON.stringify(result ?? null, null, 2)}\n`);
  return EXIT_OK;
}

function parseRequest(argv: readonly string[]) {
  let parsed: ReturnType<typeof parseInvokeArgs>;
  try {
    parsed = parseInvokeArgs(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const name = positionals[0];
  if (positionals.length !== 1 || !name || !(name in FUNCTIONS))
    throw new UsageError('name one function: license-release or license-monitor');
  if (!values.config) throw new UsageError('--config FILE is required');
  if (!values.event) throw new UsageError('--event JSON|@FILE is required');
  const remaining = values['remaining-ms'];
  if (remaining !== undefined && !/^[1-9]\d*$/.test(remaining))
    throw new UsageError('--remaining-ms must be a whole number of milliseconds');
  // Validated twice, like the bundle's: the YAML file, then the runtime part the handler reads.
  const file = loadConfig(values.config);
  const configText = JSON.stringify(runtimeConfig(file));
  configFromEnv(configText);
  const functionName = name as FunctionName;
  const job = FUNCTIONS[functionName].job;
  const timeoutSeconds = file.aws?.functions[job].timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS[job];
  return {
    name: functionName,
    configText,
    event: readEvent(values.event),
    remainingMs: remaining === undefined ? timeoutSeconds * 1000 : Number(remaining),
  };
}

function parseInvokeArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string' },
      event: { type: 'string' },
      'remaining-ms': { type: 'string' },
    },
  });
}

function readEvent(value: string): unknown {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (error) {
      throw new UsageError(
        `cannot read the event file ${value.slice(1)}: ${(error as NodeJS.ErrnoException).code}`,
      );
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError('--event is not valid JSON');
  }
}

/** The Lambda context the handler sees: a request id, the function's name and a clock. */
function invokeContext(functionName: string, remainingMs: number): Context {
  const endsAt = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local-invoke',
    getRemainingTimeInMillis: () => Math.max(0, endsAt - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // stdout holds only the return value: the handler's log lines and metrics go to stderr.
  const stdout = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  const code = await runInvoke(process.argv.slice(2), {
    stdout: (text) => stdout(text),
    stderr: (text) => process.stderr.write(text),
  });
  // Kept-alive sockets (QRS, AWS) would hold the process open.
  process.exit(code);
}
