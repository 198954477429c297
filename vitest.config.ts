import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // The QRS simulator and CDK synth are real work: give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    unstubEnvs: true,
    restoreMocks: true,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
