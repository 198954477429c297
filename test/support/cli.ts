/** Runs the CLI in-process with its output captured, as the tests of every command need it. */
import { runCli } from '#functions/cli/main.ts';

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCliCaptured(
  argv: string[],
  options: { now?: () => Date } = {},
): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    ...(options.now ? { now: options.now } : {}),
  });
  return { code, stdout, stderr };
}
