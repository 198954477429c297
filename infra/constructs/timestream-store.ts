/**
 * Amazon Timestream for LiveAnalytics: the database with the usage and release tables, created
 * here (or, with aws.timestream.createDatabase: false, existing ones named in config). Retention
 * is deliberate: a day in the memory store (every write is "now"), then years in the magnetic
 * store (usage trends; release records are the audit trail, kept longest). Database and tables
 * are retained when the stack is deleted. LiveAnalytics is closed to new customers since
 * 2025-06-20: the stack deploys without it (destinations.timestream.enable: false).
 */
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-timestream';
import { Construct } from 'constructs';
import type { AwsConfig, DestinationsConfig } from '#shared/config/schema.ts';
import type { StewardFunction } from './steward-function.ts';

export interface TimestreamStoreProps {
  /** `destinations.timestream`: the database and table names. */
  readonly destination: DestinationsConfig['timestream'];
  /** `aws.timestream`: create the database or use an existing one, retention. */
  readonly settings: AwsConfig['timestream'];
}

export class TimestreamStore extends Construct {
  readonly usageTableArn: string;
  readonly releaseTableArn: string;

  constructor(scope: Construct, id: string, props: TimestreamStoreProps) {
    super(scope, id);
    const { destination, settings } = props;
    if (!settings.createDatabase) {
      this.usageTableArn = tableArn(this, destination.database, destination.usageTable);
      this.releaseTableArn = tableArn(this, destination.database, destination.releaseTable);
      return;
    }
    const database = new CfnDatabase(this, 'Database', { databaseName: destination.database });
    database.applyRemovalPolicy(RemovalPolicy.RETAIN);
    acknowledgeMaintenanceMode(database);
    Validations.of(database).acknowledge({
      id: 'AwsSolutions-TS3',
      reason:
        'Encrypted at rest with the AWS managed Timestream key (the service default). The records are license counts and, in the release table, the user directory/id of released allocations (what the Qlik audit log holds too); a customer managed key would add cost and a key policy to run for an optional destination that is closed to new customers.',
    });
    const table = (tableId: string, tableName: string, magneticDays: number): CfnTable => {
      const created = new CfnTable(this, tableId, {
        // The Ref (the database name) also orders the table after its database.
        databaseName: database.ref,
        tableName,
        retentionProperties: {
          MemoryStoreRetentionPeriodInHours: String(settings.memoryStoreRetentionHours),
          MagneticStoreRetentionPeriodInDays: String(magneticDays),
        },
        // Late records are not expected (each run writes its own time): reject, don't store.
        magneticStoreWriteProperties: { EnableMagneticStoreWrites: false },
      });
      created.applyRemovalPolicy(RemovalPolicy.RETAIN);
      acknowledgeMaintenanceMode(created);
      return created;
    };
    this.usageTableArn = table(
      'UsageTable',
      destination.usageTable,
      settings.usageRetentionDays,
    ).attrArn;
    this.releaseTableArn = table(
      'ReleaseTable',
      destination.releaseTable,
      settings.releaseRetentionDays,
    ).attrArn;
  }

  /**
   * Lets a function write to one of the tables (the monitor: usage, the release function: release
   * records). No environment: the functions know the names from their inlined configuration.
   */
  bind(fn: StewardFunction, table: 'usage' | 'release'): void {
    fn.grantTimestreamWrite([table === 'usage' ? this.usageTableArn : this.releaseTableArn]);
  }
}

/** CloudFormation's validator warns about every LiveAnalytics resource; the choice is deliberate. */
function acknowledgeMaintenanceMode(resource: Construct): void {
  Validations.of(resource).acknowledge({
    id: 'CloudFormation-Validate::W3697',
    reason:
      'Timestream for LiveAnalytics is in maintenance mode (closed to new customers since 2025-06-20). Created only when destinations.timestream.enable is true, for accounts that already use it; the stack works on CloudWatch metrics alone (docs/deploy.md).',
  });
}

function tableArn(scope: Construct, database: string, table: string): string {
  return Stack.of(scope).formatArn({
    service: 'timestream',
    resource: 'database',
    resourceName: `${database}/table/${table}`,
  });
}
