/**
 * `npm run build`: the `license-steward` command as one JavaScript file, `dist/license-steward.mjs`
 * (the package's `bin`). Everything it imports is inside the bundle, so the package has no runtime
 * dependencies and the command needs neither tsx nor a TypeScript loader (README, "The command").
 * `npm ci` and `npm pack` run it through the `prepare` script.
 */
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI_BUNDLE = path.join(ROOT, 'dist/license-steward.mjs');

/** Node 20 is the oldest the command runs on (package.json `engines`). */
const TARGET = 'node20';

export async function buildCli(outfile = CLI_BUNDLE): Promise<void> {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  await build({
    entryPoints: [path.join(ROOT, 'functions/cli/bin.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: TARGET,
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.LICENSE_STEWARD_VERSION': JSON.stringify(version) },
    // CommonJS dependencies (axios's form-data, the AWS SDK) `require` Node built-ins.
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __lsCreateRequire } from 'node:module'; const require = __lsCreateRequire(import.meta.url);",
    },
  });
  chmodSync(outfile, 0o755);
}

if (import.meta.url === `file://${process.argv[1]}`) await buildCli();
