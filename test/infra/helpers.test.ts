/**
 * The synth helper the infra tests share: one synth per configuration (the cache is keyed by the
 * configuration's content), and every cloud assembly inside the run's temporary folder, which
 * test/support/temp-root.ts removes when the run ends.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { configWith, synth } from './helpers.ts';

describe('synth (test helper)', () => {
  it('synthesises equal configurations once and a changed one anew', () => {
    const base = synth(configWith(() => {}));

    const again = synth(configWith(() => {}));
    const changed = synth(
      configWith((config) => {
        (config.aws as Record<string, unknown>).logRetentionDays = 30;
      }),
    );

    expect(again).toBe(base);
    expect(changed).not.toBe(base);
    changed.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('writes the cloud assembly into the run’s temporary folder', () => {
    const { app } = synth();

    const relative = path.relative(inject('tempRoot'), app.outdir);
    expect(relative.startsWith('..')).toBe(false);
    expect(path.isAbsolute(relative)).toBe(false);
  });
});
