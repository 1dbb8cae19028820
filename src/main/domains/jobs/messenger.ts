// Text messages with drivers over MQTT: down on `fleet/<vehicle>/messages` (QoS 1, with the replies the
// device offers as buttons), up on `fleet/<vehicle>/messages/up` — the driver's texts and the receipts
// (delivered, read) for ours. A device with no downlink (an OsmAnd phone) is said so: call the driver.
import { ApiError } from '../../api/api-error';
import { CANNED_REPLIES, type DriverMessage } from '../../../shared/contract/jobs';
import type { LiveState } from '../../core/live/live-state';
import type { Store } from '../../core/storage/store';
import type { Emit } from '../../api/handlers';
import type { JobBoard } from './board';
import { deadLetter, parseUplink } from './device-messages';

export const messageTopic = (vehicleId: string) => `fleet/${vehicleId}/messages`;
export const MESSAGE_UP_TOPIC = 'fleet/+/messages/up';

/** `fleet/<id>/messages/up` → id. */
export function vehicleOfUplink(topic: string): string | null {
  const m = /^fleet\/([^/]+)\/messages\/up$/.exec(topic);
  return m ? m[1]! : null;
}

const RANK: Record<DriverMessage['state'], number> = { cannot_send: 0, queued: 1, sent: 2, delivered: 3, read: 4, received: 0 };

export class Messenger {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly d: {
      store: Store;
      live: LiveState;
      board: JobBoard;
      emit: Emit;
      publish: ((topic: string, message: unknown) => Promise<void>) | null;
      log: (line: string) => void;
    },
  ) {}

  async send(vehicleId: string, text: string, by: string, nowMs = Date.now()): Promise<DriverMessage> {
    const v = this.d.live.get(vehicleId, nowMs);
    if (!v) throw new ApiError('not_found', `Vehicle ${vehicleId} has not reported yet.`);
    const depot = this.d.store.federation.depotOfVehicle(vehicleId);
    if (depot) throw new ApiError('forbidden', `${vehicleId} reports through depot ${depot}: its driver is written to from there (headquarters sees the conversation as the depot sends it).`);
    const body = text.trim();
    if (!body) throw new ApiError('bad_request', 'The message is empty.');
    const reachable = this.d.publish !== null && this.d.board.canReach(vehicleId);
    const m = this.d.store.messages.add({ vehicleId, direction: 'down', text: body, tsMs: nowMs, by, state: !reachable ? 'cannot_send' : v.status === 'offline' ? 'queued' : 'sent', stateMs: nowMs, replies: [...CANNED_REPLIES] });
    if (reachable) await this.publish(m);
    this.d.emit('messageUpdated', m);
    return m;
  }

  private async publish(m: DriverMessage): Promise<void> {
    try {
      await this.d.publish!(messageTopic(m.vehicleId), { type: 'message', message_id: m.id, text: m.text, sent_at: new Date(m.tsMs).toISOString(), from: m.by, replies: m.replies });
    } catch (err) {
      this.d.log(`messages: could not send to ${m.vehicleId} now (${(err as Error).message}); it goes when the broker is back`);
    }
  }

  list(vehicleId: string, limit: number): DriverMessage[] {
    return this.d.store.messages.list(vehicleId, limit);
  }

  markRead(vehicleId: string, nowMs = Date.now()): number {
    const unread = this.d.store.messages.unreadFromDrivers(vehicleId);
    for (const m of unread) this.d.emit('messageUpdated', this.d.store.messages.setState(m.id, 'read', nowMs));
    return unread.length;
  }

  unread(): { total: number; byVehicle: Record<string, number> } {
    const byVehicle: Record<string, number> = {};
    const all = this.d.store.messages.unreadFromDrivers();
    for (const m of all) byVehicle[m.vehicleId] = (byVehicle[m.vehicleId] ?? 0) + 1;
    return { total: all.length, byVehicle };
  }

  /** What a device sent on its uplink: a driver's text, or a receipt for ours; anything else a dead letter. */
  uplink(topic: string, payload: Buffer, nowMs = Date.now()): void {
    const vehicleId = vehicleOfUplink(topic);
    const refuse = (reason: string) => {
      deadLetter(this.d.store, 'messages', topic, payload, reason, nowMs);
      this.d.log(`messages: ${topic} refused: ${reason}`);
    };
    if (!vehicleId) return refuse('not a message topic');
    const u = parseUplink(payload);
    if (typeof u === 'string') return refuse(u);
    if (u.kind === 'text') {
      const m = this.d.store.messages.add({ vehicleId, direction: 'up', text: u.text, tsMs: nowMs, by: `driver of ${vehicleId}`, state: 'received', stateMs: nowMs, replies: [] });
      this.d.emit('messageUpdated', m);
      return;
    }
    const m = this.d.store.messages.get(u.messageId);
    if (!m || m.vehicleId !== vehicleId || m.direction !== 'down') return refuse(`message ${u.messageId} was not sent to ${vehicleId}`);
    // receipts only move forward (a late "delivered" after "read" changes nothing)
    if (RANK[u.status] > RANK[m.state]) this.d.emit('messageUpdated', this.d.store.messages.setState(m.id, u.status, nowMs));
  }

  /** The embedded broker saw the device acknowledge one of our messages. */
  acked(vehicleId: string, topic: string, payload: Buffer, nowMs = Date.now()): void {
    if (topic !== messageTopic(vehicleId)) return;
    let id: unknown;
    try {
      id = (JSON.parse(payload.toString('utf8')) as { message_id?: unknown }).message_id;
    } catch {
      return;
    }
    const m = typeof id === 'number' ? this.d.store.messages.get(id) : null;
    if (m && m.vehicleId === vehicleId && !this.d.store.federation.depotOfVehicle(vehicleId) && RANK.delivered > RANK[m.state]) this.d.emit('messageUpdated', this.d.store.messages.setState(m.id, 'delivered', nowMs));
  }

  /** The device is listening: what it has not confirmed goes again a moment later (unless its session delivers it first). */
  subscribed(vehicleId: string, filters: string[]): void {
    if (!filters.some((f) => f === messageTopic(vehicleId) || f === `fleet/${vehicleId}/#`)) return;
    // only what was sent before it listened: a text sent since reached it through this subscription
    const listeningSinceMs = Date.now();
    const t = setTimeout(() => {
      this.timers.delete(t);
      for (const m of this.d.store.messages.unconfirmed(vehicleId)) if (m.tsMs < listeningSinceMs) void this.publish(m);
    }, 1000);
    this.timers.add(t);
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
