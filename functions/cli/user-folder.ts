/**
 * The folder the user typed the command in, which relative paths (`--config`, `--plan`, …) are
 * relative to. npm runs a package's scripts in the package's own folder (`npm run cli`, `npm
 * --prefix CHECKOUT run cli`) and says where the user was in `INIT_CWD`: then that folder counts.
 * Anywhere else (an installed command, npx in the admin's folder) the process's own folder does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function userFolder(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const typedIn = env.INIT_CWD;
  if (!typedIn || typedIn === cwd) return cwd;
  return isThisPackage(cwd) ? typedIn : cwd;
}

function isThisPackage(folder: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8'));
    return (manifest as { name?: unknown }).name === 'license-steward';
  } catch {
    return false;
  }
}
