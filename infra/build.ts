/**
 * The CDK app's composition, shared by infra/app.ts and the tests: load and check the config,
 * create the stack in the configured environment, run cdk-nag (AwsSolutions) and cfn-guard
 * (AWS Control Tower proactive controls) at synth.
 */

import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type Deployment, loadDeployment } from './deployment.ts';
import { LicenseStewardStack } from './license-steward-stack.ts';

export function buildApp(app: App, configFile: string): LicenseStewardStack {
  return addStack(app, loadDeployment(configFile));
}

export interface AddStackOptions {
  /**
   * Register cdk-nag and cfn-guard, as `cdk synth` does. Tests that only read the template leave
   * them out (they run over the whole stack in test/infra/nag.test.ts).
   * @default true
   */
  readonly validations?: boolean;
}

export function addStack(
  app: App,
  deployment: Deployment,
  options: AddStackOptions = {},
): LicenseStewardStack {
  const { account, region, stackName } = deployment.aws;
  const stack = new LicenseStewardStack(app, stackName, {
    deployment,
    // Environment-agnostic unless the config pins it: no lookups, `cdk synth` works offline.
    ...(account || region ? { env: { account, region } } : {}),
  });
  // Two opinions at synth: cdk-nag's AwsSolutions rules and AWS Control Tower's proactive
  // controls (cfn-guard; the binary ships in the npm package, nothing is downloaded).
  if (options.validations ?? true)
    Validations.of(app).addPlugins(
      new AwsSolutionsChecks(app, { verbose: true }),
      new CfnGuardValidator(),
    );
  return stack;
}
