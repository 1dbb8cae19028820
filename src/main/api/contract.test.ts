// The contract checks itself: every method declares its parameter and result schemas, and a call with a
// wrong type reaches no handler — proven for every method in the table, not for a sample.
import { Kind, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it, vi } from 'vitest';
import { API_EVENTS, API_METHODS, type ApiHandlers, type Caller } from '../../shared/api';
import { combine } from '../../shared/contract';
import { createDispatcher, eventChecker } from './dispatch';
import { combineHandlers } from './handlers';

const METHODS = Object.keys(API_METHODS) as (keyof typeof API_METHODS)[];
const ROLE_ORDER = ['viewer', 'dispatcher', 'supervisor', 'admin'] as const;

/** A caller signed in with a role (or, with null, not signed in). */
function callerAs(role: (typeof ROLE_ORDER)[number] | null): Caller {
  return { user: role && { id: 1, name: `a ${role}`, role }, local: false, address: '127.0.0.1', sessionId: role ? 1 : null, attach: () => {}, detach: () => {} };
}
const ADMIN = callerAs('admin');

/** Handlers that only record that they were reached, answering a value their result schema allows. */
function spies() {
  const calls: string[] = [];
  const handlers = Object.fromEntries(METHODS.map((m) => [m, vi.fn(async () => (calls.push(m), Value.Create(API_METHODS[m].result)))])) as unknown as ApiHandlers;
  return { handlers, calls };
}

/** A field of the method's parameters and a value of the wrong type for it; for a method without parameters, a field it does not have. */
function wrongField(params: TSchema): { key: string; value: unknown } {
  const props = (params.properties ?? {}) as Record<string, TSchema>;
  for (const [key, schema] of Object.entries(props)) {
    if (schema[Kind] === 'Unknown') continue;
    const value = [42, 'not-a-valid-value', true, [], {}, null].find((v) => !Value.Check(schema, v));
    if (value !== undefined) return { key, value };
  }
  return { key: 'unexpected', value: 1 };
}

/** Parameters that pass the schema except for one field. */
function validExcept(params: TSchema, key: string, value: unknown): Record<string, unknown> {
  const base = Value.Create(params) as Record<string, unknown>;
  return { ...base, [key]: value };
}

