/**
 * The `PutMetricData` call of put-metric-data.ts with a CloudWatch client of the SDK's standard
 * settings (`AWS_REGION`, credentials, `AWS_ENDPOINT_URL_CLOUDWATCH`) and the project's deadlines
 * (shared/aws-clients.ts). Only the CLI imports this.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { awsClientDeadlines } from '#shared/aws-clients.ts';
import type { PutMetricData } from './put-metric-data.ts';

export function createPutMetricData(client = new CloudWatchClient(awsClientDeadlines())): {
  send: PutMetricData;
  close: () => void;
} {
  return {
    send: (input) => client.send(new PutMetricDataCommand(input)),
    close: () => client.destroy(),
  };
}
