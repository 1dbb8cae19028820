// The OsmAnd protocol (Traccar Client app and many trackers) mapped onto FleetDesk's telemetry format.
import { decimalNumber, validateTelemetryObject, type ValidationResult } from './validate';

const KNOTS_TO_KMH = 1.852;
const MS_TO_KMH = 3.6;
const EPOCH_MS_THRESHOLD = 2 ** 31; // OsmAnd: a numeric timestamp this large is milliseconds, else seconds
const MAX_ATTRIBUTES = 50;

/** Keys with a meaning of their own; every other key is kept as an attribute. */
const KNOWN = new Set(['id', 'deviceid', 'lat', 'lon', 'location', 'timestamp', 'speed', 'bearing', 'heading', 'hdop', 'ignition', 'rpm', 'driveruniqueid', 'key', 'password']);

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  return decimalNumber(v); // NaN for 0x10, 1_0, Infinity: refused by the validator with the field named
}

/** OsmAnd timestamp forms → UTC epoch ms: epoch s, epoch ms (≥ 2^31), ISO-8601, or "yyyy-MM-dd HH:mm:ss" (UTC). */
export function osmandTimestampMs(value: string | undefined, receivedMs: number): number | string {
  if (value === undefined || value.trim() === '') return receivedMs;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    return n >= EPOCH_MS_THRESHOLD ? Math.round(n) : Math.round(n * 1000);
  }
  const plain = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(\.\d+)?)$/.exec(v);
  if (plain) return `${plain[1]}T${plain[2]}Z`;
  return v; // ISO-8601 with a zone, checked by the common validator
}

function attributeValue(v: string): string | number | boolean {
  if (v === 'true' || v === 'false') return v === 'true';
  const n = decimalNumber(v);
  return Number.isFinite(n) ? n : v.slice(0, 200);
}

/** Query-string or form parameters of one OsmAnd request. */
export function parseOsmAndParams(params: URLSearchParams, receivedMs: number): ValidationResult & { status?: number } {
  const get = (k: string) => {
    for (const [key, value] of params) if (key.toLowerCase() === k) return value;
    return undefined;
  };
  const id = get('id') ?? get('deviceid');
  if (!id) return { ok: false, reason: 'OsmAnd request without id or deviceid', status: 400 };
  let lat = num(get('lat'));
  let lon = num(get('lon'));
  const location = get('location');
  if ((lat === undefined || lon === undefined) && location) {
    const [a, b] = location.split(',');
    lat = num(a);
    lon = num(b);
  }
  if (lat === undefined || lon === undefined) return { ok: false, reason: 'OsmAnd request without lat/lon or location=lat,lon', status: 400 };
  const speedKnots = num(get('speed'));
  const attributes: Record<string, string | number | boolean> = {};
  for (const [key, value] of params) {
    if (KNOWN.has(key.toLowerCase()) || Object.keys(attributes).length >= MAX_ATTRIBUTES) continue;
    attributes[key.slice(0, 40)] = attributeValue(value);
  }
  const ignition = get('ignition');
  const wire = {
    vehicle_id: id,
    timestamp: osmandTimestampMs(get('timestamp'), receivedMs),
    lat,
    lon,
    speed_kmh: speedKnots === undefined ? undefined : Math.round(speedKnots * KNOTS_TO_KMH * 100) / 100,
    heading: num(get('bearing') ?? get('heading')),
    hdop: num(get('hdop')),
    engine_rpm: num(get('rpm')),
    ignition: ignition === undefined ? undefined : ignition === 'true' || ignition === '1',
    driver_id: get('driverUniqueId') ?? get('driveruniqueid'),
  };
  return finish(wire, attributes);
}

/** The JSON body form of newer Traccar Client versions. */
export function parseOsmAndJson(body: unknown, receivedMs: number): ValidationResult & { status?: number } {
  const b = body as { device_id?: unknown; location?: { timestamp?: unknown; coords?: Record<string, unknown>; battery?: { level?: unknown } } };
  if (!b || typeof b !== 'object') return { ok: false, reason: 'OsmAnd JSON body is not an object', status: 400 };
  if (typeof b.device_id !== 'string' && typeof b.device_id !== 'number') return { ok: false, reason: 'OsmAnd JSON without device_id', status: 400 };
  const c = b.location?.coords;
  if (!c || typeof c !== 'object') return { ok: false, reason: 'OsmAnd JSON without location.coords', status: 400 };
  const n = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const speedMs = n(c['speed']);
  const ts = b.location?.timestamp;
  const attributes: Record<string, string | number | boolean> = {};
  for (const k of ['accuracy', 'altitude']) if (typeof c[k] === 'number') attributes[k] = c[k] as number;
  if (typeof b.location?.battery?.level === 'number') attributes['batt'] = Math.round(b.location.battery.level * 100);
  const wire = {
    vehicle_id: String(b.device_id),
    timestamp: typeof ts === 'string' || typeof ts === 'number' ? osmandTimestampMs(String(ts), receivedMs) : receivedMs,
    lat: c['latitude'],
    lon: c['longitude'],
    // A negative speed or heading means "unknown" in this form.
    speed_kmh: speedMs === undefined || speedMs < 0 ? undefined : Math.round(speedMs * MS_TO_KMH * 100) / 100,
    heading: n(c['heading']) !== undefined && n(c['heading'])! >= 0 ? n(c['heading']) : undefined,
  };
  return finish(wire, attributes);
}

function finish(wire: Record<string, unknown>, attributes: Record<string, string | number | boolean>): ValidationResult & { status?: number } {
  for (const k of Object.keys(wire)) if (wire[k] === undefined) delete wire[k];
  for (const [k, v] of Object.entries(wire)) {
    if (typeof v === 'number' && Number.isNaN(v)) return { ok: false, reason: `OsmAnd field for ${k} is not a number`, status: 400 };
  }
  const r = validateTelemetryObject(wire);
  if (!r.ok) return { ...r, status: 400 };
  if (Object.keys(attributes).length) r.point.attributes = attributes;
  return r;
}
