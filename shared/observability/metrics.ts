/**
 * The service's Powertools Metrics instance, for usage and release metrics alike (EMF on stdout, which Lambda ships
 * to CloudWatch Logs and CloudWatch turns into metrics). The default `service` dimension is
 * dropped so every metric has exactly the documented dimensions (see shared/names.ts).
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SERVICE_NAME } from './logger.ts';

/** Where Powertools reports its own warnings (e.g. a timestamp CloudWatch would skip). */
export type MetricsLogger = NonNullable<ConstructorParameters<typeof Metrics>[0]>['logger'];

/** One instance per namespace and process (Powertools keeps a buffer per instance). */
export function createServiceMetrics(namespace: string, logger?: MetricsLogger): Metrics {
  const metrics = new Metrics({
    namespace,
    serviceName: SERVICE_NAME,
    ...(logger ? { logger } : {}),
  });
  metrics.clearDefaultDimensions();
  return metrics;
}
