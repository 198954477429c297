/**
 * Every `neverRelease` rule held against QRS (issue "An admin's first hour": a typo in a rule
 * silently removes the protection). The filters against the simulator's filter language, then
 * whole runs against the sample site over mutual TLS: a dry run warns naming each rule, a real
 * release refuses before any DELETE, `allowUnmatchedRules: true` lets it run with the warnings.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UnmatchedRulesError } from '#shared/licensing/release/rule-check.ts';
import { ruleFilter } from '#shared/licensing/release/rule-counts.ts';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { parseFilter } from '#test/simulator/filter.ts';
import { type Simulator, startSimulator, userFull } from '#test/simulator/server.ts';
import { addUser, createSampleSite, emptySite } from '#test/simulator/site.ts';
import { memoryLogger, releaseConfig } from '#test/support/release.ts';

const COUNT = 'GET /qrs/user/count';

const GOOD_RULES = {
  user: [{ userDir: 'INTERNAL', userId: 'sa_repository' }],
  userDirectory: ['ADMIN'],
  tag: ['License do not release'],
  customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }],
};

const TYPOS = {
  user: [
    { userDir: 'INTERNAL', userId: 'sa_repositry' },
    { userDir: 'INTERNAL', userId: 'sa_repository' },
  ],
  userDirectory: ['INTERNL', 'ADMIN'],
  tag: ['License do not relase'],
  customProperty: [
    { name: 'LicenseManage', value: 'do-not-relase' },
    { name: 'LicenceManage', value: 'do-not-release' },
  ],
};

describe('the rule filters in the QRS filter language (test/simulator/filter.ts)', () => {
  const site = emptySite('filters', new Date());
  const ann = addUser(site, {
    userId: 'ann',
    userDirectory: 'LAB',
    tags: ["O'Brien's list", 'License do not release'],
    customProperties: [{ name: 'LicenseManage', value: 'do-not-release' }],
  });
  const bo = addUser(site, {
    userId: 'bo',
    userDirectory: 'CORP',
    customProperties: [
      { name: 'LicenseManage', value: 'manage' },
      { name: 'Department', value: 'do-not-release' },
    ],
  });
  const users = [ann, bo].map(userFull);
  const matching = (filter: string) => users.filter(parseFilter(filter)).map((user) => user.userId);

  it('tag: any of the user’s tags, ignoring case, a quote in the name doubled', () => {
    expect(matching(ruleFilter.usersWithTag('license DO NOT release'))).toEqual(['ann']);
    expect(matching(ruleFilter.usersWithTag("o'brien's LIST"))).toEqual(['ann']);
    expect(matching(ruleFilter.usersWithTag('Finance'))).toEqual([]);
  });

  it('customProperty: each half holds for any of the user’s properties (so the table is counted alike)', () => {
    const rule = { name: 'licensemanage', value: 'DO-NOT-RELEASE' };
    // bo has the name on one property and the value on another: QRS counts bo too.
    expect(matching(ruleFilter.usersWithProperty(rule))).toEqual(['ann', 'bo']);
  });

  it('user: directory and id together, several rules in one filter', () => {
    const rules = [
      { userDir: 'lab', userId: 'ANN' },
      { userDir: 'LAB', userId: 'bo' },
    ];
    expect(matching(ruleFilter.usersOf(rules))).toEqual(['ann']);
    expect(matching(ruleFilter.usersInDirectory('corp'))).toEqual(['bo']);
  });
});

let pki: TestPki;
const opened: Array<{ sim: Simulator; qrs: QrsClient }> = [];
beforeAll(async () => {
  pki = await createTestPki();
});
afterEach(async () => {
  for (const { sim, qrs } of opened.splice(0)) {
    qrs.close();
    await sim.close();
  }
});

async function open() {
  const sim = await startSimulator({ site: createSampleSite(new Date()), pki });
  const qrs = new QrsClient({
    host: 'localhost',
    port: sim.port,
    tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca },
  });
  opened.push({ sim, qrs });
  return { sim, qrs };
}

function release(
  qrs: QrsClient,
  neverRelease: Record<string, unknown>,
  options: { dryRun: boolean; allowUnmatchedRules?: boolean },
) {
  return runSiteRelease({
    site: 'sample',
    release: releaseConfig({
      neverRelease,
      ...(options.allowUnmatchedRules ? { allowUnmatchedRules: true } : {}),
    }),
    dryRun: options.dryRun,
    runId: 'run-1',
    qrs,
    logger: memoryLogger(),
  });
}

describe('neverRelease rules that match nothing in QRS', () => {
  it('rules that name what QRS has: no warning, in a few counts', async () => {
    const { sim, qrs } = await open();

    const result = await release(qrs, GOOD_RULES, { dryRun: true });

    expect(result.warnings).toBeUndefined();
    // user (1), userDirectory (1), tag users (1): each found in use; the custom property is
    // judged on its definition (1), whatever a user count says.
    expect(sim.requestCount(COUNT)).toBe(3);
    expect(sim.requestCount('GET /qrs/tag')).toBe(0);
    expect(sim.requestCount('GET /qrs/custompropertydefinition/full')).toBe(1);
  });

  it('a dry run warns naming each rule that matches nothing, and only those', async () => {
    const { qrs } = await open();

    const result = await release(qrs, TYPOS, { dryRun: true });

    const warnings = result.warnings ?? [];
    expect(warnings).toHaveLength(5);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^neverRelease\.user INTERNAL\\sa_repositry matches nothing in QRS \(QRS has no such user\)/,
        ),
        expect.stringMatching(
          /^neverRelease\.userDirectory "INTERNL" matches nothing .*no user in QRS has this user directory/,
        ),
        expect.stringMatching(
          /^neverRelease\.tag "License do not relase" matches nothing .*QRS has no tag of this name/,
        ),
        expect.stringMatching(
          /customProperty LicenseManage=do-not-relase .*"do-not-relase" is not one of its choices \(do-not-release\)/,
        ),
        expect.stringMatching(
          /customProperty LicenceManage=do-not-release .*QRS has no custom property of this name/,
        ),
      ]),
    );
    expect(warnings.join('\n')).not.toMatch(/sa_repository |"ADMIN"/);
    expect(result.candidates.length).toBeGreaterThan(0);
  });

  it('a real release refuses before reading the plan, and sends no DELETE', async () => {
    const { sim, qrs } = await open();

    const run = release(qrs, TYPOS, { dryRun: false });

    await expect(run).rejects.toBeInstanceOf(UnmatchedRulesError);
    await expect(run).rejects.toThrow(
      /^release refused: 5 protection rules match nothing in QRS, so they protect nobody: .*sa_repositry.*allowUnmatchedRules: true/,
    );
    expect(sim.methodCounters.get('DELETE')).toBeUndefined();
    expect(sim.requestCount('GET /qrs/license/professionalaccesstype/full')).toBe(0);
  });

  it('with allowUnmatchedRules: true a real release runs, the rules reported as warnings', async () => {
    const { sim, qrs } = await open();

    const result = await release(qrs, TYPOS, { dryRun: false, allowUnmatchedRules: true });

    expect(result.warnings).toHaveLength(5);
    expect(result.released.length).toBeGreaterThan(0);
    expect(sim.methodCounters.get('DELETE')?.requests).toBe(result.released.length);
  });

  it('a look-alike spelling QRS’s filter cannot find is unconfirmed: a warning, not a refusal', async () => {
    const { sim, qrs } = await open();

    const result = await release(
      qrs,
      // Full-width ADMIN and a no-break space: the same names to the rules, not to QRS's filter.
      { userDirectory: ['ＡＤＭＩＮ'], tag: ['License\u00a0do not release'] },
      { dryRun: false },
    );

    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^neverRelease\.userDirectory "ＡＤＭＩＮ" could not be confirmed in QRS/,
      ),
    ]);
    // The tag is found among QRS's tags by the rules' own comparison: no warning for it.
    expect(sim.requestCount('GET /qrs/tag')).toBe(1);
    expect(result.kept.find((item) => item.userId === 'admin1')?.reason).toBe(
      'protected:userDirectory',
    );
    expect(result.released.length).toBeGreaterThan(0);
  });

  it('a mistyped choice is found even when a user has the name on one property and the value on another', async () => {
    const { sim, qrs } = await open();
    sim.site.propertyDefinitions = [
      { name: 'LicenseManage', choiceValues: ['do-not-release', 'manage'] },
      { name: 'Department', choiceValues: ['Sales', 'keep'] },
    ];
    // QRS's count filter holds for this user (each half on a different property), so a count
    // alone would call the mistyped rule "in use" although it protects nobody.
    addUser(sim.site, {
      userId: 'mixed',
      userDirectory: 'CORP',
      customProperties: [
        { name: 'LicenseManage', value: 'manage' },
        { name: 'Department', value: 'keep' },
      ],
    });

    const run = release(
      qrs,
      { customProperty: [{ name: 'LicenseManage', value: 'keep' }] },
      {
        dryRun: false,
      },
    );

    await expect(run).rejects.toThrow(/LicenseManage=keep: "keep" is not one of its choices/);
    expect(sim.methodCounters.get('DELETE')).toBeUndefined();
  });

  it('a tag nobody has yet, a free-text property and a choice nobody has are rules QRS knows', async () => {
    const { sim, qrs } = await open();
    sim.site.extraTags = ['Keep for audit'];
    sim.site.propertyDefinitions = [
      { name: 'Note', choiceValues: [] },
      { name: 'LicenseManage', choiceValues: ['do-not-release', 'keep-until-june'] },
      { name: 'AppOnly', choiceValues: ['x'], objectTypes: ['App'] },
    ];

    const result = await release(
      qrs,
      {
        tag: ['keep FOR audit'],
        customProperty: [
          { name: 'Note', value: 'anything' },
          { name: 'LicenseManage', value: 'Keep-Until-June' },
          { name: 'AppOnly', value: 'x' },
        ],
      },
      { dryRun: true },
    );

    expect(result.warnings).toEqual([
      expect.stringMatching(/customProperty AppOnly=x .*not for users \(it applies to App\)/),
    ]);
  });
});
