// "Share this FleetDesk on the network": the desktop app serves its UI and API to the network as a hub —
// HTTPS/WSS only, with the certificate it makes beside its database, and every remote screen signs in
// (its own window keeps calling over IPC as this computer's operator). Remembered across restarts; turned
// on only once an admin exists, so nobody on the network can make themselves the first admin.
import { ApiError } from '../../api/api-error';
import type { SharingStatus } from '../../../shared/contract/sharing';
import type { Settings } from '../settings/settings';

export const SHARING_KEY = 'sharing';
export const DEFAULT_SHARING_PORT = 4780;

/** A running hub server, as the root starts it. */
export interface SharedServer {
  urls: string[];
  fingerprint: string;
  close(): Promise<void>;
}

export class NetworkShare {
  private server: SharedServer | null = null;
  private error: string | null = null;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly o: {
      settings: Settings;
      /** null: this FleetDesk cannot share itself (`fleetdesk serve` is already a server). */
      start: ((port: number) => Promise<SharedServer>) | null;
      admins: () => number;
      log: (line: string) => void;
    },
  ) {}

  private saved(): { enabled: boolean; port: number } {
    return this.o.settings.load(SHARING_KEY, { enabled: false, port: DEFAULT_SHARING_PORT }, (x) => {
      const v = x as { enabled?: unknown; port?: unknown };
      return typeof v?.enabled === 'boolean' && Number.isInteger(v.port) ? null : 'not {enabled, port}';
    });
  }

  status(): SharingStatus {
    const s = this.saved();
    return {
      available: this.o.start !== null,
      enabled: s.enabled,
      port: s.port,
      urls: this.server?.urls ?? [],
      fingerprint: this.server?.fingerprint ?? null,
      error: this.error,
      admins: this.o.admins(),
    };
  }

  /** At start: share again if it was on (a failure is kept for the Settings tab, the app runs on). */
  async resume(): Promise<void> {
    if (this.o.start && this.saved().enabled) await this.serialized(() => this.open(this.saved().port));
  }

  async set(enabled: boolean, port?: number): Promise<SharingStatus> {
    if (!this.o.start) throw new ApiError('bad_request', 'This FleetDesk is run by `fleetdesk serve`: choose its address with --host and --port instead.');
    const next = { enabled, port: port ?? this.saved().port };
    if (enabled && this.o.admins() === 0)
      throw new ApiError('bad_request', 'Add a user with the admin role first (Settings → Users): everyone on the network signs in, and the first admin must not be whoever connects first.');
    await this.serialized(async () => {
      await this.close();
      this.o.settings.set(SHARING_KEY, JSON.stringify(next));
      if (enabled) await this.open(next.port);
    });
    const st = this.status();
    if (enabled && st.error) throw new ApiError('bad_request', st.error);
    return st;
  }

  async stop(): Promise<void> {
    await this.serialized(() => this.close());
  }

  private async open(port: number): Promise<void> {
    this.error = null;
    try {
      this.server = await this.o.start!(port);
      this.o.log(`shared on the network at ${this.server.urls.join(', ')} (certificate SHA-256 ${this.server.fingerprint})`);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      this.error = e.code === 'EADDRINUSE' ? `Port ${port} is taken by another program: choose another port.` : `Could not share on port ${port}: ${e.message}`;
      this.o.log(this.error);
    }
  }

  private async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    this.error = null;
    if (s) {
      await s.close();
      this.o.log('no longer shared on the network');
    }
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn, fn);
    this.busy = run.catch(() => undefined);
    return run;
  }
}
