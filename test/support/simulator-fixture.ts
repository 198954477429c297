/**
 * The bench most end-to-end tests stand on, registered with one call: test certificates (once per
 * file), the PEM files and a folder for config files beside them, the SSM stand-in answering
 * `GetParameters` with those PEMs for any site, and a fresh QRS simulator on the sample site for
 * each test, closed after it.
 */
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { createSampleSite, type SimSite } from '#test/simulator/site.ts';
import { type ConfigFolder, configFolder, servePems } from './harness.ts';

const ssmStub = () => mockClient(SSMClient);

export interface SimulatorFixture {
  /** The test PKI (CA, server and client certificates, and the wrong ones). */
  readonly pki: TestPki;
  /** The PEM files as an administrator has them, and the config files written beside them. */
  readonly folder: ConfigFolder;
  /** SSM as the Lambda sees it, reset before each test to serve the PEMs. */
  readonly ssm: ReturnType<typeof ssmStub>;
  /** This test's simulator. */
  readonly sim: Simulator;
  /** The sample site this test's simulator serves (generated at the test's start). */
  readonly site: SimSite;
}

export function useSimulatorFixture(): SimulatorFixture {
  const ssm = ssmStub();
  let pki: TestPki | undefined;
  let folder: ConfigFolder | undefined;
  let sim: Simulator | undefined;
  let site: SimSite | undefined;

  beforeAll(async () => {
    pki = await createTestPki();
    folder = configFolder(pki);
  });
  afterAll(() => {
    folder?.remove();
    ssm.restore();
  });
  beforeEach(async () => {
    site = createSampleSite(new Date());
    sim = await startSimulator({ site, pki: ready(pki) });
    ssm.reset();
    ssm.on(GetParametersCommand).callsFake(servePems(ready(pki)));
  });
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  return {
    get pki() {
      return ready(pki);
    },
    get folder() {
      return ready(folder);
    },
    ssm,
    get sim() {
      return ready(sim);
    },
    get site() {
      return ready(site);
    },
  };
}

function ready<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the simulator fixture is only ready inside a test');
  return value;
}
