// What a FleetService is built with: the shells (Electron, `fleetdesk serve`), the CLI, tests and
// benchmarks each say which broker, listeners, demo and hooks they want.
import type { FetchedTile } from '../core/maps/tile-fetch';
import type { RetentionSettings } from '../core/retention/retention';
import type { IncomingPoint } from '../core/storage/store';
import type { IngestOptions } from '../domains/ingest/pipeline';
import type { FederationOptions } from '../domains/federation/link';
import type { SecretStore } from '../core/security/secret-store';

export interface FleetServiceOptions extends IngestOptions {
  workerPath: string;
  /** How often live positions are pushed to UIs. */
  positionPushMs?: number; // ms; default 250
  /** Retention of raw points; defaults in core/retention. */
  retention?: Partial<RetentionSettings>;
  /** Instrumentation (benchmarks): every commit's new points and the commit time. */
  observeCommits?: (points: IncomingPoint[], committedMs: number) => void;
  log?: (line: string) => void;
  /** Desktop app: ask where to save an export (the native dialog); null = cancelled. Serve mode omits it. */
  chooseExportPath?: (suggestedName: string) => Promise<string | null>;
  /** serve mode: where finished exports wait for their download; default: beside the database. */
  exportDir?: string;
  /** MBTiles files to show (besides those added in the UI), e.g. from `serve --mbtiles`. */
  mbtilesFiles?: string[];
  /** Desktop app: ask for an MBTiles file (the native dialog); null = cancelled. */
  chooseMbtilesFile?: () => Promise<string | null>;
  /** Fetches an online tile (tests replace it); default: fetch() with FleetDesk's user agent. */
  fetchTile?: (url: string) => Promise<FetchedTile>;
  /** A hub: every connection signs in (the first sign-in creates the admin). Off: local mode. */
  signInRequired?: boolean;
  /**
   * The desktop app: it may share itself on the network (Settings), serving these UI files on `host`
   * (default every interface) over HTTPS/WSS with sign-in. Absent for `serve`, which is a server already.
   */
  share?: { rendererDir: string; host?: string };
  /** A job offered to a device that has not answered by then is "no answer"; default 10 min. */
  jobAnswerMs?: number;
  /** A session ends after this long without use; default 12 h. */
  sessionIdleMs?: number;
  /**
   * Depots and headquarters. A depot forwards what it commits to an upstream broker as `depotId`;
   * headquarters stores what depots send to its broker (default: its own) and raises no alerts of its own
   * on their vehicles (each depot owns its alerts).
   */
  federation?: FederationOptions;
  /** Where secrets (the upstream broker's password) are kept: the desktop's sealed store; default a 0600 file beside the database; null: nowhere. */
  secrets?: SecretStore | null;
}
