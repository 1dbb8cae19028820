// The migrations, split by domain, build the same database as the one ordered list they came from: fresh,
// and upgraded from every earlier version that list left behind.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, Store } from '../src/main/core/storage/store';
import { mergeSchema } from '../src/main/core/storage/migrations';
import { tempDir } from './helpers';

const BEFORE: string[] = JSON.parse(readFileSync('test/fixtures/migrations-before-domains.json', 'utf8')).migrations;

/** A database as the list before the split left it at `version`. */
function builtBefore(file: string, version: number): void {
  const db = new Database(file);
  for (let v = 0; v < version; v++) {
    db.exec(BEFORE[v]!);
    db.pragma(`user_version = ${v + 1}`);
  }
  db.close();
}

function schemaOf(file: string): { version: number; objects: string[] } {
  const db = new Database(file, { readonly: true });
  const objects = (db.prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all() as { type: string; name: string; tbl_name: string; sql: string | null }[]).map(
    (r) => `${r.type} ${r.name} on ${r.tbl_name}: ${r.sql}`,
  );
  const version = db.pragma('user_version', { simple: true }) as number;
  db.close();
  return { version, objects };
}

describe('schema', () => {
  it('builds, from the domains\' steps, the same database as the list before the split', () => {
    const dir = tempDir();
    const before = path.join(dir, 'before.sqlite');
    builtBefore(before, BEFORE.length);
    const after = path.join(dir, 'after.sqlite');
    const db = new Database(after);
    for (let v = 0; v < BEFORE.length; v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
    db.close();
    expect(schemaOf(before).objects.length).toBeGreaterThan(30);
    expect(schemaOf(after)).toEqual(schemaOf(before));
  });

  it('upgrades a database left at any earlier version to exactly the schema of a fresh one', () => {
    const dir = tempDir();
    const fresh = path.join(dir, 'fresh.sqlite');
    new Store(fresh).close();
    const expected = schemaOf(fresh);
    expect(expected.version).toBe(MIGRATIONS.length);
    for (let from = 1; from <= BEFORE.length; from++) {
      const file = path.join(dir, `from-${from}.sqlite`);
      builtBefore(file, from);
      new Store(file).close();
      expect(schemaOf(file), `upgraded from version ${from}`).toEqual(expected);
    }
  });

  it('refuses a gap in the domains\' versions', () => {
    expect(() => mergeSchema([{ 1: 'CREATE TABLE a (x)' }, { 3: 'CREATE TABLE b (x)' }])).toThrow('migration 2 is missing');
    expect(mergeSchema([{ 1: 'A', 2: 'C' }, { 1: 'B' }])).toEqual(['A\nB', 'C']);
  });
});
