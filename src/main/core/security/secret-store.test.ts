import { chmodSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { FileSecretStore, secretsFileFor } from './secret-store';

describe('FileSecretStore', () => {
  it('keeps secrets in a file only its owner can read', () => {
    const file = path.join(tempDir(), 's.json');
    const s = new FileSecretStore(file);
    s.set('broker.password', 'hunter2');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(new FileSecretStore(file).get('broker.password')).toBe('hunter2');
    s.set('broker.password', null);
    expect(s.get('broker.password')).toBeNull();
  });

  it('tightens a file that others could read, and says so', () => {
    const file = path.join(tempDir(), 's.json');
    new FileSecretStore(file).set('k', 'v');
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    expect(new FileSecretStore(file, { warn: (m) => warnings.push(m) }).get('k')).toBe('v');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings[0]).toMatch(/was readable by others \(mode 644\); it is now 600/);
  });

  it('stores only the sealed form when given a sealer (the app uses safeStorage)', () => {
    const file = path.join(tempDir(), 's.json');
    const sealed = new FileSecretStore(file, { seal: (v) => Buffer.from(v).reverse().toString('base64'), unseal: (v) => Buffer.from(v, 'base64').reverse().toString() });
    sealed.set('k', 'plain-secret');
    expect(readFileSync(file, 'utf8')).not.toContain('plain-secret');
    expect(sealed.get('k')).toBe('plain-secret');
  });

  it('lives beside the database', () => {
    expect(secretsFileFor('/data/fleetdesk.sqlite')).toBe('/data/fleetdesk.secrets.json');
  });
});
