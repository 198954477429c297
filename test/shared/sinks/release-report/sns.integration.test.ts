/**
 * The release report: the message (pure), the SNS sink (aws-sdk-client-mock: no SNS stand-in
 * runs locally), and a real release run against the simulator that reports through it.
 */

import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPORT_TOPIC_ENV } from '#shared/env-names.ts';
import { parsePlan } from '#shared/licensing/release/plan-file.ts';
import { formatReportMessage, shouldReport } from '#shared/licensing/release/report-message.ts';
import type { ReleaseItem, SiteReleaseResult } from '#shared/licensing/release/types.ts';
import { reportSinksFromEnv, snsReportSink } from '#shared/sinks/release-report/sns.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite } from '#test/simulator/site.ts';
import {
  captureProcessOutput,
  deleteCount,
  lambdaConfig,
  REAL_RUN,
  releaseHandler,
  servePems,
  uniqueSiteName,
} from '#test/support/harness.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';

const TOPIC = 'arn:aws:sns:eu-north-1:123456789012:LicenseSteward-ReleaseReport';

const item = (n: number, overrides: Partial<ReleaseItem> = {}): ReleaseItem => ({
  accessTypeId: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
  licenseType: n % 2 === 0 ? 'professional' : 'analyzer',
  userDirectory: 'CORP',
  userId: `user${n}`,
  lastActivity: '2026-01-01T00:00:00.000Z',
  inactiveDays: 100 + n,
  ...overrides,
});

function result(overrides: Partial<SiteReleaseResult> = {}): SiteReleaseResult {
  return {
    site: 'prod',
    dryRun: false,
    evaluatedAt: '2026-11-30T04:00:02.000Z',
    candidates: [],
    kept: [],
    released: [],
    failed: [],
    deferred: [],
    sinkErrors: [],
    ...overrides,
  };
}

describe('shouldReport', () => {
  it.each([
    ['a real run that released', result({ released: [item(1)] }), false, true],
    ['a real run that only failed', result({ failed: [{ ...item(1), error: 'x' }] }), false, true],
    [
      'a real run with nothing to do',
      result({ kept: [{ ...item(1), reason: 'active' }] }),
      false,
      false,
    ],
    ['a dry run, not asked', result({ dryRun: true, candidates: [item(1)] }), false, false],
    ['a dry run, asked', result({ dryRun: true, candidates: [item(1)] }), true, true],
    ['a dry run without candidates, asked', result({ dryRun: true }), true, false],
  ])('%s → %s', (_, run, dryRuns, expected) => {
    expect(shouldReport(run, dryRuns)).toBe(expected);
  });
});

describe('formatReportMessage', () => {
  it('says who lost which license after how many days, what failed and why, and the run id', () => {
    const message = formatReportMessage({
      runId: 'run-2026-11-30-prod',
      result: result({
        released: [item(2), { ...item(3), alreadyGone: true }],
        failed: [{ ...item(4), error: 'QRS answered 500\nInternal error' }],
        deferred: [item(5)],
        kept: [{ ...item(6), reason: 'active' }],
        sinkErrors: ['timestream: AccessDenied'],
      }),
    });

    expect(message.subject).toBe('license-steward prod: released 2, FAILED 1, deferred 1');
    expect(message.body).toBe(
      [
        'Site:      prod',
        'Run:       run-2026-11-30-prod',
        'Evaluated: 2026-11-30T04:00:02.000Z',
        'Mode:      releasing',
        '',
        'Released: 2',
        '  professional  CORP\\user2  inactive 102 days',
        '  analyzer      CORP\\user3  inactive 103 days (already gone)',
        '',
        '(1 of them were already released by someone else)',
        '',
        'FAILED: 1',
        '  professional  CORP\\user4  inactive 104 days: QRS answered 500 Internal error',
        '',
        'Deferred to the next run (time ran out): 1',
        '  analyzer      CORP\\user5  inactive 105 days',
        '',
        'Kept: 1',
        'Not recorded in timestream: AccessDenied',
        '',
        'Each release is in the license-release log under this run id.',
        '',
      ].join('\n'),
    );
  });

  it('carries the run’s warnings whole (rules that match nothing, a user table not trusted)', () => {
    const warning =
      'neverRelease.tag "Keep" matches nothing in QRS (QRS has no tag of this name): it protects nobody. Check the spelling, or set licenseRelease.allowUnmatchedRules: true if it is meant to match nobody yet';
    const message = formatReportMessage({
      runId: 'run-1',
      result: result({ released: [item(2)], warnings: [warning] }),
    });

    expect(message.body).toContain(`Warning: ${warning}\nKept: 0`);
  });

  it('cuts long lists with a count of the rest and keeps the subject within SNS limits', () => {
    const many = Array.from({ length: 60 }, (_, n) => item(n));
    const message = formatReportMessage(
      { runId: 'r', result: result({ site: 'x'.repeat(40), released: many }) },
      10,
    );

    const listed = message.body.split('\n').filter((line) => line.includes('inactive'));
    expect(listed).toHaveLength(10);
    expect(message.body).toContain('Released: 60\n');
    expect(message.body).toContain('  ... and 50 more (see the log)\n');
    expect(message.subject.length).toBeLessThanOrEqual(100);
    expect(message.subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('marks a dry run and lists what it would release', () => {
    const message = formatReportMessage({
      runId: 'r',
      result: result({
        dryRun: true,
        candidates: [item(1, { userDirectory: null, userId: null, inactiveDays: null })],
      }),
    });

    expect(message.subject).toBe('license-steward prod: dry run, would release 1');
    expect(message.body).toContain('Mode:      dry run (nothing was released)');
    expect(message.body).toContain('Would release: 1\n  analyzer      (no user)  no usable date\n');
  });
});

const sns = mockClient(SNSClient);
afterAll(() => sns.restore());

describe('the SNS report sink', () => {
  afterEach(() => sns.reset());

  const run = (overrides: Partial<SiteReleaseResult>) => ({
    runId: 'r1',
    licenseTypes: ['professional' as const, 'analyzer' as const],
    events: [],
    result: result(overrides),
  });

  it('publishes one message to the topic for a run that released', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm1' });
    const sink = snsReportSink({
      client: () => new SNSClient({ region: 'eu-north-1' }),
      topicArn: TOPIC,
      reportDryRuns: () => false,
    });

    await sink.write(run({ released: [item(2)] }));

    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      TopicArn: TOPIC,
      Subject: 'license-steward prod: released 1',
      Message: expect.stringContaining('CORP\\user2  inactive 102 days'),
    });
  });

  it('sends nothing for a dry run unless the site asks, and nothing without a topic', async () => {
    sns.on(PublishCommand).resolves({});
    const sites = [
      { name: 'prod', licenseRelease: { report: { dryRuns: false } } },
      { name: 'lab', licenseRelease: { report: { dryRuns: true } } },
    ];
    const client = () => new SNSClient({ region: 'eu-north-1' });
    const [sink] = reportSinksFromEnv(sites, { [REPORT_TOPIC_ENV]: TOPIC }, client);

    await sink?.write(run({ dryRun: true, candidates: [item(1)] }));
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    await sink?.write(run({ site: 'lab', dryRun: true, candidates: [item(1)] }));
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(reportSinksFromEnv(sites, {}, client)).toEqual([]);
  });

  it('lets a failed publish reach the run as a sink error', async () => {
    sns.on(PublishCommand).rejects(new Error('AuthorizationError: not allowed'));
    const sink = snsReportSink({
      client: () => new SNSClient({ region: 'eu-north-1' }),
      topicArn: TOPIC,
      reportDryRuns: () => false,
    });

    await expect(sink.write(run({ released: [item(2)] }))).rejects.toThrow(/not allowed/);
  });
});

