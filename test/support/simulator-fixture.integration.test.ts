/**
 * The simulator fixture keeps its promises: every test gets a simulator of its own (nothing one
 * test did is seen by the next), and the SSM stand-in serves the test PKI for any site.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { PEM_FILES, rawGet } from './harness.ts';
import { useSimulatorFixture } from './simulator-fixture.ts';

const fixture = useSimulatorFixture();

describe('useSimulatorFixture', () => {
  let firstPort: number | undefined;

  it('serves the first test from a simulator of its own', async () => {
    await rawGet(fixture.sim, '/qrs/license/accesstypeoverview');

    expect(fixture.sim.requestCount()).toBe(1);
    firstPort = fixture.sim.port;
  });

  it('starts the next test on a new simulator that saw no request', () => {
    expect(firstPort).toBeDefined();
    expect(fixture.sim.port).not.toBe(firstPort);
    expect(fixture.sim.requestCount()).toBe(0);
  });

  it('answers GetParameters with the PEMs of any site, the same as the files in the folder', async () => {
    const names = ['client-cert', 'client-key', 'root-ca'].map(
      (part) => `/license-steward/any/${part}`,
    );

    const answer = await new SSMClient({ region: 'eu-north-1' }).send(
      new GetParametersCommand({ Names: names, WithDecryption: true }),
    );

    const pem = (file: string) => readFileSync(path.join(fixture.folder.dir, file), 'utf8');
    expect(answer.Parameters?.map((parameter) => parameter.Value)).toEqual([
      pem(PEM_FILES.cert),
      pem(PEM_FILES.key),
      pem(PEM_FILES.ca),
    ]);
    expect(fixture.ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
  });
});
