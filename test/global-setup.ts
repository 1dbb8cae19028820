// Builds the engine worker once for the test run (vitest cannot load a .ts file inside a worker thread),
// and gives the run one temporary directory that is removed at the end (workers are killed, not exited).
import { build } from 'esbuild';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const WORKER_OUT = path.resolve('test/.tmp/engine.worker.mjs');

export default async function setup(): Promise<() => void> {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'fleetdesk-run-'));
  chmodSync(runDir, 0o755); // mosquitto, started as root, drops to its own user and must get through
  process.env['FLEETDESK_TEST_TMP'] = runDir; // inherited by the test workers
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
  return () => rmSync(runDir, { recursive: true, force: true });
}
