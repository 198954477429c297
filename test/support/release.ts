/** Builders for release tests: allocations and user records as the QRS client returns them. */
import { randomUUID } from 'node:crypto';
import { type LicenseReleaseConfig, siteSchema } from '#shared/config/schema.ts';
import type { LogExtra, RunLogger } from '#shared/observability/logger.ts';
import type { Allocation, LicenseType } from '#shared/qrs/allocation.ts';
import type { QrsUser } from '#shared/qrs/schemas.ts';
import { DAY_MS } from './time.ts';

export const NOW = new Date('2025-03-15T12:00:00.000Z');

export const ago = (ms: number, now: Date = NOW): string =>
  new Date(now.getTime() - ms).toISOString();
export const daysAgo = (days: number, now: Date = NOW): string => ago(days * DAY_MS, now);

/** `licenseRelease` exactly as the config schema produces it (defaults, null lists normalised). */
export function releaseConfig(block: Record<string, unknown> = {}): LicenseReleaseConfig {
  const site = siteSchema.parse({
    name: 'test',
    qrs: {
      host: 'localhost',
      certificates: {
        cert: { file: 'client.pem' },
        key: { file: 'client_key.pem' },
        ca: { file: 'root.pem' },
      },
    },
    licenseRelease: { dryRun: false, ...block },
  });
  if (!site.licenseRelease) throw new Error('no licenseRelease block');
  return site.licenseRelease;
}

export interface TestUser {
  record: QrsUser;
  allocationUser: NonNullable<Allocation['user']>;
}

export function testUser(
  overrides: Partial<QrsUser> & { userId?: string; userDirectory?: string } = {},
): TestUser {
  const record: QrsUser = {
    id: randomUUID(),
    userId: 'someone',
    userDirectory: 'LAB',
    name: 'Someone',
    inactive: false,
    blacklisted: false,
    removedExternally: false,
    tags: [],
    customProperties: [],
    ...overrides,
  };
  return {
    record,
    allocationUser: {
      id: record.id,
      userId: record.userId,
      userDirectory: record.userDirectory,
      name: record.name ?? null,
    },
  };
}

export function testAllocation(
  overrides: Partial<Allocation> & { licenseType?: LicenseType } = {},
): Allocation {
  return {
    id: randomUUID(),
    licenseType: 'professional',
    createdDate: daysAgo(500),
    lastUsed: daysAgo(100),
    quarantined: false,
    user: testUser().allocationUser,
    deletedUser: null,
    problems: {},
    ...overrides,
  };
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  extra: Record<string, unknown>;
}

/** A RunLogger that keeps its lines, to check the audit trail. */
export function memoryLogger(): RunLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (message: string, extra?: LogExtra): void => {
      lines.push({
        level,
        message,
        extra: extra instanceof Error ? { error: extra.message } : (extra ?? {}),
      });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
