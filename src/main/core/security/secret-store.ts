// Secrets (e.g. an external broker's password) kept out of the database and out of logs.
// serve mode: a JSON file readable by its owner only (0600). The desktop app wraps values with
// Electron safeStorage (OS keychain) through the `seal`/`unseal` hooks.
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';

export interface SecretStore {
  get(name: string): string | null;
  set(name: string, value: string | null): void;
}

export interface SecretFileOptions {
  /** Wraps a value before it is written (the app: safeStorage.encryptString → base64). */
  seal?: (plain: string) => string;
  unseal?: (sealed: string) => string;
  /** Told when the file's permissions had to be tightened. */
  warn?: (message: string) => void;
}

export class FileSecretStore implements SecretStore {
  constructor(
    readonly file: string,
    private readonly options: SecretFileOptions = {},
  ) {}

  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {};
    const mode = statSync(this.file).mode & 0o777;
    if (mode & 0o077) {
      chmodSync(this.file, 0o600);
      this.options.warn?.(`${this.file} was readable by others (mode ${mode.toString(8)}); it is now 600`);
    }
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>;
    } catch {
      throw new Error(`${this.file} is not a FleetDesk secrets file (not JSON); fix or remove it`);
    }
  }

  get(name: string): string | null {
    const v = this.read()[name];
    if (v === undefined) return null;
    return this.options.unseal ? this.options.unseal(v) : v;
  }

  set(name: string, value: string | null): void {
    const all = this.read();
    if (value === null) delete all[name];
    else all[name] = this.options.seal ? this.options.seal(value) : value;
    // Write a new file (created 0600) and rename it over the old one: never a moment with wider rights.
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}

/** Where the secrets file lives: beside the database. */
export function secretsFileFor(dbFile: string): string {
  return dbFile.replace(/\.[^./\\]+$/, '') + '.secrets.json';
}
