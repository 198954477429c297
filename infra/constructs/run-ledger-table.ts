/**
 * The release run ledger (shared/lambda/run-ledger.ts): one DynamoDB record per site and scheduled
 * time, written by the Powertools Idempotency utility, so a release run happens once however
 * often AWS delivers its event (docs/release.md, "How a run behaves when AWS retries").
 *
 * - On demand: a few writes per run (cents a month), nothing to size.
 * - Point-in-time recovery, for cdk-nag and for the odd "what did that run do" after an accident.
 * - TTL on `expiration` (the attribute Powertools writes): records go a week after their run.
 * - Encrypted with the AWS managed key (aws/dynamodb): it holds site names, times and run counts,
 *   no secrets or personal data, so a customer managed key would add cost and key policy for
 *   nothing; the managed key is still visible in KMS and its use in CloudTrail.
 * - Removed with the stack: the records only matter while AWS may still retry a run (hours); the
 *   audit trail is the release function's log, which is kept.
 * - Only the release function may use it, with exactly the four item actions Powertools calls.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { RUNS_TABLE_ENV } from '#shared/env-names.ts';
import type { StewardFunction } from './steward-function.ts';

/** What the Powertools DynamoDB persistence layer calls, and nothing else. */
export const LEDGER_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

export class RunLedgerTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiration',
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /**
   * Lets a function (the release function) use the ledger: the four item actions, and the table's
   * name in its environment, where the run ledger looks for it.
   */
  bind(fn: StewardFunction): void {
    this.table.grant(fn.role, ...LEDGER_ACTIONS);
    fn.function.addEnvironment(RUNS_TABLE_ENV, this.table.tableName);
  }
}
