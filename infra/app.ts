/**
 * `npx cdk synth|deploy -c config=FILE`: reads the YAML configuration (default
 * examples/license-steward.aws.yaml), validates it with the CLI's schema and messages, and
 * synthesises the stack. A bad configuration stops synth with the problems, each naming its key;
 * so does any cdk-nag or cfn-guard finding without a written acknowledgement.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '#shared/config/errors.ts';
import { addStack } from './build.ts';
import { DEFAULT_CONFIG_FILE, loadDeployment } from './deployment.ts';
import { unacknowledgedFindings } from './validation-report.ts';

const app = new App();
const configFile = String(app.node.tryGetContext('config') ?? DEFAULT_CONFIG_FILE);
try {
  const deployment = loadDeployment(configFile);
  addStack(app, deployment);
  // Legal, but probably not what was meant (e.g. a schedule that daylight saving skips).
  for (const warning of deployment.warnings)
    process.stderr.write(`license-steward: warning: ${warning}\n`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`license-steward: ${error.message}\n`);
  process.exit(1);
}
const assembly = app.synth();
// cdk-nag and cfn-guard: any finding without a written acknowledgement stops here.
const findings = unacknowledgedFindings(assembly.directory);
if (findings.length > 0) {
  process.stderr.write(
    `license-steward: unacknowledged validation findings:\n${findings.map((f) => `  - ${f}`).join('\n')}\n`,
  );
  process.exit(1);
}
