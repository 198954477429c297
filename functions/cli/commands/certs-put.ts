/**
 * `license-steward certs put --config FILE --site NAME --dir DIR [--overwrite]`: stores the QMC's
 * exported client.pem, client_key.pem and root.pem as SSM SecureString parameters, under the
 * names the site's `qrs.certificates` give, so nobody hand-types a key into the console.
 *
 * The files are checked first (PEM, parseable, key matches certificate, key not encrypted) and
 * nothing is sent when one is wrong. Existing parameters are replaced only with --overwrite.
 * PEM text is never printed or logged: output names files and parameters only.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { awsClientDeadlines, explainAwsError } from '#shared/aws-clients.ts';
import { inspectPemSet, type PemProblemCode } from '#shared/certificates/pem-set.ts';
import {
  CERTIFICATE_FILES,
  CERTIFICATE_KINDS,
  type CertificateKind,
  certificateParameters,
} from '#shared/certificates/sources.ts';
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import { type CliIo, EXIT_FAILED, EXIT_OK, UsageError } from '../io.ts';
import {
  type CliOptions,
  type CommonArgs,
  configCommandArgs,
  refuseGiven,
  refuseReleaseOptions,
} from '../options.ts';
import { selectSites } from '../select-sites.ts';

type Part = CertificateKind;

export interface CertsPutDependencies {
  /** The SSM client (default: the AWS SDK's credential chain, aws.region when configured). */
  ssm?: (region: string | undefined) => SSMClient;
}

interface Stored {
  part: Part;
  file: string;
  parameter: string;
  stored: boolean;
  version?: number;
  tier?: string;
  error?: string;
}

export interface CertsPutArgs extends CommonArgs {
  command: 'certs-put';
  config: string;
  /** The site whose parameters to write. */
  site: string;
  /** The folder with the QMC's exported files. */
  dir: string;
  /** Replace parameters that already exist. */
  overwrite: boolean;
}

export function parseCertsPutArgs(options: CliOptions): CertsPutArgs {
  const common = configCommandArgs(options, 'certs-put');
  refuseReleaseOptions(options, 'certs-put');
  refuseGiven('certs-put', [[options.write, '--write applies to monitor and release only']]);
  const { site, dir } = options;
  if (!site || !dir) throw new UsageError('certs put needs --site NAME and --dir DIR', 'certs-put');
  return {
    command: 'certs-put',
    ...common,
    site,
    dir: options.userPath(dir),
    overwrite: options.overwrite,
  };
}

export async function runCertsPut(
  config: Config,
  args: CertsPutArgs,
  io: CliIo,
  dependencies: CertsPutDependencies = {},
): Promise<number> {
  const [site] = selectSites(config, args.site);
  if (!site) throw new UsageError('certs put needs --site NAME and --dir DIR');
  const siteIndex = config.sites.indexOf(site);
  const parameters = parameterNames(site, siteIndex);
  const pems = await readAndCheck(args.dir);

  const ssm = (
    dependencies.ssm ??
    ((region) => new SSMClient({ ...awsClientDeadlines(), ...(region ? { region } : {}) }))
  )(config.aws?.region);
  const keyId = config.aws?.certificatesKmsKeyArn;
  const results: Stored[] = [];
  try {
    for (const part of CERTIFICATE_KINDS) {
      const { file, what } = CERTIFICATE_FILES[part];
      const name = parameters[part];
      try {
        const output = await ssm.send(
          new PutParameterCommand({
            Name: name,
            Value: pems[part],
            Type: 'SecureString',
            Description: `license-steward ${site.name}: QRS ${what} (${file})`,
            Overwrite: args.overwrite,
            // Standard (free) unless the PEM is over 4 KB, e.g. a certificate chain.
            Tier: 'Intelligent-Tiering',
            ...(keyId ? { KeyId: keyId } : {}),
          }),
        );
        results.push({
          part,
          file,
          parameter: name,
          stored: true,
          ...(output.Version !== undefined ? { version: output.Version } : {}),
          ...(output.Tier ? { tier: output.Tier } : {}),
        });
      } catch (error) {
        // A missing region fails all three the same way before any request: say it once.
        if (/region is missing/i.test((error as Error).message))
          throw regionMissing(error as Error);
        results.push({ part, file, parameter: name, stored: false, error: putError(error, name) });
      }
    }
  } finally {
    ssm.destroy();
  }

  const failed = results.filter((result) => !result.stored);
  io.stdout(
    args.json
      ? `${JSON.stringify({ site: site.name, parameters: results }, null, 2)}\n`
      : renderStored(results),
  );
  for (const result of failed) {
    io.logger.error('certificate parameter not stored', {
      site: site.name,
      parameter: result.parameter,
      error: result.error,
    });
  }
  return failed.length === 0 ? EXIT_OK : EXIT_FAILED;
}

/** One line per parameter: what was stored where, or why not (names only, never PEM text). */
function renderStored(results: readonly Stored[]): string {
  return results
    .map((result) =>
      result.stored
        ? `stored ${result.file} as SecureString ${result.parameter}${result.version !== undefined ? ` (version ${result.version})` : ''}\n`
        : `not stored: ${result.file} → ${result.parameter}: ${result.error}\n`,
    )
    .join('');
}

function regionMissing(error: Error): UsageError {
  const explained = explainAwsError(
    error,
    'certs put is not needed: the CLI reads { file: PATH } certificates itself',
  );
  return new UsageError(`certs put: ${explained.message} (or aws.region in the configuration)`);
}

/** The site's three parameter names; a part configured as a file is a usage error naming its key. */
function parameterNames(site: SiteConfig, index: number): Record<Part, string> {
  const { byKind, notInSsm } = certificateParameters(site.qrs.certificates);
  if (notInSsm.length > 0)
    throw new UsageError(
      notInSsm
        .map(
          (part) =>
            `sites[${index}].qrs.certificates.${part} is { file: ... }: certs put stores into the parameter named by { ssmParameter: NAME }`,
        )
        .join('; '),
    );
  return byKind as Record<Part, string>;
}

/** What `certs put` refuses: a text that is not a usable certificate or key of this pair. */
const REFUSED: ReadonlySet<PemProblemCode> = new Set([
  'not-pem',
  'unreadable',
  'encrypted-key',
  'key-mismatch',
]);

/** Reads the three files and checks them; every problem names the file, never its content. */
async function readAndCheck(dir: string): Promise<Record<Part, string>> {
  const problems: string[] = [];
  const text = {} as Record<Part, string>;
  const where = (part: Part) => path.join(dir, CERTIFICATE_FILES[part].file);
  for (const part of CERTIFICATE_KINDS) {
    try {
      text[part] = await readFile(where(part), 'utf8');
    } catch (error) {
      problems.push(
        `cannot read ${where(part)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  const { problems: found } = inspectPemSet(text, { name: where });
  const refused = found.filter((problem) => REFUSED.has(problem.code));
  if (refused.length > 0)
    throw new UsageError(refused.map((problem) => problem.message).join('; '));
  return text;
}

/** The SDK's error name and message (they carry no parameter values), with advice for the usual ones. */
function putError(error: unknown, name: string): string {
  const { name: code, message } = error as Error;
  if (code === 'ParameterAlreadyExists')
    return `${name} already exists: pass --overwrite to replace it`;
  return `${code}: ${message}`;
}
