/**
 * `npx cdk synth|deploy -c config=FILE`: reads the YAML configuration (default
 * examples/license-steward.aws.yaml), validates it with the CLI's schema and messages, and
 * synthesises the stack. A bad configuration stops synth with the problems, each naming its key.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '#shared/config/errors.ts';
import { buildApp } from './build.ts';
import { DEFAULT_CONFIG_FILE } from './deployment.ts';

const app = new App();
const configFile = String(app.node.tryGetContext('config') ?? DEFAULT_CONFIG_FILE);
try {
  buildApp(app, configFile);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`license-steward: ${error.message}\n`);
  process.exit(1);
}
app.synth();