describe('a real release run reports through the sink', () => {
  const ssm = mockClient(SSMClient);
  let pki: TestPki;
  let sim: Simulator;

  beforeAll(async () => {
    pki = await createTestPki();
  });
  afterAll(() => ssm.restore());
  beforeEach(async () => {
    sim = await startSimulator({ site: createSampleSite(new Date()), pki });
    ssm.reset();
    ssm.on(GetParametersCommand).callsFake(servePems(pki));
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm1' });
  });
  afterEach(() => sim.close());

  it('sends one message naming every released allocation, with the run id', async () => {
    captureProcessOutput();
    const name = uniqueSiteName('report');
    const config = lambdaConfig([{ name, port: sim.port, licenseRelease: REAL_RUN }]);
    const handler = releaseHandler({
      config,
      sinks: reportSinksFromEnv(
        config.sites,
        { [REPORT_TOPIC_ENV]: TOPIC },
        () => new SNSClient({ region: 'eu-north-1' }),
      ),
    });

    const summary = await handler({ site: name }, lambdaContext());

    expect(summary).toMatchObject({ status: 'ok' });
    const released = (summary as { released: number }).released;
    expect(released).toBeGreaterThan(0);
    expect(deleteCount(sim)).toBe(released);
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.Subject).toBe(`license-steward ${name}: released ${released}`);
    expect(input?.Message).toContain(`Run:       ${(summary as { runId: string }).runId}`);
    expect(input?.Message).toContain(`Released: ${released}\n`);
  });

  it('sends nothing for a dry run', async () => {
    captureProcessOutput();
    const name = uniqueSiteName('report-dry');
    const config = lambdaConfig([
      { name, port: sim.port, licenseRelease: { enable: true, dryRun: true } },
    ]);
    const handler = releaseHandler({
      config,
      sinks: reportSinksFromEnv(
        config.sites,
        { [REPORT_TOPIC_ENV]: TOPIC },
        () => new SNSClient({ region: 'eu-north-1' }),
      ),
    });

    await handler({ site: name }, lambdaContext());

    expect(deleteCount(sim)).toBe(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('review mode: the dry run is reported with the whole plan, which release --plan reads', async () => {
    captureProcessOutput();
    const name = uniqueSiteName('report-review');
    const config = lambdaConfig([
      { name, port: sim.port, licenseRelease: { enable: true, dryRun: false, mode: 'review' } },
    ]);
    const handler = releaseHandler({
      config,
      sinks: reportSinksFromEnv(
        config.sites,
        { [REPORT_TOPIC_ENV]: TOPIC },
        () => new SNSClient({ region: 'eu-north-1' }),
      ),
    });

    const summary = (await handler({ site: name }, lambdaContext())) as { candidates: number };

    expect(deleteCount(sim)).toBe(0);
    const message = sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
    expect(message).toContain('Mode:      review (a plan: nothing was released)');
    expect(message).toContain(`release --config FILE --site ${name} --plan plan.json`);
    const planText = /--- plan\.json ---\n([\s\S]+)\n--- end of plan\.json ---/.exec(message)?.[1];
    const [planned] = parsePlan(planText ?? '', 'the report');
    expect(planned?.site).toBe(name);
    expect(planned?.candidates).toHaveLength(summary.candidates);
    expect(summary.candidates).toBeGreaterThan(0);
  });
});
