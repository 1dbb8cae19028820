// The users domain's tables (users, sessions): its steps of the one ordered list of migrations (version →
// SQL, see core/storage/migrations.ts). Append-only: a new step takes the next version number.
import type { SchemaSteps } from '../../core/storage/migrations';

export const usersSchema: SchemaSteps = {
  15: `
  -- people who sign in to a hub: passwords as scrypt hashes only
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
  );
  -- sessions: the token only as a SHA-256 hash; ended by sign-out, revocation or expiry
  CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    workstation TEXT NOT NULL,
    address TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    ended_ms INTEGER,
    ended_why TEXT
  );
  CREATE INDEX sessions_live ON sessions(user_id) WHERE ended_ms IS NULL;
  `,
};
