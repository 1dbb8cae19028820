#!/usr/bin/env node
// `npm start`: build, make better-sqlite3 match Electron's ABI, and open the desktop app.
// Needs internet the first time (Electron's binary and headers); `npm run serve` needs neither.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const run = (cmd, args, env = process.env) => spawnSync(cmd, args, { stdio: 'inherit', env }).status === 0;

if (!run(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'])) process.exit(1);

const electronVersion = require('electron/package.json').version;
console.error(`[fleetdesk] building better-sqlite3 for Electron ${electronVersion}…`);
const rebuilt = run('npm', ['rebuild', 'better-sqlite3'], {
  ...process.env,
  npm_config_runtime: 'electron',
  npm_config_target: electronVersion,
  npm_config_disturl: 'https://electronjs.org/headers',
});
if (!rebuilt) {
  console.error('[fleetdesk] Could not build better-sqlite3 for Electron (Electron headers need internet).');
  console.error('[fleetdesk] The same FleetDesk runs in a browser without Electron: npm run serve');
  process.exit(1);
}

let electronBinary;
try {
  electronBinary = require('electron'); // the path of the binary; downloaded on first use
} catch (err) {
  console.error(`[fleetdesk] Electron is not available: ${err.message}`);
  console.error('[fleetdesk] On a machine without internet, use the browser UI instead: npm run serve');
  process.exit(1);
}
const ok = run(electronBinary, ['.']);
// Tests need the Node build again; `npm test` checks and rebuilds it (scripts/ensure-native.mjs).
process.exit(ok ? 0 : 1);
