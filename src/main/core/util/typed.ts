// Growable typed arrays for hot loops that reuse their buffers.

type Typed = Int8Array | Int32Array | Uint32Array | Float64Array;

/** `a` itself when it holds at least `size` elements, else a copy at least twice as long (contents kept, rest zero). */
export function withCapacity<T extends Typed>(a: T, size: number): T {
  if (a.length >= size) return a;
  const grown = new (a.constructor as new (n: number) => T)(Math.max(a.length * 2, size));
  grown.set(a);
  return grown;
}
