// How the desktop app starts: FleetDesk on this computer, or a control room's hub. Plain Node (the start
// screen's bridge in the Electron shell calls it; tests call it directly): the address a person types, the
// hub's certificate checked against the ones this workstation trusted before (known hubs), whether what
// answers there is a FleetDesk, and the choice remembered for the next start.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { DEFAULT_HUB_PORT, type HubCheck, type OpenResult, type StartChoice, type StartState } from '../../shared/start';
import { hubKey, KnownHubs, probeHubCertificate } from '../core/security/known-hubs';

const MAX_RECENT = 6;

/**
 * The https:// origin (with a trailing slash) a person means by what they typed: `hub.depot`,
 * `10.0.0.5:8443`, `https://hub.depot:4780/anything`. No port means `serve`'s default. Plain HTTP, user
 * names in the address and anything that is not a host are refused with what to type instead.
 */
export function parseHubAddress(input: string): string {
  const text = input.trim();
  if (!text) throw new Error('Type the hub’s address, e.g. hub.depot or 10.0.0.5:4780.');
  if (/\s/.test(text)) throw new Error(`“${text}” is not an address: it has spaces.`);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new Error(`“${text}” is not an address. Type the hub’s name or IP, with its port if it is not ${DEFAULT_HUB_PORT}.`);
  }
  if (u.protocol === 'http:') throw new Error('A hub speaks HTTPS only: use https:// (or just the name and port).');
  if (u.protocol !== 'https:') throw new Error(`A hub is reached over https://, not ${u.protocol.replace(':', '')}.`);
  if (u.username || u.password) throw new Error('Leave the name and password out of the address: the hub asks for them.');
  if (!u.hostname) throw new Error(`“${text}” names no host.`);
  return `https://${u.hostname}:${u.port || DEFAULT_HUB_PORT}/`;
}

interface Prefs {
  last: StartChoice | null;
  remember: boolean;
  recentHubs: { url: string; lastUsedMs: number }[];
}

export interface LauncherOptions {
  /** Where the choice is remembered (beside the known hubs, in the app's user data). */
  prefsFile: string;
  knownHubs: KnownHubs;
  probe?: (url: string) => Promise<string>;
  /** How long a hub may take to answer (certificate, then its page). */
  timeoutMs?: number;
  nowMs?: () => number;
}

/** Where the app goes once the start screen is done: its own service, or a hub pinned to one certificate. */
export type StartTarget = { mode: 'local' } | { mode: 'hub'; url: string; fingerprint: string };

export class Launcher {
  private prefs: Prefs;
  /** What the last `open` decided (the shell reads it to start the service or load the hub). */
  target: StartTarget | null = null;

  constructor(private readonly o: LauncherOptions) {
    this.prefs = readPrefs(o.prefsFile);
  }

  state(): StartState {
    return { last: this.prefs.last, remember: this.prefs.remember, recentHubs: [...this.prefs.recentHubs] };
  }

  /** The remembered choice to start with, without the screen (null: show it). */
  remembered(): StartChoice | null {
    return this.prefs.remember ? this.prefs.last : null;
  }

  /** The next start shows the screen again (the app's menu: "Switch computer or hub…"). */
  askNextTime(): void {
    this.prefs.remember = false;
    this.save();
  }

