/**
 * The version moves with releases (CONTRIBUTING.md, "Cut a release"): package.json names the
 * newest release of CHANGELOG.md, and the changelog keeps an Unreleased section above it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const changelog = readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
};
const headings = [...changelog.matchAll(/^## (.+)$/gm)].map((match) => match[1] as string);

describe('the version and the changelog', () => {
  it('starts with an Unreleased section', () => {
    expect(headings[0]).toBe('Unreleased');
  });

  it('names the package version as its newest release, with a date', () => {
    const releases = headings.filter((heading) => heading !== 'Unreleased');
    expect(releases[0]).toMatch(/^\d+\.\d+\.\d+ - \d{4}-\d{2}-\d{2}$/);
    expect(releases[0]?.split(' - ')[0]).toBe(version);
  });

  it('lists each release once', () => {
    expect(new Set(headings).size).toBe(headings.length);
  });
});
