/** The import's summary for stderr: what was carried over, what was not, what to do next. */
import type { Findings } from './draft.ts';

/** @param command how the user runs license-steward here (`npx license-steward` under npx). */
export function formatSummary(
  findings: Findings,
  written: string | undefined,
  command = 'license-steward',
): string {
  const section = (title: string, lines: readonly string[]) =>
    lines.length === 0 ? [] : ['', title, ...lines.map((line) => `  - ${line}`)];
  const configArg = written ?? 'FILE';
  return [
    written
      ? `import-butler: wrote ${written}`
      : 'import-butler: the license-steward configuration is on stdout',
    ...section('Carried over:', findings.carried),
    ...section('No counterpart in license-steward (not carried over):', findings.noCounterpart),
    ...section(
      'Secrets were not copied. Set these environment variables (or switch to { ssmParameter } to deploy):',
      findings.secrets.map((secret) => `${secret.name}  (instead of ${secret.butlerKey})`),
    ),
    ...section('Check next:', [
      ...findings.check,
      `${command} doctor --config ${configArg}   (certificates, TLS, identity, reads)`,
      `${command} monitor --config ${configArg}`,
      `${command} release --config ${configArg} --dry-run   (before any dryRun: false)`,
      'the differences from Butler: docs/butler.md',
    ]),
    '',
  ].join('\n');
}
