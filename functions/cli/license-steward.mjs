#!/usr/bin/env node
// The CLI from the TypeScript sources through tsx's loader: development and the benchmark. The
// package's `bin` is the built bundle, dist/license-steward.mjs (`npm run build`, ./build.ts).
import { register } from 'tsx/esm/api';

register();
await import('./bin.ts');
