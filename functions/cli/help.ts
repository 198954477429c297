/**
 * What `--help` prints: the whole usage, or one command's options (`license-steward release
 * --help`). The README's "The command" section and docs/*.md say the same in more words.
 */
export const COMMANDS = ['doctor', 'monitor', 'release', 'certs-put', 'import-butler'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** How the user runs the command: `npx license-steward` when npx started it (README). */
export function commandName(env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_command === 'exec' ? 'npx license-steward' : 'license-steward';
}

const COMMON = {
  config: '  --config FILE   the YAML configuration (see README "Configure")',
  site: '  --site NAME     only this site (default: every site in the file)',
  json: '  --json          print one JSON document on stdout; logs go to stderr',
  write:
    "  --write         also send the run's data to every enabled destination\n                  (InfluxDB, Timestream, CloudWatch), as the Lambda functions do",
  verbose: '  --verbose       debug logging on stderr',
};

const HELP: Record<CommandName, { usage: string[]; about: string; options: string[] }> = {
  doctor: {
    usage: ['doctor --config FILE [--site NAME] [--json]'],
    about:
      'Checks each site read-only: config, certificates, TLS, identity, reads, clock (docs/doctor.md).',
    options: [COMMON.config, COMMON.site, COMMON.json, COMMON.verbose],
  },
  monitor: {
    usage: ['monitor --config FILE [--site NAME] [--json] [--write]'],
    about: 'Shows license usage, expiry and warnings of each site (docs/monitor.md).',
    options: [COMMON.config, COMMON.site, COMMON.json, COMMON.write, COMMON.verbose],
  },
  release: {
    usage: [
      'release --config FILE [--site NAME] [--dry-run] [--json] [--all] [--write]',
      'release --config FILE --plan FILE [--yes] [--site NAME] [--max-plan-age HOURS] [--dry-run] [--json] [--write]',
    ],
    about: 'Releases allocations inactive beyond the threshold, or lists them (docs/release.md).',
    options: [
      COMMON.config,
      COMMON.site,
      '  --dry-run       only list what would be released, whatever the config says',
      COMMON.json,
      '  --all           the whole table of a large run (the human output shows a summary first)',
      '  --plan FILE     apply a plan made by `release --dry-run --json`: only its candidates,\n                  each re-checked now; releases for real unless --dry-run is also given',
      '  --yes           --plan: apply without asking (needed when no terminal can answer)',
      '  --max-plan-age HOURS\n                  --plan: refuse a plan older than this (default 24)',
      COMMON.write,
      COMMON.verbose,
    ],
  },
  'certs-put': {
    usage: ['certs put --config FILE --site NAME --dir DIR [--overwrite]'],
    about:
      "Stores a site's QMC certificates in SSM Parameter Store for the Lambda functions (docs/certificates.md).",
    options: [
      COMMON.config,
      '  --site NAME     the site whose parameters to write',
      '  --dir DIR       folder with client.pem, client_key.pem and root.pem from the QMC',
      '  --overwrite     replace parameters that already exist',
      COMMON.verbose,
    ],
  },
  'import-butler': {
    usage: ['import-butler --butler-config FILE [--site NAME] [--out FILE]'],
    about: 'Turns a Butler config file into a license-steward configuration (docs/butler.md).',
    options: [
      '  --butler-config FILE  the Butler config file to convert',
      "  --site NAME     the new site's name",
      '  --out FILE      write the new configuration here (default: stdout)',
      COMMON.verbose,
    ],
  },
};

const EXIT =
  'Exit status: 0 success, 1 the run failed or a release failed, 2 bad configuration or usage.';

export const USAGE = `Usage:
${COMMANDS.flatMap((command) => HELP[command].usage)
  .map((line) => `  license-steward ${line}`)
  .join('\n')}
  license-steward --version
  license-steward <command> --help

${COMMANDS.map((command) => `  ${command.replace('-put', ' put').padEnd(14)}${HELP[command].about}`).join('\n')}

${EXIT}`;

export function commandHelp(command: CommandName): string {
  const help = HELP[command];
  return `Usage:
${help.usage.map((line) => `  license-steward ${line}`).join('\n')}

${help.about}

Options:
${help.options.join('\n')}
  --help          this text

${EXIT}`;
}

/** A usage mistake in one line, and where to read more. */
export function usageLine(message: string, command: CommandName | undefined): string {
  const help = command ? `${command.replace('-put', ' put')} --help` : '--help';
  return `license-steward: ${message}. Run "${commandName()} ${help}" for the options.`;
}