  async check(address: string): Promise<HubCheck> {
    let url: string;
    try {
      url = parseHubAddress(address);
    } catch (err) {
      return { url: null, status: 'invalid', fingerprint: null, message: (err as Error).message };
    }
    let fingerprint: string;
    try {
      fingerprint = await (this.o.probe ?? ((u) => probeHubCertificate(u, this.o.timeoutMs)))(url);
    } catch (err) {
      return { url, status: 'unreachable', fingerprint: null, message: `${(err as Error).message} Check the address and that the hub is running.` };
    }
    const decision = this.o.knownHubs.decide(url, fingerprint);
    if (decision.action === 'refuse') return { url, status: 'changed', fingerprint, message: decision.message };
    const page = await fetchPinned(url, fingerprint, this.o.timeoutMs ?? 5000).catch((err: Error) => err);
    if (page instanceof Error) return { url, status: 'unreachable', fingerprint, message: `${hubKey(url)} answered, then failed: ${page.message}` };
    if (page.status === 421) return { url, status: 'unreachable', fingerprint, message: `The hub at ${hubKey(url)} does not answer to the name “${new URL(url).hostname}”: use the address it printed when it started.` };
    if (page.status !== 200 || !/<title>FleetDesk<\/title>/.test(page.body)) return { url, status: 'not-fleetdesk', fingerprint, message: `Something answers at ${hubKey(url)}, but it is not a FleetDesk hub. Check the port (a hub’s is ${DEFAULT_HUB_PORT} unless its admin chose another).` };
    if (decision.action === 'trust') return { url, status: 'known', fingerprint, message: `${hubKey(url)} is the hub this workstation trusted before.` };
    return { url, status: 'new', fingerprint, message: decision.message };
  }

  /**
   * Decides where the app goes. A hub is opened only with the certificate it presents now, and only if that
   * is the one trusted before or the one the person just accepted (`trust`); a changed one never opens.
   */
  async open(choice: StartChoice & { trust?: string }, remember: boolean): Promise<OpenResult> {
    if (choice.mode === 'local') {
      this.target = { mode: 'local' };
      this.record({ mode: 'local' }, remember);
      return { ok: true };
    }
    const c = await this.check(choice.url);
    if (c.status === 'new') {
      if (choice.trust !== c.fingerprint)
        return { ok: false, message: choice.trust ? 'The hub now presents another certificate than the one you compared: check it again.' : 'Compare the fingerprint and trust the hub first.' };
      this.o.knownHubs.remember(c.url!, c.fingerprint!, this.now());
    } else if (c.status !== 'known') return { ok: false, message: c.message };
    this.target = { mode: 'hub', url: c.url!, fingerprint: c.fingerprint! };
    this.record({ mode: 'hub', url: c.url! }, remember);
    return { ok: true };
  }

  private record(choice: StartChoice, remember: boolean): void {
    this.prefs.last = choice;
    this.prefs.remember = remember;
    if (choice.mode === 'hub') this.prefs.recentHubs = [{ url: choice.url, lastUsedMs: this.now() }, ...this.prefs.recentHubs.filter((h) => h.url !== choice.url)].slice(0, MAX_RECENT);
    this.save();
  }

  private now(): number {
    return this.o.nowMs?.() ?? Date.now();
  }

  private save(): void {
    mkdirSync(path.dirname(this.o.prefsFile), { recursive: true });
    const tmp = `${this.o.prefsFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.prefs, null, 1), { mode: 0o600 });
    renameSync(tmp, this.o.prefsFile);
  }
}

function readPrefs(file: string): Prefs {
  const empty: Prefs = { last: null, remember: false, recentHubs: [] };
  if (!existsSync(file)) return empty;
  try {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Partial<Prefs>;
    const last = p.last?.mode === 'local' ? { mode: 'local' as const } : p.last?.mode === 'hub' && typeof p.last.url === 'string' ? { mode: 'hub' as const, url: p.last.url } : null;
    const recentHubs = Array.isArray(p.recentHubs) ? p.recentHubs.filter((h) => typeof h?.url === 'string' && typeof h.lastUsedMs === 'number') : [];
    return { last, remember: p.remember === true && last !== null, recentHubs };
  } catch {
    // a damaged file costs the person one question at start, nothing more
    return empty;
  }
}

/** The hub's start page, over a connection that accepts exactly the certificate `fingerprint`. */
function fetchPinned(url: string, fingerprint: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { rejectUnauthorized: false, agent: false }, (res) => {
      const seen = (res.socket as import('node:tls').TLSSocket).getPeerX509Certificate?.()?.fingerprint256;
      if (seen !== fingerprint) {
        res.destroy();
        reject(new Error('its certificate changed between two connections'));
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
        if (body.length > 256 * 1024) res.destroy(new Error('its page is far too large'));
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no page within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
  });
}
