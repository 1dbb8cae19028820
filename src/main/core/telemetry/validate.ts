// Decodes and validates one raw telemetry payload into a TelemetryPoint, or says exactly why not.
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { TelemetryPoint } from '../../../shared/contract/vehicles';

export const MAX_PAYLOAD_BYTES = 16 * 1024; // a real report is ~300 bytes; anything this big is not telemetry
const MAX_JSON_DEPTH = 4; // the schema needs depth 2 (object → dtc_codes array)
const EARLIEST_VALID_MS = Date.UTC(2000, 0, 1);
const LATEST_VALID_MS = Date.UTC(2100, 0, 1); // a device clock beyond this is broken, not early
/** Epoch values below this are almost certainly seconds sent where milliseconds were expected. */
const EPOCH_MS_FLOOR = 100_000_000_000; // 1973-03-03 in ms, 5138 AD in seconds

/** A vehicle id: also its MQTT user name and the middle of its topic, so no '/', '+' or '#'. */
export const VEHICLE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

const num = (min: number, max: number) => Type.Number({ minimum: min, maximum: max });
const optionalNum = (min: number, max: number) => Type.Optional(Type.Union([num(min, max), Type.Null()]));

/** Wire format of `fleet/<vehicle_id>/telemetry` (see README). Unknown extra fields are ignored. */
export const TelemetryPayload = Type.Object({
  vehicle_id: Type.String({ minLength: 1, maxLength: 64, pattern: VEHICLE_ID_PATTERN.source }),
  timestamp: Type.Union([Type.String({ maxLength: 40 }), Type.Number()]),
  lat: num(-90, 90),
  lon: num(-180, 180),
  speed_kmh: optionalNum(0, 400),
  heading: optionalNum(0, 360),
  fuel_level: optionalNum(0, 100),
  engine_rpm: optionalNum(0, 20_000),
  odometer_km: optionalNum(0, 10_000_000),
  dtc_codes: Type.Optional(
    Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 16 }), { maxItems: 64 }), Type.Null()]),
  ),
  hdop: optionalNum(0, 100),
  satellites: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 128 }), Type.Null()])),
  coolant_temp_c: optionalNum(-60, 200),
  ignition: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  driver_id: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
});
export type TelemetryPayload = Static<typeof TelemetryPayload>;

const checker = TypeCompiler.Compile(TelemetryPayload);

export type ValidationResult = { ok: true; point: TelemetryPoint } | { ok: false; reason: string };

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Parses an ISO-8601 string with an explicit zone, or epoch ms, to UTC epoch ms. */
export function parseTimestampMs(value: string | number): { ok: true; ms: number } | { ok: false; reason: string } {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, reason: 'timestamp is not a finite number' };
    if (value < EPOCH_MS_FLOOR) {
      return { ok: false, reason: `timestamp ${value} looks like epoch seconds; expected epoch milliseconds` };
    }
    if (value < EARLIEST_VALID_MS) return { ok: false, reason: `timestamp ${value} is before 2000-01-01` };
    if (value >= LATEST_VALID_MS) return { ok: false, reason: `timestamp ${value} is after 2100-01-01: not a real time` };
    return { ok: true, ms: Math.round(value) };
  }
  if (!ISO_WITH_ZONE.test(value)) {
    return {
      ok: false,
      reason: `timestamp "${value}" is not ISO-8601 with a time zone (e.g. 2026-11-23T08:00:00Z) or epoch ms`,
    };
  }
  const ms = realCalendar(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) return { ok: false, reason: `timestamp "${value}" is not a real date` };
  if (ms < EARLIEST_VALID_MS) return { ok: false, reason: `timestamp "${value}" is before 2000-01-01` };
  if (ms >= LATEST_VALID_MS) return { ok: false, reason: `timestamp "${value}" is after 2100-01-01: not a real time` };
  return { ok: true, ms };
}

/**
 * Whether the calendar fields of an ISO-8601 date or date-time are real: JavaScript's Date.parse takes
 * 2026-02-31 as 3 March; a device or a file that says 31 February is wrong and must be told so.
 */
export function realCalendar(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:Z|([+-])(\d{2}):?(\d{2}))?)?$/i.exec(v.trim());
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || (m[6] !== undefined && Number(m[6]) > 59))) return false;
  if (m[7] !== undefined && (Number(m[8]) > 14 || Number(m[9]) > 59)) return false;
  return true;
}

