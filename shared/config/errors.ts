import { StewardError } from '#shared/errors.ts';

/** Bad configuration: every problem names the key path (e.g. `sites[0].qrs.port`). */
export class ConfigError extends StewardError {
  readonly problems: string[];

  constructor(source: string, problems: string[]) {
    super(
      `Invalid configuration in ${source}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
      { exitKind: 'usage' },
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