describe('the contract', () => {
  it('declares a parameter schema and a result schema for every method, and a schema for every event', () => {
    expect(METHODS.length).toBeGreaterThan(50);
    for (const m of METHODS) {
      const spec = API_METHODS[m];
      expect(spec.params[Kind], `${m} params`).toBe('Object');
      expect(spec.result[Kind], `${m} result`).toBeTypeOf('string');
    }
    for (const e of Object.keys(API_EVENTS)) expect((API_EVENTS as Record<string, TSchema>)[e]![Kind], e).toBeTypeOf('string');
  });

  it.each(METHODS)('%s: a wrong type is refused naming the field, before the handler runs', async (m) => {
    const { handlers, calls } = spies();
    const dispatcher = createDispatcher(handlers);
    const { key, value } = wrongField(API_METHODS[m].params);
    const out = await dispatcher.call(m, validExcept(API_METHODS[m].params, key, value), ADMIN);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error.code).toBe('bad_request');
    expect(out.error.field).toBe(`/${key}`);
    expect(out.error.message).toContain(key);
    expect(out.error.expected).toBeTruthy();
    // parameters that are not an object at all
    const notObject = await dispatcher.call(m, 'text', ADMIN);
    expect(notObject).toMatchObject({ ok: false, error: { code: 'bad_request', field: '/', expected: 'an object' } });
    expect(calls).toEqual([]);
    // and the same method with good parameters does reach its handler
    expect(await dispatcher.call(m, Value.Create(API_METHODS[m].params), ADMIN)).toEqual({ ok: true, result: Value.Create(API_METHODS[m].result) });
    expect(calls).toEqual([m]);
  });

  it.each(METHODS)('%s: refused before the handler to a caller below its role, or not signed in; allowed at and above it', async (m) => {
    const need = API_METHODS[m].role;
    expect(['public', ...ROLE_ORDER], `${m} declares a role`).toContain(need);
    const { handlers, calls } = spies();
    const d = createDispatcher(handlers);
    const params = Value.Create(API_METHODS[m].params);
    const outcomes = [];
    for (const role of [null, ...ROLE_ORDER]) {
      const allowed = need === 'public' || (role !== null && ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(need));
      const out = await d.call(m, params, callerAs(role));
      outcomes.push(out.ok);
      expect(out.ok, `${m} as ${role ?? 'nobody'}`).toBe(allowed);
      if (!out.ok) expect(out.error.code).toBe(role === null ? 'unauthorized' : 'forbidden');
    }
    // the handler ran exactly for the callers allowed
    expect(calls.length).toBe(outcomes.filter(Boolean).length);
  });

  it('refuses a caller whose session ended since, and says so', async () => {
    const { handlers, calls } = spies();
    const ended = { ...callerAs('dispatcher'), verify: () => 'Your session has ended: sign in again.' };
    expect(await createDispatcher(handlers).call('listVehicles', {}, ended)).toEqual({ ok: false, error: { code: 'unauthorized', message: 'Your session has ended: sign in again.' } });
    expect(calls).toEqual([]);
  });

  it('says which field and what was expected, in words a person reads', async () => {
    const { handlers } = spies();
    const d = createDispatcher(handlers);
    expect(await d.call('acknowledgeAlert', { alertId: '7' }, ADMIN)).toEqual({
      ok: false,
      error: { code: 'bad_request', field: '/alertId', expected: 'a whole number', message: 'acknowledgeAlert: "alertId" must be a whole number (got "7").' },
    });
    expect(await d.call('acknowledgeAlert', {}, ADMIN)).toMatchObject({ ok: false, error: { field: '/alertId', message: 'acknowledgeAlert: "alertId" is missing; expected a whole number.' } });
    expect(await d.call('listAlerts', { severity: ['urgent'] }, ADMIN)).toMatchObject({ ok: false, error: { field: '/severity/0', message: expect.stringContaining('Unknown severity[0] "urgent"; expected one of info, warning, critical') } });
    expect(await d.call('getEta', { vehicleId: 'V1', destination: { lat: 91, lon: 0 } }, ADMIN)).toMatchObject({ ok: false, error: { field: '/destination' } });
    expect(await d.call('dropDatabase', {}, ADMIN)).toEqual({ ok: false, error: { code: 'bad_request', message: 'unknown method "dropDatabase"' } });
  });

  it('checks results against the contract where asked, so a handler cannot drift from it', async () => {
    const { handlers } = spies();
    (handlers as unknown as Record<string, unknown>).getStatus = async () => ({ vehiclesOnline: 'many' });
    const log: string[] = [];
    const out = await createDispatcher(handlers, { checkResults: true, log: (l) => log.push(l) }).call('getStatus', {}, ADMIN);
    expect(out).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(log.join('\n')).toMatch(/getStatus answered outside its contract/);
  });

  it('combines the domains\' handler maps only when they cover the contract exactly, each name once', () => {
    const { handlers } = spies();
    const all = handlers as unknown as Record<string, unknown>;
    const [first, ...rest] = METHODS;
    const without = Object.fromEntries(rest.map((m) => [m, all[m]]));
    expect(() => combineHandlers(without)).toThrow(`no handler for ${first}`);
    expect(() => combineHandlers(without, { [first!]: all[first!] }, { [first!]: all[first!] })).toThrow(`"${first}" is defined twice`);
    expect(() => combineHandlers(without, { [first!]: all[first!], bogus: all[first!] } as unknown as Partial<ApiHandlers>)).toThrow('bogus is not in the contract');
    expect(() => combine({ a: 1 }, { a: 2 })).toThrow('"a" is defined twice');
    expect(Object.keys(combineHandlers(without, { [first!]: all[first!] })).sort()).toEqual([...METHODS].sort());
  });
});
