/**
 * "The same name" in protection rules (docs/release.md, "Matching"): a rule protects whatever QRS
 * spells the same after NFKC, case folding and removing invisible characters. Through the CLI,
 * against the simulator over mutual TLS, with a real release (dryRun: false).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sameName } from '#shared/licensing/release/rules.ts';
import { nameKey, nameSurprises } from '#shared/same-name.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { addAllocation, addUser, createSampleSite } from '#test/simulator/site.ts';
import {
  type ConfigFolder,
  cli,
  cliSite,
  configFolder,
  jsonLines,
  releaseOf,
} from '#test/support/harness.ts';
import { DAY_MS } from '#test/support/time.ts';

const messages = (stderr: string) => jsonLines(stderr).map((line) => String(line.message));
const NFD_JOSE = 'Jose\u0301';
let pki: TestPki;
let folder: ConfigFolder;
let sim: Simulator;

beforeAll(async () => {
  pki = await createTestPki();
  folder = configFolder(pki);
});
afterAll(() => folder.remove());
afterEach(() => sim.close());

beforeEach(async () => {
  const site = createSampleSite(new Date());
  const longAgo = new Date(Date.now() - 200 * DAY_MS).toISOString();
  const people = [
    { userId: NFD_JOSE, userDirectory: 'LAB' },
    { userId: 'ext1', userDirectory: 'EXT' },
    { userId: 'tagged', userDirectory: 'LAB', tags: ['Keep me'] },
    {
      userId: 'propertied',
      userDirectory: 'LAB',
      customProperties: [{ name: 'License', value: 'keep' }],
    },
  ];
  for (const person of people) {
    const user = addUser(site, { ...person, name: person.userId });
    addAllocation(site, { licenseType: 'professional', userRef: user.id, lastUsed: longAgo });
  }
  sim = await startSimulator({ site, pki });
});

describe('protection rules match look-alike spellings', () => {
  it('NFC vs NFD, full-width letters, no-break and zero-width spaces: all protected, none released', async () => {
    const config = folder.write({
      sites: [
        cliSite({
          port: sim.port,
          licenseRelease: {
            dryRun: false,
            neverRelease: {
              user: [{ userDir: 'lab', userId: 'José'.normalize('NFC') }],
              userDirectory: ['ＥＸＴ'],
              tag: ['keep\u00a0ME'],
              customProperty: [{ name: 'Li\u200bcense', value: 'KEEP' }],
            },
          },
        }),
      ],
    });

    const run = await cli(['release', '--config', config, '--json']);

    const site = releaseOf(run);
    const releasedUsers = site.released.map((item) => item.userId);
    for (const userId of [NFD_JOSE, 'ext1', 'tagged', 'propertied'])
      expect(releasedUsers).not.toContain(userId);
    const reasonOf = (userId: string) => site.kept.find((item) => item.userId === userId)?.reason;
    expect(reasonOf(NFD_JOSE)).toBe('protected:user');
    expect(reasonOf('ext1')).toBe('protected:userDirectory');
    expect(reasonOf('tagged')).toBe('protected:tag');
    expect(reasonOf('propertied')).toBe('protected:customProperty');
    // The invisible character in a rule is named when the configuration is loaded.
    expect(messages(run.stderr)).toContainEqual(
      expect.stringMatching(
        /customProperty\[0\]\.name ".*" holds invisible characters \(U\+200B\)/,
      ),
    );
  });

  it('warns at load about a rule that mixes scripts (a Cyrillic а in a Latin word)', async () => {
    const config = folder.write({
      sites: [
        cliSite({
          port: sim.port,
          licenseRelease: { neverRelease: { tag: ['d\u0430ta'] } },
        }),
      ],
    });

    const run = await cli(['release', '--config', config, '--dry-run', '--json']);

    expect(messages(run.stderr)).toContainEqual(
      expect.stringMatching(/tag\[0\] ".*" mixes letters of several scripts \(Latin, Cyrillic\)/),
    );
  });
});

describe('sameName', () => {
  it.each([
    ['José', NFD_JOSE],
    ['ＬＡＢ', 'lab'],
    ['Straße', 'STRASSE'],
    ['do\u00a0not  release', 'Do not release'],
    ['zero\u200bwidth\ufeff', 'ZeroWidth'],
    [' padded ', 'padded'],
  ])('%j is the same name as %j', (a, b) => {
    expect(sameName(a, b)).toBe(true);
  });

  it.each([
    ['d\u0430ta', 'data'],
    ['anna', 'anne'],
    ['a b', 'ab'],
  ])('%j is not the same name as %j', (a, b) => {
    expect(sameName(a, b)).toBe(false);
  });

  it('a plain name has no surprises; the key of a plain ASCII name is its lower case', () => {
    expect(nameSurprises('License do not release')).toEqual([]);
    expect(nameKey('INTERNAL')).toBe('internal');
  });
});
