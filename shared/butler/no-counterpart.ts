/**
 * Butler features that are switched on and have no counterpart in license-steward, for the
 * summary: license-steward does license monitoring and release only, and alerts through
 * CloudWatch alarms when deployed.
 */
import type { Butler } from './butler-schema.ts';
import type { Draft } from './draft.ts';

const FEATURES: Array<{ path: string[]; what: string }> = [
  {
    path: ['qlikSenseLicense', 'serverLicenseMonitor', 'destination', 'mqtt'],
    what: 'license data and expiry alerts to MQTT: when deployed, the expiry alarm e-mails aws.alarms.emails (docs/deploy.md)',
  },
  {
    path: ['qlikSenseLicense', 'serverLicenseMonitor', 'destination', 'webhook'],
    what: 'license data and expiry alerts to webhooks: when deployed, the expiry alarm e-mails aws.alarms.emails (docs/deploy.md)',
  },
  { path: ['mqttConfig'], what: 'MQTT (Butler.mqttConfig)' },
  { path: ['webhookNotification'], what: 'outgoing webhooks (Butler.webhookNotification)' },
  { path: ['incidentTool', 'newRelic'], what: 'New Relic (Butler.incidentTool.newRelic)' },
  { path: ['incidentTool', 'signl4'], what: 'Signl4 (Butler.incidentTool.signl4)' },
  { path: ['teamsNotification'], what: 'Microsoft Teams notifications (Butler.teamsNotification)' },
  { path: ['slackNotification'], what: 'Slack notifications (Butler.slackNotification)' },
  { path: ['emailNotification'], what: 'e-mail notifications (Butler.emailNotification)' },
];

function enabledAt(root: unknown, path: string[]): boolean {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return (
    typeof node === 'object' && node !== null && (node as { enable?: unknown }).enable === true
  );
}

export function noteNoCounterpart(butler: Butler, draft: Draft): void {
  for (const feature of FEATURES)
    if (enabledAt(butler, feature.path)) draft.findings.noCounterpart.push(feature.what);
  draft.findings.noCounterpart.push(
    "Butler's other jobs (reload task alerts, task starts, the REST API, ...) are not license jobs: keep Butler for them",
  );
}
