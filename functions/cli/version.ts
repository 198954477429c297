/** `license-steward --version`: the package's version (the bundle has it built in, ./build.ts). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function cliVersion(): string {
  const built = process.env.LICENSE_STEWARD_VERSION;
  if (built) return built;
  const manifest = path.resolve(import.meta.dirname, '../../package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
