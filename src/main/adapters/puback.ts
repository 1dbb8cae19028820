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
