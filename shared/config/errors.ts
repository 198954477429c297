/** Bad configuration: every problem names the key path (e.g. `sites[0].qrs.port`). */
export class ConfigError extends Error {
  readonly problems: string[];
  /** The file (or other source) the problems are in. */
  readonly source: string;

  constructor(source: string, problems: string[]) {
    super(
      `Invalid configuration in ${source}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
    this.source = source;
  }
}
