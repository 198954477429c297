/**
 * A real DynamoDB-compatible server for the run ledger tests: dynalite in memory on a loopback
 * port, reached by the AWS SDK through its standard `AWS_ENDPOINT_URL_DYNAMODB` variable (with a
 * region and dummy credentials), as `npm run invoke` reaches a local stand-in. dynalite has no
 * `UpdateTimeToLive`, so the table is made without TTL (the CDK table has it).
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';

const ENV = {
  AWS_REGION: 'eu-north-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
} as const;

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  createTable(name: string): Promise<void>;
  items(table: string): Promise<Array<Record<string, unknown>>>;
  item(table: string, id: string): Promise<Record<string, unknown> | undefined>;
  close(): Promise<void>;
}

export async function startLocalDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const saved: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries({ ...ENV, AWS_ENDPOINT_URL_DYNAMODB: endpoint })) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  const client = new DynamoDBClient({});
  const documents = DynamoDBDocumentClient.from(client);
  return {
    endpoint,
    client,
    async createTable(name) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    },
    async items(table) {
      const answer = await documents.send(
        new ScanCommand({ TableName: table, ConsistentRead: true }),
      );
      return answer.Items ?? [];
    },
    async item(table, id) {
      const answer = await documents.send(
        new GetCommand({ TableName: table, Key: { id }, ConsistentRead: true }),
      );
      return answer.Item;
    },
    async close() {
      client.destroy();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
