// Starts mosquitto with a password file (mosquitto_passwd) and anonymous access off.
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { freePort, runMosquitto, tempDir, type Mosquitto } from './helpers';

export async function startMosquittoWith(options: { users: Record<string, string> }): Promise<Mosquitto> {
  const dir = tempDir('fleetdesk-mosquitto-auth-');
  const passwd = path.join(dir, 'passwd');
  writeFileSync(passwd, '');
  for (const [u, p] of Object.entries(options.users)) execFileSync('mosquitto_passwd', ['-b', passwd, u, p]);
  return runMosquitto(await freePort(), `allow_anonymous false\npassword_file ${passwd}\npersistence false\n`, dir);
}
