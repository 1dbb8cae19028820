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

/** Who may call a method: anyone ('public': sign-in itself), or a signed-in user of this role or above. */
export type MinRole = 'public' | 'viewer' | 'dispatcher' | 'supervisor' | 'admin';

export interface MethodSpec<P extends TSchema = TSchema, R extends TSchema = TSchema> {
  /** The least role allowed to call it; the transports refuse anyone below before the handler runs. */
  role: MinRole;
  params: P;
  result: R;
}

export function method<P extends TSchema, R extends TSchema>(role: MinRole, params: P, result: R): MethodSpec<P, R> {
  return { role, params, result };
}

export type MethodTable = Record<string, MethodSpec>;