/** A day (YYYY-MM-DD, as UTC midnight) or an ISO-8601 time with a zone, to epoch ms; NaN when not real. */
export function parseDateMs(v: string): number {
  const s = v.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return realCalendar(s) ? Date.parse(`${s}T00:00:00Z`) : Number.NaN;
  const t = parseTimestampMs(s);
  return t.ok ? t.ms : Number.NaN;
}

/** A decimal number as people and devices write it (`-1.5`, `52`, `1e-3`); never hex, octal or binary. */
export function decimalNumber(v: string): number {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(v) ? Number(v) : Number.NaN;
}

function depthExceeds(value: unknown, limit: number): boolean {
  if (limit < 0) return true;
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (depthExceeds(record[key], limit - 1)) return true;
  }
  return false;
}

function describeSchemaError(value: unknown): string {
  const first = checker.Errors(value).First();
  if (!first) return 'payload does not match the telemetry schema';
  const field = first.path.replace(/^\//, '').replace(/\//g, '.') || '(root)';
  const got = first.value === undefined ? 'missing' : JSON.stringify(first.value)?.slice(0, 40);
  return `field ${field}: ${first.message} (got ${got})`;
}

/**
 * Validates one payload. `topicVehicleId`, when given, must equal the payload's vehicle_id:
 * a device may only report for itself.
 */
export function validateTelemetry(payload: Uint8Array | string, topicVehicleId?: string): ValidationResult {
  const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (bytes === 0) return { ok: false, reason: 'empty payload' };
  if (bytes > MAX_PAYLOAD_BYTES) {
    return { ok: false, reason: `payload too large: ${bytes} bytes (limit ${MAX_PAYLOAD_BYTES})` };
  }
  // decode in place: Buffer.from(aBuffer) would copy every payload first
  const text =
    typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `malformed JSON: ${(err as Error).message.slice(0, 120)}` };
  }
  return validateTelemetryObject(value, topicVehicleId);
}

/** Validates an already-parsed payload object (other protocols map onto the same wire format). */
export function validateTelemetryObject(value: unknown, topicVehicleId?: string): ValidationResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: 'payload is not a JSON object' };
  }
  if (depthExceeds(value, MAX_JSON_DEPTH)) return { ok: false, reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  if (!checker.Check(value)) return { ok: false, reason: describeSchemaError(value) };
  const p = value as TelemetryPayload;
  if (topicVehicleId !== undefined && p.vehicle_id !== topicVehicleId) {
    return { ok: false, reason: `vehicle_id "${p.vehicle_id}" does not match topic vehicle "${topicVehicleId}"` };
  }
  const ts = parseTimestampMs(p.timestamp);
  if (!ts.ok) return ts;
  return {
    ok: true,
    point: {
      vehicleId: p.vehicle_id,
      tsMs: ts.ms,
      lat: p.lat,
      lon: p.lon,
      speedKmh: p.speed_kmh ?? null,
      headingDeg: p.heading ?? null,
      fuelLevelPct: p.fuel_level ?? null,
      engineRpm: p.engine_rpm ?? null,
      odometerKm: p.odometer_km ?? null,
      dtcCodes: p.dtc_codes ?? [],
      hdop: p.hdop ?? null,
      satellites: p.satellites ?? null,
      coolantTempC: p.coolant_temp_c ?? null,
      ignition: p.ignition ?? null,
      driverId: p.driver_id ?? null,
    },
  };
}

const TOPIC_PREFIX = 'fleet/';
const TOPIC_SUFFIX = '/telemetry';

/** `fleet/<id>/telemetry` → id; anything else → null. (Called per message: string tests, no regular expression.) */
export function vehicleIdFromTopic(topic: string): string | null {
  const end = topic.length - TOPIC_SUFFIX.length;
  if (end <= TOPIC_PREFIX.length || !topic.startsWith(TOPIC_PREFIX) || !topic.endsWith(TOPIC_SUFFIX)) return null;
  const slash = topic.indexOf('/', TOPIC_PREFIX.length);
  return slash === end ? topic.slice(TOPIC_PREFIX.length, end) : null;
}
