/**
 * Vitest global setup: one temporary folder for the whole run, handed to the workers as
 * `inject('tempRoot')` and removed when the run ends, so what tests leave there (the cloud
 * assemblies of every CDK synth) never piles up in the temp directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    tempRoot: string;
  }
}

export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(path.join(tmpdir(), 'license-steward-tests-'));
  project.provide('tempRoot', root);
  return () => rmSync(root, { recursive: true, force: true });
}
