// An external, password-protected mosquitto: the password comes from the 0600 secrets file and never
// shows up in FleetDesk's output or status, even when it is wrong.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_PATH, requireTool, startServe, tempDir, waitFor, type Mosquitto } from './helpers';
import { startMosquittoWith } from './mosquitto-auth';

const PASSWORD = 'S3cret-broker-pw-7781';
const procs: ChildProcess[] = [];
let broker: Mosquitto | null = null;
afterEach(async () => {
  for (const p of procs.splice(0)) p.kill('SIGKILL');
  await broker?.stop();
});

function setSecret(db: string, value: string) {
  return execFileSync(process.execPath, [CLI_PATH, 'secrets', 'set', 'broker-password', '--db', db], { input: `${value}\n`, encoding: 'utf8' });
}

async function serve(db: string, brokerUrl: string) {
  const { url, proc, output } = await startServe(['--db', db, '--port', '0', '--osmand-port', 'off', '--broker', brokerUrl, '--broker-username', 'fleetdesk'], 'pipe');
  procs.push(proc);
  const status = () =>
    new Promise<{ broker: { state: string; lastError: string | null } }>((resolve, reject) => {
      const ws = new WebSocket(`${url.replace('http://', 'ws://')}/api`, { origin: url });
      ws.on('open', () => ws.send(JSON.stringify({ type: 'call', id: 1, method: 'getStatus', params: {} })));
      ws.on('message', (d) => {
        const f = JSON.parse(String(d));
        if (f.type === 'result') {
          ws.close();
          resolve(f.result);
        }
      });
      ws.on('error', reject);
    });
  return { output, status };
}

describe.runIf(requireTool('mosquitto'))('external broker password', () => {
  it('connects with the stored password; a wrong one is reported without ever printing it', async () => {
    broker = await startMosquittoWith({ users: { fleetdesk: PASSWORD } });
    const db = path.join(tempDir(), 'p.sqlite');
    expect(setSecret(db, PASSWORD)).toContain('(mode 600)');
    expect(statSync(db.replace('.sqlite', '.secrets.json')).mode & 0o777).toBe(0o600);

    const good = await serve(db, broker.url);
    await waitFor(async () => (await good.status()).broker.state === 'connected', 'the connection with the right password');
    procs.pop()!.kill('SIGTERM');

    setSecret(db, 'wrong-password-4411');
    const bad = await serve(db, `mqtt://fleetdesk:${encodeURIComponent('url-secret-9')}@127.0.0.1:${broker.port}`);
    const st = await waitFor(async () => {
      const s = await bad.status();
      return s.broker.lastError ? s : null;
    }, 'the refusal to show in the status');
    expect(st.broker.lastError).toMatch(/Not authorized|Bad username or password/i);
    const everything = good.output() + bad.output() + JSON.stringify(st);
    for (const secret of [PASSWORD, 'wrong-password-4411', 'url-secret-9']) expect(everything).not.toContain(secret);
  });
});
