/**
 * The one SSM Parameter Store reader: SecureString parameters decrypted, up to 10 names per
 * `GetParameters` call, each value kept for `cacheMs` (Lambda: 15 minutes across warm
 * invocations, so a rotated certificate or token is picked up without a deploy). A failed read is
 * not kept: the next run tries again. Values are never logged or put into an error.
 */
import {
  GetParametersCommand,
  type GetParametersCommandOutput,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { awsClientDeadlines } from '#shared/aws-clients.ts';
import { StewardError } from '#shared/errors.ts';

/** An SSM client with the SDK's standard settings (region, endpoint) and the project's deadlines. */
export const newSsmClient = (): SSMClient => new SSMClient(awsClientDeadlines());

/** How long a parameter value is kept in Lambda (certificates and the InfluxDB token alike). */
export const SECRET_CACHE_MS = 15 * 60 * 1000;
const NAMES_PER_CALL = 10;

export class SecretError extends StewardError {
  /** One line per cause, e.g. `InvalidParameter /x` or `AccessDeniedException: …`. */
  readonly reasons: string[];

  constructor(message: string, reasons: string[] = []) {
    super(message);
    this.name = 'SecretError';
    this.reasons = reasons;
  }
}

export interface SsmReaderOptions {
  /** 0 (the default) keeps nothing: every `get` asks SSM. */
  cacheMs?: number;
  now?: () => number;
}

export class SsmReader {
  private readonly client: () => SSMClient;
  private readonly cacheMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { value: string; at: number }>();
  private made: SSMClient | undefined;

  /** @param client made on the first read that needs SSM, then reused. */
  constructor(client: () => SSMClient, options: SsmReaderOptions = {}) {
    this.client = client;
    this.cacheMs = options.cacheMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  /**
   * The values of `names`; a missing one fails the whole read, naming it.
   * @param missingHint what to do about a missing parameter, e.g. "store them with …".
   */
  async get(names: readonly string[], missingHint: string): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    const wanted: string[] = [];
    for (const name of new Set(names)) {
      const kept = this.cache.get(name);
      if (kept && this.now() - kept.at < this.cacheMs) values.set(name, kept.value);
      else wanted.push(name);
    }
    for (let i = 0; i < wanted.length; i += NAMES_PER_CALL) {
      const batch = wanted.slice(i, i + NAMES_PER_CALL);
      for (const [name, value] of await this.fetch(batch, missingHint)) {
        values.set(name, value);
        if (this.cacheMs > 0) this.cache.set(name, { value, at: this.now() });
      }
    }
    return values;
  }

  private async fetch(batch: string[], missingHint: string): Promise<Map<string, string>> {
    this.made ??= this.client();
    let output: GetParametersCommandOutput;
    try {
      output = await this.made.send(
        new GetParametersCommand({ Names: batch, WithDecryption: true }),
      );
    } catch (error) {
      // The SDK's error name and message carry no parameter values.
      const name = (error as Error).name;
      throw new SecretError(
        `cannot read SSM parameters ${batch.join(', ')} (${name}): check that they exist in this account and region, and that the caller may ssm:GetParameters and kms:Decrypt them`,
        [`${name === 'Error' ? '' : `${name}: `}${(error as Error).message}`],
      );
    }
    const missing = output.InvalidParameters ?? [];
    if (missing.length > 0)
      throw new SecretError(
        `SSM parameter(s) not found: ${missing.join(', ')} (${missingHint})`,
        missing.map((name) => `InvalidParameter ${name}`),
      );
    const values = new Map<string, string>();
    for (const parameter of output.Parameters ?? [])
      if (parameter.Name && parameter.Value !== undefined)
        values.set(parameter.Name, parameter.Value);
    return values;
  }
}
