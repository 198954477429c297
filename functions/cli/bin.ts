/**
 * The `license-steward` process: the CLI (./main.ts) with the conventions of a command-line tool.
 * - A reader that stops early (`release --dry-run | head -3`) closes stdout: the rest of the output
 *   is dropped quietly (no EPIPE stack trace) and the run itself finishes unchanged, so a real
 *   release never stops half-way because of its output. The exit status is the run's.
 * - Colours only on a terminal that has them, never with NO_COLOR (README, "The command").
 * - `release --plan` may ask only when stdin is a terminal.
 */
import { createInterface } from 'node:readline/promises';
import { runCli } from './main.ts';

/**
 * Writes to a stream until it is closed by the reader; then nothing more goes there. `drained`
 * waits while the reader is behind (a large `--json` is written in pieces), never on a closed one.
 */
function quietWhenClosed(stream: NodeJS.WriteStream): {
  write: (text: string) => void;
  drained: () => Promise<void>;
} {
  let open = true;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    open = false;
  });
  return {
    write: (text) => {
      if (open) stream.write(text);
    },
    drained: () =>
      open && stream.writableNeedDrain
        ? new Promise<void>((resolve) => {
            const done = () => {
              for (const event of ['drain', 'close', 'error'] as const) stream.off(event, done);
              resolve();
            };
            for (const event of ['drain', 'close', 'error'] as const) stream.once(event, done);
          })
        : Promise.resolve(),
  };
}

async function confirm(question: string): Promise<boolean> {
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes)$/i.test((await readline.question(`${question} [y/N] `)).trim());
  } finally {
    readline.close();
  }
}

const stdout = quietWhenClosed(process.stdout);
const stderr = quietWhenClosed(process.stderr);
// hasColors() honours NO_COLOR, NODE_DISABLE_COLORS, FORCE_COLOR and TERM=dumb.
const colour = process.stdout.isTTY === true && process.stdout.hasColors();

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: stdout.write,
  stdoutDrained: stdout.drained,
  stderr: stderr.write,
  colour,
  ...(process.stdin.isTTY ? { confirm } : {}),
});
