// Builds the engine worker once for the test run (vitest cannot load a .ts file inside a worker thread).
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export const WORKER_OUT = path.resolve('test/.tmp/engine.worker.mjs');

export default async function setup(): Promise<void> {
  mkdirSync(path.dirname(WORKER_OUT), { recursive: true });
  await build({
    entryPoints: ['src/main/worker/engine.worker.ts'],
    outfile: WORKER_OUT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'error',
  });
}
