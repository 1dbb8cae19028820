// Settings: small JSON values kept in the database (rules, map sources, broker security, passwords).
import type { Store } from '../../core/storage/store';

export class Settings {
  constructor(
    private readonly store: () => Store,
    private readonly log: (line: string) => void,
  ) {}

  get(key: string): string | null {
    return this.store().settings.get(key);
  }

  set(key: string, value: string | null): void {
    this.store().settings.set(key, value);
  }

  /** A saved JSON value, or `dflt` when none is saved or it is broken (said in the log). */
  load<T>(key: string, dflt: T, validate: (x: unknown) => string | null): T {
    const text = this.get(key);
    if (text === null) return dflt;
    try {
      const value = JSON.parse(text) as T;
      const err = validate(value);
      if (!err) return value;
      this.log(`saved ${key} is invalid (${err}); using defaults`);
    } catch {
      this.log(`saved ${key} is not JSON; using defaults`);
    }
    return dflt;
  }

  save(key: string, value: unknown): void {
    this.set(key, JSON.stringify(value));
  }
}
