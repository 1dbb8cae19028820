// Starts mosquitto with a password file (mosquitto_passwd) and anonymous access off.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, tempDir, waitFor, type Mosquitto } from './helpers';

export async function startMosquittoWith(options: { users: Record<string, string> }): Promise<Mosquitto> {
  const port = await freePort();
  const dir = tempDir('fleetdesk-mosquitto-auth-');
  // mosquitto started as root drops to its own user, which must be able to read the password file
  chmodSync(dir, 0o755);
  const passwd = path.join(dir, 'passwd');
  writeFileSync(passwd, '');
  for (const [u, p] of Object.entries(options.users)) execFileSync('mosquitto_passwd', ['-b', passwd, u, p]);
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${passwd}\npersistence false\n`);
  const proc = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    'mosquitto with passwords',
  );
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
