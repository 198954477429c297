import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two kinds of tests (test/README.md): `unit` runs in-process against fakes; `integration` talks
 * to a real server or process (the QRS simulator over mutual TLS, influxd, dynalite, the CLI and
 * handlers end to end in test/e2e/) and `integration-cdk` synthesises the CDK app (test/infra/).
 * `npm run test:unit`, `npm run test:integration` (both integration projects), `npm test` (all).
 */
const INTEGRATION = ['test/e2e/**/*.test.ts', 'test/**/*.integration.test.ts'];
const CDK = ['test/infra/**/*.test.ts'];

export default defineConfig({
  test: {
    environment: 'node',
    // The QRS simulator and CDK synth are real work: give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    unstubEnvs: true,
    restoreMocks: true,
    globalSetup: ['./test/support/temp-root.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...INTEGRATION, ...CDK],
        },
      },
      { extends: true, test: { name: 'integration', include: INTEGRATION } },
      {
        extends: true,
        test: {
          name: 'integration-cdk',
          include: CDK,
          // Read-only template tests: one aws-cdk-lib load and one synth per configuration per
          // worker instead of per file (test/infra/helpers.ts caches them).
          isolate: false,
        },
      },
    ],
  },
});
