// QoS 1 acknowledgements that FleetDesk writes itself once a commit made the messages safe: many of one
// connection's PUBACKs in one buffer, so one commit costs one socket write.

/** PUBACK packets (MQTT 3.1.1: fixed header 0x40, remaining length 2, the message id) for `ids`, in order. */
export function pubackBytes(ids: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(ids.length * 4);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    out[i * 4] = 0x40;
    out[i * 4 + 1] = 2;
    out[i * 4 + 2] = id >> 8;
    out[i * 4 + 3] = id & 0xff;
  }
  return out;
}

/** Where PUBACKs are written: a socket, or a stream standing in for one. */
export interface AckOutput {
  readonly destroyed?: boolean;
  readonly writable?: boolean;
  write(bytes: Buffer): unknown;
}

/**
 * One connection's PUBACKs released during a tick (by the commits that made their messages safe),
 * written together at the end of it, in the order released.
 */
export class PendingPubacks {
  private ids: number[] = [];

  constructor(private readonly out: AckOutput) {}

  add(messageId: number): void {
    if (this.ids.length === 0) queueMicrotask(() => this.flush());
    this.ids.push(messageId);
  }

  private flush(): void {
    const ids = this.ids;
    this.ids = [];
    // a connection that went away gets nothing: the broker (or the session) redelivers, and storage is idempotent
    if (ids.length === 0 || this.out.destroyed || this.out.writable === false) return;
    this.out.write(pubackBytes(ids));
  }
}
