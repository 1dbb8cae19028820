// The renderer's only door to FleetDesk: the typed contract over Electron IPC or a WebSocket, chosen here.
import { TILE_SCHEME, type ApiClient, type ApiEvents, type EventName, type MethodName, type Params, type PreloadBridge, type Result, type ServerFrame } from '../../../shared/api';

export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = (payload: unknown) => void;

class Listeners {
  private readonly byEvent = new Map<EventName, Set<Listener>>();
  private readonly connection = new Set<(connected: boolean) => void>();

  on(event: EventName, l: Listener): () => void {
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    set.add(l);
    return () => set!.delete(l);
  }
  emit(event: EventName, payload: unknown): void {
    for (const l of this.byEvent.get(event) ?? []) l(payload);
  }
  onConnection(l: (c: boolean) => void): () => void {
    this.connection.add(l);
    return () => this.connection.delete(l);
  }
  emitConnection(c: boolean): void {
    for (const l of this.connection) l(c);
  }
}

function ipcClient(bridge: PreloadBridge): ApiClient {
  const listeners = new Listeners();
  bridge.on((event, payload) => listeners.emit(event, payload));
  return {
    async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
      const res = await bridge.call(method, params);
      if (!res.ok) throw new ApiCallError(res.error.code, res.error.message);
      return res.result as Result<M>;
    },
    on: <E extends EventName>(event: E, l: (p: ApiEvents[E]) => void) => listeners.on(event, l as Listener),
    onConnection: (l) => {
      queueMicrotask(() => l(true));
      return listeners.onConnection(l);
    },
    tileUrl: (id) => `${TILE_SCHEME}://${encodeURIComponent(id)}/{z}/{x}/{y}`,
  };
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 5000;

function wsClient(url: string): ApiClient {
  const listeners = new Listeners();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const outbox: string[] = [];
  let ws: WebSocket | null = null;
  let nextId = 1;
  let delay = RECONNECT_MIN_MS;
  let connected = false;

  const connect = () => {
    ws = new WebSocket(url);
    ws.onopen = () => {
      delay = RECONNECT_MIN_MS;
      connected = true;
      for (const m of outbox.splice(0)) ws!.send(m);
      listeners.emitConnection(true);
    };
    ws.onmessage = (ev) => {
      const frame = JSON.parse(String(ev.data)) as ServerFrame;
      if (frame.type === 'event') listeners.emit(frame.event, frame.payload);
      else {
        const p = pending.get(frame.id);
        pending.delete(frame.id);
        if (!p) return;
        if (frame.ok) p.resolve(frame.result);
        else p.reject(new ApiCallError(frame.error.code, frame.error.message));
      }
    };
    ws.onclose = () => {
      if (connected) listeners.emitConnection(false);
      connected = false;
      for (const p of pending.values()) p.reject(new ApiCallError('disconnected', 'Lost the connection to the FleetDesk service; retrying.'));
      pending.clear();
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, RECONNECT_MAX_MS);
    };
  };
  connect();

  return {
    call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
      const id = nextId++;
      const text = JSON.stringify({ type: 'call', id, method, params });
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        if (connected && ws?.readyState === WebSocket.OPEN) ws.send(text);
        else outbox.push(text);
      });
    },
    on: <E extends EventName>(event: E, l: (p: ApiEvents[E]) => void) => listeners.on(event, l as Listener),
    onConnection: (l) => {
      if (connected) queueMicrotask(() => l(true));
      return listeners.onConnection(l);
    },
    tileUrl: (id) => `/tiles/${encodeURIComponent(id)}/{z}/{x}/{y}`,
  };
}

export function createApiClient(): ApiClient {
  const bridge = (window as unknown as { fleetdesk?: PreloadBridge }).fleetdesk;
  if (bridge) return ipcClient(bridge);
  return wsClient(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`);
}

export const api: ApiClient = createApiClient();
