// The desktop app's start screen: run FleetDesk on this computer, or connect to a control room's hub. The
// screen talks to the desktop shell through this small bridge (not the API contract: no service runs yet).

/** How the desktop app starts: its own FleetDesk, or a hub's (by its https:// address). */
export type StartChoice = { mode: 'local' } | { mode: 'hub'; url: string };

export interface StartState {
  /** The last choice (the screen offers it first). */
  last: StartChoice | null;
  /** Whether the app starts with `last` without asking. */
  remember: boolean;
  /** Hubs connected to before, most recent first. */
  recentHubs: { url: string; lastUsedMs: number }[];
}

/**
 * What a hub address leads to: `known` (its certificate is the one trusted before), `new` (first
 * connection: compare the fingerprint with the one the hub printed), `changed` (refused: not the certificate
 * trusted before), `unreachable`, `not-fleetdesk` (something answers HTTPS there, but not a FleetDesk hub),
 * or `invalid` (not an address).
 */
export interface HubCheck {
  url: string | null;
  status: 'known' | 'new' | 'changed' | 'unreachable' | 'not-fleetdesk' | 'invalid';
  fingerprint: string | null;
  message: string;
}

export type OpenResult = { ok: true } | { ok: false; message: string };

/** `window.fleetdeskStart` on the start screen. */
export interface StartBridge {
  state(): Promise<StartState>;
  check(address: string): Promise<HubCheck>;
  /** For a hub seen for the first time, `trust` is the fingerprint the person compared and accepted. */
  open(choice: StartChoice & { trust?: string }, remember: boolean): Promise<OpenResult>;
}

export const START_CHANNEL = 'fleetdesk:start';
/** The port `fleetdesk serve` listens on unless told otherwise: an address without one means it. */
export const DEFAULT_HUB_PORT = 4780;
