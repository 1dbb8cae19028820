// Many small packets released by one commit (PUBACKs) leave in one socket write instead of one each.

export interface Corkable {
  cork(): void;
  uncork(): void;
}

const corked = new Set<Corkable>();

/** Corks the stream until the current tick ends (once per stream and tick); writes meanwhile are gathered. */
export function corkUntilNextTick(stream: Corkable): void {
  if (corked.has(stream) || typeof stream.cork !== 'function') return;
  corked.add(stream);
  stream.cork();
  process.nextTick(() => {
    corked.delete(stream);
    stream.uncork();
  });
}
