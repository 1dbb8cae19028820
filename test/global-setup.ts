// Builds the engine worker once for the test run (vitest cannot load a .ts file inside a worker thread),
// and gives the run one temporary directory that is removed at the end (workers are killed, not exited).
import { build } from 'esbuild';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
  return () => {
    killLeftovers(runDir);
    rmSync(runDir, { recursive: true, force: true });
  };
}

/**
 * Processes a test started with files in this run's directory (`serve`, mosquitto) and did not stop —
 * because it failed or timed out before its cleanup ran. Left running they load the machine and make the
 * next run's browser tests time out. (Linux: read from /proc; elsewhere nothing to do.)
 */
function killLeftovers(runDir: string): void {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return;
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runDir)) continue;
      process.kill(Number(pid), 'SIGKILL');
      console.error(`[test teardown] killed leftover process ${pid} of this test run`);
    } catch {
      // gone meanwhile, or not ours to kill
    }
  }
}
