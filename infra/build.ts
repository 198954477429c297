/**
 * The CDK app's composition, shared by infra/app.ts and the tests: load and check the config,
 * create the stack in the configured environment, run cdk-nag (AwsSolutions) at synth.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type Deployment, loadDeployment } from './deployment.ts';
import { LicenseStewardStack } from './license-steward-stack.ts';

export function buildApp(app: App, configFile: string): LicenseStewardStack {
  return addStack(app, loadDeployment(configFile));
}

export function addStack(app: App, deployment: Deployment): LicenseStewardStack {
  const { account, region, stackName } = deployment.aws;
  const stack = new LicenseStewardStack(app, stackName, {
    deployment,
    // Environment-agnostic unless the config pins it: no lookups, `cdk synth` works offline.
    ...(account || region ? { env: { account, region } } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
