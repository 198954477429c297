/**
 * What the Butler mappers build together: the license-steward configuration as plain values,
 * the comments that go into the YAML beside them, and the findings of the stderr summary.
 */

export type KeyPath = readonly (string | number)[];

/** A comment line (or lines) above a key, and/or one at the end of its value. */
export interface Remark {
  path: KeyPath;
  before?: string;
  after?: string;
}

/** An environment variable the new configuration reads a secret from (its value is never read). */
export interface SecretVariable {
  name: string;
  /** The Butler key whose plain-text value it replaces. */
  butlerKey: string;
}

export interface Findings {
  /** Settings carried over, in Butler's words (`Butler.configQRS.host` → `sites[0].qrs.host`). */
  carried: string[];
  /** Butler features that have no counterpart here. */
  noCounterpart: string[];
  /** What the administrator should look at next. */
  check: string[];
  secrets: SecretVariable[];
}

export class Draft {
  readonly remarks: Remark[] = [];
  readonly findings: Findings = { carried: [], noCounterpart: [], check: [], secrets: [] };
  /** Problems of the Butler file that stop the import (exit 2), each naming Butler's key. */
  readonly problems: string[] = [];

  remark(path: KeyPath, text: { before?: string; after?: string }): void {
    this.remarks.push({ path, ...text });
  }

  carried(from: string, to: string): void {
    this.findings.carried.push(`${from} → ${to}`);
  }
}

/** `sites[0].qrs.host` for the summary. */
export function keyName(path: KeyPath): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`,
    )
    .join('');
}
