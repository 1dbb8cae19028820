// The device protocol of dispatching: how a job reads on the device (`fleet/<id>/jobs`), and what devices
// send back about it — answers on `fleet/<id>/jobs/ack`, texts and receipts on `fleet/<id>/messages/up` —
// each checked, or refused with the reason a dead letter keeps.
import type { Job } from '../../../shared/contract/jobs';
import type { Store } from '../../core/storage/store';

/** How a job travels to a device, as the device reads it (documented in README, "Dispatching"). */
export function jobMessage(j: Job, nowMs: number) {
  return {
    type: 'job',
    job_id: j.id,
    ref: j.ref,
    priority: j.priority,
    notes: j.notes,
    vehicle_class: j.vehicleClass,
    stops: j.stops.map((s) => ({
      seq: s.seq,
      kind: s.kind,
      name: s.name,
      lat: s.lat,
      lon: s.lon,
      radius_m: s.radiusM,
      window_start: s.windowStartMs === null ? null : new Date(s.windowStartMs).toISOString(),
      window_end: s.windowEndMs === null ? null : new Date(s.windowEndMs).toISOString(),
    })),
    sent_at: new Date(nowMs).toISOString(),
  };
}

/** A JSON object of at most `maxBytes`, or what is wrong with the payload (naming it as `what`). */
function jsonObject(payload: Buffer, maxBytes: number, what: string): Record<string, unknown> | string {
  if (payload.length > maxBytes) return `${what} larger than ${maxBytes / 1024} KiB`;
  let m: unknown;
  try {
    m = JSON.parse(payload.toString('utf8'));
  } catch {
    return `${what} is not JSON`;
  }
  return typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as Record<string, unknown>) : `${what} is not a JSON object`;
}

export type Answer =
  | { jobId: number; status: 'received' | 'accepted' }
  | { jobId: number; status: 'rejected'; reason: string }
  | { jobId: number; status: 'stop_done'; stop: number }
  | { jobId: number; status: 'stop_failed'; stop: number; reason: string };

/** A device's answer, checked; a string says what is wrong with it. */
export function parseAnswer(payload: Buffer): Answer | string {
  const m = jsonObject(payload, 16 * 1024, 'answer');
  if (typeof m === 'string') return m;
  const jobId = m['job_id'];
  if (typeof jobId !== 'number' || !Number.isInteger(jobId) || jobId < 1) return 'job_id must be a positive whole number';
  const status = m['status'];
  const reason = typeof m['reason'] === 'string' ? (m['reason'] as string).slice(0, 500) : '';
  const stop = m['stop'];
  switch (status) {
    case 'received':
    case 'accepted':
      return { jobId, status };
    case 'rejected':
      return { jobId, status, reason: reason || 'no reason given' };
    case 'stop_done':
    case 'stop_failed':
      if (typeof stop !== 'number' || !Number.isInteger(stop) || stop < 1) return `${status} needs "stop": the stop's seq`;
      return status === 'stop_done' ? { jobId, status, stop } : { jobId, status, stop, reason: reason || 'no reason given' };
    default:
      return `status must be one of received, accepted, rejected, stop_done, stop_failed (got ${JSON.stringify(status)?.slice(0, 40)})`;
  }
}

export type Uplink = { kind: 'text'; text: string; replyTo: number | null } | { kind: 'receipt'; messageId: number; status: 'delivered' | 'read' };

export function parseUplink(payload: Buffer): Uplink | string {
  const m = jsonObject(payload, 8 * 1024, 'message');
  if (typeof m === 'string') return m;
  if (m['type'] === 'message') {
    const text = typeof m['text'] === 'string' ? (m['text'] as string).trim() : '';
    if (!text) return 'a message needs "text"';
    if (text.length > 1000) return 'text longer than 1000 characters';
    const replyTo = m['reply_to'];
    return { kind: 'text', text, replyTo: typeof replyTo === 'number' && Number.isInteger(replyTo) ? replyTo : null };
  }
  if (m['type'] === 'receipt') {
    const id = m['message_id'];
    const status = m['status'];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) return 'a receipt needs "message_id"';
    if (status !== 'delivered' && status !== 'read') return 'a receipt\'s status is delivered or read';
    return { kind: 'receipt', messageId: id, status };
  }
  return 'type must be "message" or "receipt"';
}

/** A device message refused: kept as a dead letter (source `jobs` or `messages`) with why. */
export function deadLetter(store: Store, source: 'jobs' | 'messages', topic: string, payload: Buffer, reason: string, nowMs: number): void {
  store.telemetry.writeBatch([], [{ receivedMs: nowMs, source, topic, reason, payload: Uint8Array.from(payload.subarray(0, 16 * 1024)), payloadBytes: payload.length }], nowMs);
}
