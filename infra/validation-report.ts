/**
 * The validation plugins' findings that nobody acknowledged, read from the report synth writes
 * into the cloud assembly. `cdk synth` alone does not fail on every one of them: with any
 * acknowledgement in the app, aws-cdk-lib 2.276 recomputes a plugin's success from the findings'
 * severity, and cfn-guard's findings carry none, so an unacknowledged Control Tower finding would
 * pass. infra/app.ts and the tests read this instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';

interface ValidationReport {
  pluginReports?: Array<{
    pluginName: string;
    violations?: Array<{
      ruleName: string;
      description?: string;
      severity?: string;
      violatingConstructs?: Array<{ constructPath?: string }>;
    }>;
  }>;
}

/** `plugin: rule at construct path (description)` for every error-level finding left. */
export function unacknowledgedFindings(assemblyDirectory: string): string[] {
  const file = path.join(assemblyDirectory, VALIDATION_REPORT_FILE);
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, 'utf8')) as ValidationReport;
  return (report.pluginReports ?? []).flatMap((plugin) =>
    (plugin.violations ?? [])
      .filter((violation) => violation.severity !== 'warning' && violation.severity !== 'info')
      .flatMap((violation) =>
        (violation.violatingConstructs ?? [{}]).map(
          (construct) =>
            `${plugin.pluginName}: ${violation.ruleName} at ${construct.constructPath ?? '(unknown)'}${violation.description ? ` (${violation.description})` : ''}`,
        ),
      ),
  );
}
