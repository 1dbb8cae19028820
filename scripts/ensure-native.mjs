#!/usr/bin/env node
// Tests run in Node, the app in Electron: make sure better-sqlite3 is built for this Node before testing.
import { spawnSync } from 'node:child_process';

const probe = () =>
  spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"], { encoding: 'utf8' });

let r = probe();
if (r.status !== 0) {
  console.error('[fleetdesk] better-sqlite3 is not built for this Node (it may be built for Electron); rebuilding…');
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_config_(runtime|target|disturl)$/i.test(k)) delete env[k];
  const rb = spawnSync('npm', ['rebuild', 'better-sqlite3'], { stdio: 'inherit', env });
  if (rb.status !== 0) process.exit(rb.status ?? 1);
  r = probe();
  if (r.status !== 0) {
    console.error(`[fleetdesk] better-sqlite3 still does not load:\n${r.stderr}`);
    process.exit(1);
  }
}
