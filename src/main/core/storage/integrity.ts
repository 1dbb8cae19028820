// The database's own check at start (SQLite's quick_check), in a thread of its own on a read-only
// connection: a damaged file is said with its path and what to do, and FleetDesk meanwhile runs.
import Database from 'better-sqlite3';
import { Store } from './store';

export interface IntegrityResult {
  ok: boolean;
  /** SQLite's findings (at most 20), empty when the file is sound. */
  problems: string[];
  ms: number;
}

export function checkIntegrity(dbFile: string): IntegrityResult {
  const started = Date.now();
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('PRAGMA quick_check(20)').pluck().all() as string[];
      const problems = rows.filter((r) => r !== 'ok');
      return { ok: problems.length === 0, problems, ms: Date.now() - started };
    } finally {
      db.close();
    }
  } catch (err) {
    return { ok: false, problems: [(err as Error).message], ms: Date.now() - started };
  }
}

/** What a dispatcher or admin reads when the check finds damage: the file, what is wrong, what to do. */
export function damageMessage(dbFile: string, problems: string[]): string {
  return (
    `The database ${dbFile} is damaged (${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''}). ` +
    'FleetDesk goes on storing new data, but some history may be unreadable. Stop FleetDesk when you can, keep a copy of the file, ' +
    `then run: sqlite3 "${dbFile}" ".recover" | sqlite3 recovered.sqlite — and start FleetDesk on the recovered file (or a backup).`
  );
}

/** Opens the service's store; a file SQLite cannot read as a database gets the same plain message. */
export function openStore(dbFile: string): Store {
  try {
    return new Store(dbFile);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      throw new Error(
        `FleetDesk cannot open its database ${dbFile}: ${(err as Error).message}. Keep a copy of the file, then restore a backup, ` +
          `or rescue what is readable with: sqlite3 "${dbFile}" ".recover" | sqlite3 recovered.sqlite (or move the file away to start with an empty database).`,
      );
    }
    throw err;
  }
}
