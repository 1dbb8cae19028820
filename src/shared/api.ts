// The one API contract between the renderer and FleetDesk's core; both transports (Electron IPC, WebSocket)
// carry it and check every call's parameters against it before a handler runs. The methods, their
// parameter and result schemas, and the events live by domain in ./contract.
import { API_EVENTS, API_METHODS, type ApiEvents, type ApiMethods } from './contract';
import type { Role } from './contract/users';

export { API_EVENTS, API_METHODS, type ApiEvents, type ApiMethods };
export type { AuditEntry } from './contract/exports';
export type { RuleSettings } from './contract/rules';

export type MethodName = keyof ApiMethods;
export type EventName = keyof ApiEvents;
export type Params<M extends MethodName> = ApiMethods[M]['params'];
export type Result<M extends MethodName> = ApiMethods[M]['result'];

/** Runtime allow-list of callable methods; transports refuse anything else. */
export const METHOD_NAMES = Object.keys(API_METHODS) as MethodName[];
export const EVENT_NAMES = Object.keys(API_EVENTS) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(API_METHODS, name);
}

/** A user as a call carries them: signed in (id), or this computer's own operator in local mode (id null). */
export interface CallerUser {
  id: number | null;
  name: string;
  role: Role;
}

/**
 * Who makes a call, as the transport that carried it knows: the desktop app's IPC and a `serve` in local
 * mode call as this computer's operator; a hub's WebSocket as the user signed in on it (none before).
 */
export interface Caller {
  user: CallerUser | null;
  /** Local mode: no sign-in; the names screens send are what is recorded. */
  local: boolean;
  address: string;
  sessionId: number | null;
  /** A sign-in or resumed session binds the connection to its user; sign-out unbinds it. */
  attach(session: { id: number; user: CallerUser }): void;
  detach(): void;
  /** null while the session holds; else why it ended (the call is refused, the connection unbound). */
  verify?(): string | null;
}

/** Server side of the contract: one async function per method. `caller` is absent for in-process calls (tests, CLI). */
export type ApiHandlers = { [M in MethodName]: (params: Params<M>, caller?: Caller) => Promise<Result<M>> };

/** Client side of the contract, as the renderer sees it, whatever the transport. */
export interface ApiClient {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  /** Transport connection changes (a WebSocket can drop; IPC never does). */
  onConnection(listener: (connected: boolean) => void): () => void;
  /** Leaflet URL template for a tile source ('online' or an MBTiles id), whatever the transport. */
  tileUrl(sourceId: string): string;
}

/** The Electron app serves tiles on this scheme: fleetdesk-tiles://<source>/<z>/<x>/<y> */
export const TILE_SCHEME = 'fleetdesk-tiles';

/** An error a handler returns on purpose; its message is meant for the person using FleetDesk. */
export interface ApiErrorBody {
  code: 'bad_request' | 'not_found' | 'internal' | 'unauthorized' | 'forbidden' | 'conflict';
  message: string;
  /** For a parameter the contract refused: where it is (a JSON pointer, e.g. "/alertId") and what was expected. */
  field?: string;
  expected?: string;
}

// Wire frames of the WebSocket transport (IPC uses Electron's own framing).
export type ClientFrame = { type: 'call'; id: number; method: string; params: unknown };
export type ServerFrame =
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: ApiErrorBody }
  | { type: 'event'; event: EventName; payload: unknown };

/** What the preload exposes as `window.fleetdesk` in the Electron app. */
export interface PreloadBridge {
  call(method: string, params: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: ApiErrorBody }>;
  on(listener: (event: EventName, payload: unknown) => void): () => void;
}

export const IPC_CALL_CHANNEL = 'fleetdesk:call';
export const IPC_EVENT_CHANNEL = 'fleetdesk:event';
