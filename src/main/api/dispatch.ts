// The one way a call reaches a handler, whichever transport carried it: the method must exist, its
// parameters must match the contract's schema (or the caller is told which field and what was expected),
// and only then does the handler run. Results are checked too where asked (tests, development).
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { TSchema } from '@sinclair/typebox';
import { API_EVENTS, API_METHODS, isMethodName, type ApiErrorBody, type ApiHandlers, type Caller, type EventName } from '../../shared/api';
import type { MinRole } from '../../shared/contract/schema';
import { ApiError, toErrorBody } from './api-error';

export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: ApiErrorBody };

/** What a schema accepts, as a person reads it ("an integer", "one of depot, customer"). */
export function describeSchema(s: TSchema): string {
  const anyOf = s.anyOf as TSchema[] | undefined;
  if (anyOf) {
    if (anyOf.every((x) => 'const' in x)) return `one of ${anyOf.map((x) => String(x.const)).join(', ')}`;
    return anyOf.map(describeSchema).join(' or ');
  }
  if ('const' in s) return JSON.stringify(s.const);
  const range = (unit: string) =>
    s.minimum !== undefined && s.maximum !== undefined ? ` from ${s.minimum} to ${s.maximum}${unit}` : s.minimum !== undefined ? ` of at least ${s.minimum}` : s.maximum !== undefined ? ` of at most ${s.maximum}` : '';
  switch (s.type) {
    case 'integer':
      return `a whole number${range('')}`;
    case 'number':
      return `a number${range('')}`;
    case 'string':
      return s.minLength ? `text of ${s.minLength} to ${s.maxLength ?? 'any number of'} characters` : s.maxLength !== undefined ? `text of at most ${s.maxLength} characters` : 'text';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'array':
      return Array.isArray(s.items) ? `a list of ${s.items.length} values` : `a list of ${describeSchema(s.items as TSchema)}`;
    case 'object':
      return 'an object';
    default:
      return 'a valid value';
  }
}

/** The refusal for the first thing wrong with `params`: the field (a JSON pointer) and what was expected. */
export function paramsError(method: string, e: ValueError): ApiErrorBody {
  const field = e.path || '/';
  // "/severity/0" → "severity[0]", "/destination/lat" → "destination.lat"
  const name = e.path.split('/').slice(1).reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '') || 'parameters';
  let expected = describeSchema(e.schema);
  let message: string;
  if (e.type === ValueErrorType.ObjectRequiredProperty) message = `${method}: "${name}" is missing; expected ${expected}.`;
  else if (e.type === ValueErrorType.ObjectAdditionalProperties) {
    expected = 'no such field';
    message = `${method}: "${name}" is not a parameter of this method.`;
  } else if (e.schema.anyOf && (e.schema.anyOf as TSchema[]).every((x) => 'const' in x)) message = `${method}: Unknown ${name} ${JSON.stringify(e.value)}; expected ${expected}.`;
  else message = `${method}: "${name}" must be ${expected} (got ${shown(e.value)}).`;
  return { code: 'bad_request', message, field, expected };
}

function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/** Whether results and events are checked against the contract (tests and development set it). */
export const CHECK_RESULTS = () => process.env.FLEETDESK_CHECK_RESULTS === '1';

/**
 * Checks pushed events against the contract: a function that throws for a payload outside its event's
 * schema, or null when checking is off (production: the schemas' cost is paid in tests only).
 */
export function eventChecker(): ((event: EventName, payload: unknown) => void) | null {
  if (!CHECK_RESULTS()) return null;
  const checks = new Map<EventName, TypeCheck<TSchema>>();
  return (event, payload) => {
    let c = checks.get(event);
    if (!c) checks.set(event, (c = TypeCompiler.Compile(API_EVENTS[event] as TSchema)));
    if (c.Check(payload)) return;
    const e = c.Errors(payload).First()!;
    throw new Error(`event ${event} is outside its contract at ${e.path || '/'}: ${e.message} (got ${shown(e.value)})`);
  };
}

export interface Dispatcher {
  /** `caller`: who calls, as the transport knows; every method but sign-in needs a signed-in one of its role. */
  call(method: unknown, params: unknown, caller: Caller): Promise<CallOutcome>;
}

const RANK: Record<MinRole, number> = { public: -1, viewer: 0, dispatcher: 1, supervisor: 2, admin: 3 };

/** Why `caller` may not call a method needing `role` (null when it may). */
export function refusal(method: string, role: MinRole, caller: Caller): ApiErrorBody | null {
  if (role === 'public') return null;
  const ended = caller.verify?.() ?? null;
  if (ended) return { code: 'unauthorized', message: ended };
  if (!caller.user) return { code: 'unauthorized', message: 'Sign in first.' };
  if (RANK[caller.user.role] < RANK[role]) return { code: 'forbidden', message: `${method} needs the ${role} role; ${caller.user.name} is signed in as ${caller.user.role}.` };
  return null;
}

/**
 * `checkResults`: also check each result against the contract (a mismatch is logged and answered as an
 * internal error); on in tests, so a handler that drifts from the contract fails them.
 */
export function createDispatcher(handlers: ApiHandlers, options: { checkResults?: boolean; log?: (line: string) => void } = {}): Dispatcher {
  const checks = new Map<string, { params: TypeCheck<TSchema>; result: TypeCheck<TSchema> }>();
  const checkOf = (method: keyof typeof API_METHODS) => {
    let c = checks.get(method);
    if (!c) {
      const spec = API_METHODS[method];
      c = { params: TypeCompiler.Compile(spec.params), result: TypeCompiler.Compile(spec.result) };
      checks.set(method, c);
    }
    return c;
  };
  const checkResults = options.checkResults ?? CHECK_RESULTS();
  return {
    async call(method, rawParams, caller) {
      if (!isMethodName(method)) return { ok: false, error: { code: 'bad_request', message: `unknown method ${JSON.stringify(method)}` } };
      // who, before what: a refused caller learns nothing about the parameters
      const refused = refusal(method, API_METHODS[method].role, caller);
      if (refused) return { ok: false, error: refused };
      const params = rawParams ?? {};
      const check = checkOf(method);
      if (!check.params.Check(params)) return { ok: false, error: paramsError(method, check.params.Errors(params).First()!) };
      try {
        const result = await (handlers[method] as (p: unknown, c: Caller) => Promise<unknown>)(params, caller);
        if (checkResults && !check.result.Check(result)) {
          const e = check.result.Errors(result).First()!;
          throw new Error(`${method} answered outside its contract at ${e.path || '/'}: ${e.message} (got ${shown(e.value)})`);
        }
        return { ok: true, result };
      } catch (err) {
        if (!(err instanceof ApiError)) options.log?.(`${method} failed: ${(err as Error)?.stack ?? String(err)}`);
        return { ok: false, error: toErrorBody(err) };
      }
    },
  };
}
