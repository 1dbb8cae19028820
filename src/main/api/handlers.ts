// A domain's handlers are a typed map of its contract methods; the root combines them into the one table.
import type { ApiEvents, ApiHandlers, Caller, EventName, MethodName } from '../../shared/api';
import { API_METHODS } from '../../shared/api';
import { combine } from '../../shared/contract';

/** The handlers of the methods a domain's contract declares. */
export type HandlersOf<T> = Pick<ApiHandlers, keyof T & MethodName>;

/** Pushes an event to every connected screen (privacy mode applied on the way). */
export type Emit = <E extends EventName>(event: E, payload: ApiEvents[E]) => void;

/** One table from the domains' maps: a name two domains define, or a contract method nobody handles, fails at start. */
export function combineHandlers(...maps: Partial<ApiHandlers>[]): ApiHandlers {
  const all = combine(...(maps as Record<string, unknown>[])) as Record<string, unknown>;
  const missing = Object.keys(API_METHODS).filter((m) => typeof all[m] !== 'function');
  const unknown = Object.keys(all).filter((m) => !(m in API_METHODS));
  if (missing.length || unknown.length) throw new Error(`handlers do not match the contract: ${[...missing.map((m) => `no handler for ${m}`), ...unknown.map((m) => `${m} is not in the contract`)].join('; ')}`);
  return all as ApiHandlers;
}

/** Who calls in local mode when nobody more precise is known. */
export const LOCAL_OPERATOR = 'local operator';

/**
 * Local mode (the desktop app, a `serve` without sign-in): a connection calls as this computer's operator —
 * the desktop app signs its own user in by the name of the system account (`operator`).
 */
export function localCaller(address = 'local', operator = LOCAL_OPERATOR): Caller {
  return { user: { id: null, name: operator.trim().slice(0, 80) || LOCAL_OPERATOR, role: 'admin' }, local: true, address, sessionId: null, attach: () => {}, detach: () => {} };
}

/**
 * Who did something, as recorded: the signed-in user; in local mode the name the screen sends, else the
 * desktop's own operator (its system account), else `fallback`.
 */
export function actor(caller: Caller | undefined, by: string | undefined, fallback: string): string {
  if (caller?.user && !caller.local) return caller.user.name;
  const name = by?.trim();
  if (name) return name.slice(0, 80);
  return caller?.user && caller.user.name !== LOCAL_OPERATOR ? caller.user.name : fallback;
}

/** A list's size: what was asked, within `max`, or `dflt`. */
export function limitOf(asked: number | undefined, dflt: number, max: number): number {
  return asked === undefined ? dflt : Math.min(asked, max);
}
