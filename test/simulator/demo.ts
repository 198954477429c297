/**
 * `npm start`: the product on the built-in default. Starts the QRS simulator with the sample site
 * (real HTTPS, mutual TLS, certificates made for this run), writes a configuration for it, and
 * runs the CLI's monitor and a dry-run release against it through the real QRS client.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '#functions/cli/main.ts';
import { startSimulator } from './server.ts';
import { createSampleSite } from './site.ts';

/** The configuration an administrator would write for this site (see README "Configure"). */
export function demoConfig(port: number): string {
  return `# Written by npm start for the QRS simulator; certificates are relative to this file.
sites:
  - name: sample
    timezone: Europe/Stockholm
    qrs:
      host: localhost
      port: ${port}
      user: { directory: INTERNAL, id: sa_api }
      certificates:
        cert: { file: client.pem }
        key: { file: client_key.pem }
        ca: { file: root.pem }
    licenseMonitor:
      enable: true
      schedule: rate(15 minutes)
    licenseRelease:
      enable: true
      schedule: cron(0 4 * * ? *)
      maxReleasesPerRun: 50
      dryRun: true
      neverRelease:
        user: [ { userDir: INTERNAL, userId: sa_repository } ]
        tag: [ License do not release ]
        customProperty: [ { name: LicenseManage, value: do-not-release } ]
        userDirectory: [ ADMIN ]
        inactive: Ignore
        blocked: Yes
        removedExternally: Ignore
      licenseType:
        analyzer: { enable: true, releaseThresholdDays: 30 }
        professional: { enable: true, releaseThresholdDays: 60 }
    alarms:
      availableBelow: { professional: 6, analyzer: 5 }
      expiryWithinDays: 60
`;
}

async function main(extraArgs: string[]): Promise<number> {
  const simulator = await startSimulator({ site: createSampleSite() });
  const folder = mkdtempSync(path.join(tmpdir(), 'license-steward-demo-'));
  try {
    writeFileSync(path.join(folder, 'client.pem'), simulator.pki.client.cert);
    writeFileSync(path.join(folder, 'client_key.pem'), simulator.pki.client.key, { mode: 0o600 });
    writeFileSync(path.join(folder, 'root.pem'), simulator.pki.ca);
    const configFile = path.join(folder, 'license-steward.yaml');
    writeFileSync(configFile, demoConfig(simulator.port));
    const say = (text: string) => {
      if (!extraArgs.includes('--json')) process.stdout.write(text);
    };

    say(`QRS simulator (sample site) at https://localhost:${simulator.port}/qrs, mutual TLS\n`);
    say(`Configuration: ${configFile}\n\n$ license-steward monitor --config ${configFile}\n`);
    const monitor = await runCli(['monitor', '--config', configFile, ...extraArgs]);
    say(`\n$ license-steward release --config ${configFile} --dry-run\n`);
    const release = await runCli(['release', '--config', configFile, '--dry-run', ...extraArgs]);
    say(
      `\nQRS requests: ${simulator.requestCount()} (no DELETE: ${simulator.requestCount('DELETE /qrs/license/professionalaccesstype/{id}') + simulator.requestCount('DELETE /qrs/license/analyzeraccesstype/{id}') === 0})\n`,
    );
    return Math.max(monitor, release);
  } finally {
    await simulator.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
