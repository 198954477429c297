/**
 * The layer rule of docs/architecture.md, checked on every source file: who may import whom, and
 * no file in shared/, functions/ or infra/ over 400 lines. Reads the import specifiers of each
 * file (static imports, re-exports and dynamic `import()`), resolves `#shared/…` and relative
 * paths, and names every import that breaks the rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAX_LINES = 400;

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|mts)$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => path.join(folder, file));
}

/** Every module a file imports, as a path from the repository root (packages as written). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const specifiers = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g),
    ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g),
  ].map((match) => match[1] as string);
  return specifiers.map((specifier) => {
    if (specifier.startsWith('#shared/')) return `shared/${specifier.slice('#shared/'.length)}`;
    if (specifier.startsWith('#functions/'))
      return `functions/${specifier.slice('#functions/'.length)}`;
    if (specifier.startsWith('#test/')) return `test/${specifier.slice('#test/'.length)}`;
    if (specifier.startsWith('.'))
      return path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), specifier));
    return specifier;
  });
}

/** The `shared/` folder (layer) of a path, e.g. `shared/qrs`; `shared/names.ts` is its own leaf. */
function layerOf(target: string): string | undefined {
  const parts = target.split('/');
  if (parts[0] !== 'shared') return parts[0];
  return parts.length > 2 ? `shared/${parts[1]}` : target;
}

/** For each layer, the layers it must not import (docs/architecture.md, "Who may import whom"). */
const FORBIDDEN: Record<string, readonly string[]> = {
  'shared/names.ts': ['shared/*'],
  'shared/env-names.ts': ['shared/*'],
  'shared/errors.ts': ['shared/*'],
  'shared/certificates': ['shared/*'],
  'shared/aws-clients.ts': ['shared/*'],
  'shared/http': ['shared/*'],
  'shared/same-name.ts': ['shared/*'],
  'shared/time-zone.ts': ['shared/*'],
  'shared/qrs': ['shared/*'],
  'shared/observability': ['shared/*'],
  'shared/config': ['shared/sinks', 'shared/licensing', 'shared/lambda', 'shared/secrets'],
  'shared/secrets': ['shared/sinks', 'shared/licensing', 'shared/lambda'],
  'shared/butler': ['shared/sinks', 'shared/licensing', 'shared/lambda', 'shared/secrets'],
  'shared/licensing': ['shared/sinks', 'shared/lambda'],
  'shared/sinks': ['shared/lambda'],
  'shared/doctor': ['shared/sinks', 'shared/lambda'],
  shared: ['functions', 'infra', 'test'],
  functions: ['infra', 'test'],
  infra: ['test', 'functions'],
};

/** `shared/qrs` may not import other shared layers, except these leaves. */
const ALLOWED_EXCEPTIONS: Record<string, readonly string[]> = {
  'shared/qrs': ['shared/http', 'shared/names.ts', 'shared/certificates', 'shared/errors.ts'],
};

/**
 * What `infra/` may import from `shared/`: the configuration and the name leaves. Nothing that
 * runs in Lambda (SDK clients, Powertools, sinks), so synth never loads the functions' code.
 */
const INFRA_MAY_IMPORT: readonly string[] = [
  'shared/config',
  'shared/certificates',
  'shared/errors.ts',
  'shared/names.ts',
  'shared/env-names.ts',
];

function infraBreaches(file: string): string[] {
  return importsOf(file).flatMap((target) => {
    const layer = layerOf(target);
    if (!layer?.startsWith('shared') || INFRA_MAY_IMPORT.includes(layer)) return [];
    return [`${file} imports ${target} (infra/ may import only ${INFRA_MAY_IMPORT.join(', ')})`];
  });
}

function breaches(file: string): string[] {
  const own = layerOf(file) as string;
  const rules = [
    ...(FORBIDDEN[own] ?? []),
    ...(own.startsWith('shared') ? (FORBIDDEN.shared ?? []) : []),
  ];
  return importsOf(file)
    .flatMap((target) => {
      const layer = layerOf(target);
      if (!layer || layer === own) return [];
      if (ALLOWED_EXCEPTIONS[own]?.includes(layer)) return [];
      const hit = rules.some((rule) =>
        rule === 'shared/*' ? layer.startsWith('shared/') : layer === rule,
      );
      return hit ? [`${file} imports ${target}`] : [];
    })
    .concat(own === 'infra' ? infraBreaches(file) : []);
}

const FILES = ['shared', 'functions', 'infra'].flatMap(sourceFiles);

describe('the layer rule (docs/architecture.md)', () => {
  it('finds the source files it checks', () => {
    expect(FILES.length).toBeGreaterThan(50);
    expect(FILES).toContain(path.join('shared', 'qrs', 'client.ts'));
  });

  it('reads imports the way the rule needs (a self-check on known files)', () => {
    expect(importsOf(path.join('shared', 'licensing', 'monitor', 'monitor-site.ts'))).toContain(
      'shared/licensing/sinks.ts',
    );
    expect(breaches(path.join('shared', 'sinks', 'from-config.ts'))).toEqual([]);
    expect(layerOf('shared/qrs/client.ts')).toBe('shared/qrs');
    expect(layerOf('shared/names.ts')).toBe('shared/names.ts');
    expect(breaches(path.join('infra', 'app.ts'))).toEqual([]);
    expect(infraBreaches(path.join('shared', 'licensing', 'monitor', 'monitor-site.ts'))).toEqual(
      expect.arrayContaining([expect.stringContaining('shared/licensing/sinks.ts')]),
    );
  });

  it('every import follows the rule', () => {
    expect(FILES.flatMap(breaches)).toEqual([]);
  });

  it(`no source file in shared/, functions/ or infra/ has more than ${MAX_LINES} lines`, () => {
    const long = FILES.flatMap((file) => {
      const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n').length - 1;
      return lines > MAX_LINES ? [`${file}: ${lines} lines`] : [];
    });
    expect(long).toEqual([]);
  });
});
