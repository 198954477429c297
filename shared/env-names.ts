/**
 * The environment variables the CDK app sets on the functions and the runtime reads: one leaf, so
 * `infra/` names a variable without loading the module that reads it. Constants only, no imports.
 */

/** The runtime configuration, inlined into the bundle at build time (`shared/lambda/config-from-env.ts`). */
export const CONFIG_ENV = 'LICENSE_STEWARD_CONFIG';

/** The run ledger's DynamoDB table (release function only; docs/release.md). */
export const RUNS_TABLE_ENV = 'LICENSE_STEWARD_RUNS_TABLE';

/** The SNS topic of the release report (release function only; docs/release.md). */
export const REPORT_TOPIC_ENV = 'LICENSE_STEWARD_REPORT_TOPIC_ARN';
