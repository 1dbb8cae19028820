// Building blocks of the contract: one TypeBox declaration gives the TypeScript type and the runtime check.
import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';

export { Type, type Static, type TSchema };

/** A string that is one of `values`. */
export function StringEnum<const T extends readonly string[]>(values: T): TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }> {
  return Type.Union(values.map((v) => Type.Literal(v))) as never;
}

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** A method without parameters (transports pass `{}`). */
export const NoParams = Type.Object({}, { additionalProperties: false });

/** UTC epoch milliseconds. */
export const EpochMs = Type.Number({ description: 'UTC epoch ms' });

export interface MethodSpec<P extends TSchema = TSchema, R extends TSchema = TSchema> {
  params: P;
  result: R;
  /** What the method does, for the contract's readers. */
  doc?: string;
}

export function method<P extends TSchema, R extends TSchema>(params: P, result: R, doc?: string): MethodSpec<P, R> {
  return { params, result, doc };
}

export type MethodTable = Record<string, MethodSpec>;
