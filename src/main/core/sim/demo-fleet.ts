// A deterministic demo fleet: vehicles drive a jittered street grid around Birmingham (UK) and report telemetry.
import type { GeofenceInput } from '../../../shared/contract/fences';
import type { EngineConfig } from '../../../shared/contract/rules';
import { DEFAULT_CLASS_THRESHOLDS, DEFAULT_ENGINE_CONFIG } from '../rules/config';
import type { TelemetryPayload } from '../telemetry/validate';
import { distanceM } from '../geo/distance';
import { mulberry32 } from '../util/random';

/** New trouble codes per vehicle per day (3 a day in a 60-vehicle fleet). */
const DTC_PER_VEHICLE_PER_DAY = 0.05;
/** How long a code stays on, on average (seconds). */
const DTC_MEAN_DURATION_S = 6 * 3600;
/** Codes a demo van may report: misfire, catalyst, lean mixture, O2 sensor. */
const DTC_CODES = ['P0301', 'P0420', 'P0171', 'P0135'];

export { mulberry32 };

// Inland on purpose: the bundled Natural Earth coastline is too coarse for a port city's streets.
export const CITY_CENTER = { lat: 52.4862, lon: -1.8904 }; // Birmingham city centre
const GRID = 14; // nodes per side
const SPACING_M = 550; // metres between grid nodes
const JITTER_M = 90; // node displacement, so streets are not ruler-straight
const ARTERIAL_EVERY = 4; // every 4th row/column is a faster road
const M_PER_DEG_LAT = 111_320;
const ACCEL_MS2 = 1.2; // comfortable acceleration, m/s²
const BRAKE_MS2 = 1.8; // comfortable braking, m/s²


interface Node {
  lat: number;
  lon: number;
  neighbours: number[];
}

function offset(lat: number, lon: number, northM: number, eastM: number): { lat: number; lon: number } {
  return {
    lat: lat + northM / M_PER_DEG_LAT,
    lon: lon + eastM / (M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180)),
  };
}

function bearingDeg(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const toRad = Math.PI / 180;
  const y = Math.sin((b.lon - a.lon) * toRad) * Math.cos(b.lat * toRad);
  const x =
    Math.cos(a.lat * toRad) * Math.sin(b.lat * toRad) -
    Math.sin(a.lat * toRad) * Math.cos(b.lat * toRad) * Math.cos((b.lon - a.lon) * toRad);
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

const nodeId = (row: number, col: number) => row * GRID + col;
const DEPOT_NODE = nodeId(3, 3);
const RESTRICTED_NODE = nodeId(8, 8);
const CUSTOMER_NODE = nodeId(6, 11);

function buildNetwork(rand: () => number): Node[] {
  const origin = offset(CITY_CENTER.lat, CITY_CENTER.lon, (-(GRID - 1) * SPACING_M) / 2, (-(GRID - 1) * SPACING_M) / 2);
  const nodes: Node[] = [];
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      const p = offset(origin.lat, origin.lon, r * SPACING_M + (rand() - 0.5) * 2 * JITTER_M, c * SPACING_M + (rand() - 0.5) * 2 * JITTER_M);
      nodes.push({ ...p, neighbours: [] });
    }
  }
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      if (c + 1 < GRID) link(nodes, nodeId(r, c), nodeId(r, c + 1));
      if (r + 1 < GRID) link(nodes, nodeId(r, c), nodeId(r + 1, c));
    }
  }
  return nodes;
}

function link(nodes: Node[], a: number, b: number): void {
  nodes[a]!.neighbours.push(b);
  nodes[b]!.neighbours.push(a);
}

function isArterial(a: number, b: number): boolean {
  const [ra, ca, rb, cb] = [Math.floor(a / GRID), a % GRID, Math.floor(b / GRID), b % GRID];
  return (ra === rb && ra % ARTERIAL_EVERY === 0) || (ca === cb && ca % ARTERIAL_EVERY === 0);
}

/** Shortest path in hops (grid edges are of similar length). */
function route(nodes: Node[], from: number, to: number): number[] {
  const prev = new Map<number, number>([[from, -1]]);
  const queue = [from];
  while (queue.length) {
    const n = queue.shift()!;
    if (n === to) break;
    for (const m of nodes[n]!.neighbours) {
      if (!prev.has(m)) {
        prev.set(m, n);
        queue.push(m);
      }
    }
  }
  if (!prev.has(to)) return [from]; // not on the street grid: stay (the caller plans again)
  const path: number[] = [];
  for (let n = to; n !== -1; n = prev.get(n)!) path.unshift(n);
  return path;
}

interface SimVehicle {
  id: string;
  driverId: string;
  path: number[]; // remaining nodes; path[0] is the node just left
  edgeProgressM: number;
  speedMs: number;
  dwellUntilMs: number;
  odometerKm: number;
  fuelPct: number;
  coolantC: number;
  lat: number;
  lon: number;
  headingDeg: number;
  dtc: string[];
  /** 0 = calm driver, 1 = aggressive: faster, harder on the pedals, leaves the engine running. */
  style: number;
  /** Engine left running during the current stop. */
  idling: boolean;
  /** A job it accepted: its stops in order, the one it drives to, and whether this driver runs late. */
  job: { id: number; stops: { seq: number; lat: number; lon: number }[]; next: number; startAfterMs: number; atStop: boolean } | null;
}

/** What a demo vehicle's device sends back to FleetDesk (job answers, receipts, driver texts), when. */
export interface DeviceOutgoing {
  atMs: number;
  topic: string;
  body: Record<string, unknown>;
}

export interface DemoFleetOptions {
  vehicles: number;
  seed?: number; // default 42
  startMs: number;
}

/** The demo fleet's model: call `advance(toMs)` then `telemetry()` for each report round. */
export class DemoFleet {
  readonly nodes: Node[];
  readonly vehicles: SimVehicle[] = [];
  private readonly rand: () => number;
  private clockMs: number;
  /** Trouble codes come and go on a random stream of their own (the routes stay as they were). */
  private readonly healthRand: () => number;
  /** Drivers' answers to jobs and messages, on a stream of their own too. */
  private readonly jobRand: () => number;
  private outbox: DeviceOutgoing[] = [];

  constructor(options: DemoFleetOptions) {
    this.rand = mulberry32(options.seed ?? 42);
    this.healthRand = mulberry32((options.seed ?? 42) ^ 0x5eed);
    this.jobRand = mulberry32((options.seed ?? 42) ^ 0x10b5);
    this.nodes = buildNetwork(this.rand);
    this.clockMs = options.startMs;
    for (let i = 0; i < options.vehicles; i++) {
      // A fifth of the fleet starts at the depot, so depot exits appear in the first minute.
      const start = i % 5 === 0 ? DEPOT_NODE : Math.floor(this.rand() * this.nodes.length);
      const n = this.nodes[start]!;
      const v: SimVehicle = {
        id: `VH-${String(i + 1).padStart(3, '0')}`,
        driverId: `DR-${String(i + 1).padStart(3, '0')}`,
        path: [start],
        edgeProgressM: 0,
        speedMs: 0,
        dwellUntilMs: this.clockMs + Math.floor(this.rand() * 5000),
        odometerKm: Math.round(20_000 + this.rand() * 180_000),
        fuelPct: 35 + this.rand() * 60,
        coolantC: 70,
        lat: n.lat,
        lon: n.lon,
        headingDeg: 0,
        dtc: [],
        // a few drivers are rough (style near 1), most are calm: scores must tell them apart
        style: Math.pow(this.rand(), 3),
        idling: false,
        job: null,
      };
      this.planTrip(v);
      this.vehicles.push(v);
    }
  }

  private planTrip(v: SimVehicle): void {
    const here = v.path[v.path.length - 1]!;
    const stop = v.job && v.job.next < v.job.stops.length && this.clockMs >= v.job.startAfterMs ? v.job.stops[v.job.next]! : null;
    if (stop) {
      // to the street corner nearest the stop, then straight to the stop itself
      let best = 0;
      for (let i = 0; i < GRID * GRID; i++) if (distanceM(this.nodes[i]!, stop) < distanceM(this.nodes[best]!, stop)) best = i;
      const tail = this.nodes.length;
      this.nodes.push({ lat: stop.lat, lon: stop.lon, neighbours: [] });
      v.path = [...this.routeFrom(here, best), tail];
      v.edgeProgressM = 0;
      return;
    }
    if (here >= GRID * GRID) {
      // leaving a job's stop: back to the streets, then on as usual
      const corner = this.nearestNode(this.nodes[here]!);
      v.path = [here, corner];
      v.edgeProgressM = 0;
      return;
    }
    const r = this.rand();
    // Many trips go through the demo fences so that enter/exit alerts keep coming.
    const dest =
      r < 0.15 ? DEPOT_NODE : r < 0.3 ? RESTRICTED_NODE : r < 0.4 ? CUSTOMER_NODE : Math.floor(this.rand() * GRID * GRID);
    v.path = route(this.nodes, here, dest === here ? (here + 1) % (GRID * GRID) : dest);
    v.edgeProgressM = 0;
  }

  /** Moves every vehicle forward to `toMs` in 1-second physics steps. */
  advance(toMs: number): void {
    while (this.clockMs + 1000 <= toMs) {
      this.clockMs += 1000;
      for (const v of this.vehicles) this.step(v, 1);
    }
  }

  private step(v: SimVehicle, dtS: number): void {
    // A real fleet: a new trouble code in a few vehicles a day, cleared after a few hours (the workshop,
    // or the fault going away). It was a chance per report, which at 1 Hz gave most vans one an hour.
    if (v.dtc.length === 0) {
      if (this.healthRand() < (DTC_PER_VEHICLE_PER_DAY / 86_400) * dtS) v.dtc = [DTC_CODES[Math.floor(this.healthRand() * DTC_CODES.length)]!];
    } else if (this.healthRand() < dtS / DTC_MEAN_DURATION_S) v.dtc = [];
    if (this.clockMs < v.dwellUntilMs) {
      v.speedMs = 0;
      v.coolantC += ((v.idling ? 88 : 80) - v.coolantC) * 0.01;
      return;
    }
    v.idling = false;
    if (v.path.length < 2 && v.job) {
      const job = v.job;
      const here = this.nodes[v.path[0]!]!;
      const stop = job.stops[job.next];
      if (stop && !job.atStop && distanceM(here, stop) < 30) {
        // at the stop: a few minutes there, then the driver marks it done on the device
        job.atStop = true;
        v.dwellUntilMs = this.clockMs + (60 + this.jobRand() * 120) * 1000;
        return;
      }
      if (stop && job.atStop) {
        job.atStop = false;
        job.next++;
        this.outbox.push({ atMs: this.clockMs, topic: `fleet/${v.id}/jobs/ack`, body: { job_id: job.id, status: 'stop_done', stop: stop.seq } });
        if (job.next >= job.stops.length) v.job = null;
      }
    }
    if (v.path.length < 2) {
      // most stops are short; one in ten is a long delivery stop, where rough drivers leave the engine on
      const long = this.rand() < 0.1;
      v.dwellUntilMs = this.clockMs + (long ? 360 + this.rand() * 540 : 20 + this.rand() * 100) * 1000;
      v.idling = long && v.style > 0.4;
      this.planTrip(v);
      return;
    }
    const a = this.nodes[v.path[0]!]!;
    const b = this.nodes[v.path[1]!]!;
    const edgeM = distanceM(a, b);
    let remainingTripM = edgeM - v.edgeProgressM;
    for (let i = 1; i + 1 < v.path.length; i++) remainingTripM += distanceM(this.nodes[v.path[i]!]!, this.nodes[v.path[i + 1]!]!);
    const limitMs = (isArterial(v.path[0]!, v.path[1]!) ? 50 : 32) / 3.6;
    const brakeMs2 = BRAKE_MS2 * (1 + 1.6 * v.style);
    // plan stops with 60 % of the braking the driver uses, so 1-second steps never overshoot into a sudden stop
    const planMs2 = 0.6 * brakeMs2;
    let target = Math.min(limitMs * (0.85 + this.rand() * 0.25 + 0.3 * v.style), Math.sqrt(2 * planMs2 * Math.max(remainingTripM - 5, 0)) + 0.5);
    // slow down for a turn at the next junction: calm drivers to walking-plus pace, rough ones much less
    if (v.path.length > 2) {
      const c = this.nodes[v.path[2]!]!;
      const turnDeg = Math.abs(((bearingDeg(b, c) - bearingDeg(a, b) + 540) % 360) - 180);
      if (turnDeg > 30) {
        const turnMs = (14 + 30 * v.style * v.style) / 3.6;
        target = Math.min(target, Math.sqrt(turnMs * turnMs + 2 * planMs2 * Math.max(edgeM - v.edgeProgressM - 3, 0)));
      }
    }
    v.speedMs =
      v.speedMs < target ? Math.min(target, v.speedMs + ACCEL_MS2 * (1 + 2 * v.style) * dtS) : Math.max(target, v.speedMs - brakeMs2 * dtS);
    const moved = v.speedMs * dtS;
    v.edgeProgressM += moved;
    v.odometerKm += moved / 1000;
    v.fuelPct = Math.max(2, v.fuelPct - moved * 0.00012);
    v.coolantC += (90 - v.coolantC) * 0.02;
    while (v.path.length >= 2) {
      const p = this.nodes[v.path[0]!]!;
      const q = this.nodes[v.path[1]!]!;
      const len = distanceM(p, q);
      if (v.edgeProgressM < len) {
        const f = v.edgeProgressM / len;
        v.lat = p.lat + (q.lat - p.lat) * f;
        v.lon = p.lon + (q.lon - p.lon) * f;
        // the heading swings round as fast as the driver's lateral acceleration allows, not in one jump
        const want = bearingDeg(p, q);
        const delta = ((want - v.headingDeg + 540) % 360) - 180;
        const maxDeg = (((1.8 + 4 * v.style * v.style) / Math.max(v.speedMs, 0.5)) * 180 * dtS) / Math.PI;
        v.headingDeg = (v.headingDeg + Math.max(-maxDeg, Math.min(maxDeg, delta)) + 360) % 360;
        return;
      }
      v.edgeProgressM -= len;
      v.path.shift();
    }
    const end = this.nodes[v.path[0]!]!;
    v.lat = end.lat;
    v.lon = end.lon;
    v.speedMs = 0;
  }

  /** The way from node `here` (a street corner, or a job's stop off the grid) to corner `to`. */
  private routeFrom(here: number, to: number): number[] {
    if (here < GRID * GRID) return route(this.nodes, here, to);
    return [here, ...route(this.nodes, this.nearestNode(this.nodes[here]!), to)];
  }

  private nearestNode(p: { lat: number; lon: number }): number {
    let best = 0;
    for (let i = 0; i < GRID * GRID; i++) if (distanceM(this.nodes[i]!, p) < distanceM(this.nodes[best]!, p)) best = i;
    return best;
  }

  /**
   * What FleetDesk sends a demo vehicle (its `fleet/<id>/jobs` and `fleet/<id>/messages`): the device says it
   * has it; a driver takes most jobs (one in ten is turned down: van full), some start late; texts are read
   * and sometimes answered with a canned reply.
   */
  receive(topic: string, payload: Buffer | string): void {
    const m = /^fleet\/([^/]+)\/(jobs|messages)$/.exec(topic);
    const v = m ? this.vehicles.find((x) => x.id === m[1]) : undefined;
    if (!v) return;
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(String(payload)) as Record<string, unknown>;
    } catch {
      return;
    }
    const now = this.clockMs;
    const ack = (atMs: number, body: Record<string, unknown>) => this.outbox.push({ atMs, topic: `fleet/${v.id}/jobs/ack`, body });
    if (m![2] === 'messages' && msg['type'] === 'message' && typeof msg['message_id'] === 'number') {
      const id = msg['message_id'];
      this.outbox.push({ atMs: now + 1000, topic: `fleet/${v.id}/messages/up`, body: { type: 'receipt', message_id: id, status: 'delivered' } });
      const readAt = now + (5 + this.jobRand() * 40) * 1000;
      this.outbox.push({ atMs: readAt, topic: `fleet/${v.id}/messages/up`, body: { type: 'receipt', message_id: id, status: 'read' } });
      const replies = Array.isArray(msg['replies']) ? (msg['replies'] as unknown[]).filter((r): r is string => typeof r === 'string') : [];
      if (replies.length && this.jobRand() < 0.6) this.outbox.push({ atMs: readAt + (3 + this.jobRand() * 20) * 1000, topic: `fleet/${v.id}/messages/up`, body: { type: 'message', text: replies[Math.floor(this.jobRand() * replies.length)], reply_to: id } });
      return;
    }
    if (m![2] !== 'jobs' || typeof msg['job_id'] !== 'number') return;
    const jobId = msg['job_id'];
    if (msg['type'] === 'cancel') {
      if (v.job?.id === jobId) {
        v.job = null;
        this.planTrip(v);
      }
      return;
    }
    if (msg['type'] === 'stop_settled') {
      // the dispatcher settled a stop (the driver phoned): on to the one after it
      const idx = v.job?.id === jobId ? v.job.stops.findIndex((s) => s.seq === msg['stop']) : -1;
      if (v.job && idx >= v.job.next) {
        v.job.next = idx + 1;
        v.job.atStop = false;
        if (v.job.next >= v.job.stops.length) v.job = null;
        this.planTrip(v);
      }
      return;
    }
    if (msg['type'] !== 'job' || !Array.isArray(msg['stops'])) return;
    if (v.job?.id === jobId) return; // sent again: it has it already
    ack(now + 1000, { job_id: jobId, status: 'received' });
    const decideAt = now + (5 + this.jobRand() * 25) * 1000;
    if (v.job || this.jobRand() < 0.1) {
      ack(decideAt, { job_id: jobId, status: 'rejected', reason: v.job ? 'busy with another job' : 'van full' });
      return;
    }
    ack(decideAt, { job_id: jobId, status: 'accepted' });
    const stops = (msg['stops'] as Record<string, unknown>[]).map((s) => ({ seq: Number(s['seq']), lat: Number(s['lat']), lon: Number(s['lon']) })).filter((s) => Number.isFinite(s.lat) && Number.isFinite(s.lon));
    // one driver in five finishes something else first and runs late
    const late = this.jobRand() < 0.2 ? (8 + this.jobRand() * 10) * 60_000 : 0;
    v.job = { id: jobId, stops, next: 0, startAfterMs: decideAt + late, atStop: false };
    // it finishes the trip it is on, then drives to the first stop (after what it finishes first, when late)
  }

  /** Device messages due by now (job answers, receipts, texts), oldest first. */
  takeOutgoing(nowMs: number): DeviceOutgoing[] {
    const due = this.outbox.filter((o) => o.atMs <= nowMs).sort((a, b) => a.atMs - b.atMs);
    this.outbox = this.outbox.filter((o) => o.atMs > nowMs);
    return due;
  }

  /** One report per vehicle at the current simulated time, in the wire format of fleet/<id>/telemetry. */
  telemetry(): TelemetryPayload[] {
    return this.vehicles.map((v) => {
      const speedKmh = Math.round(v.speedMs * 3.6 * 10) / 10;
      return {
        vehicle_id: v.id,
        timestamp: new Date(this.clockMs).toISOString(),
        lat: Math.round(v.lat * 1e6) / 1e6,
        lon: Math.round(v.lon * 1e6) / 1e6,
        speed_kmh: speedKmh,
        heading: Math.round(v.headingDeg),
        fuel_level: Math.round(v.fuelPct * 10) / 10,
        engine_rpm: speedKmh > 0 ? Math.round(800 + speedKmh * 35) : this.clockMs < v.dwellUntilMs && !v.idling ? 0 : 750,
        odometer_km: Math.round(v.odometerKm * 100) / 100,
        dtc_codes: v.dtc,
        hdop: Math.round((0.7 + this.rand() * 0.8) * 10) / 10,
        satellites: 7 + Math.floor(this.rand() * 6),
        coolant_temp_c: Math.round(v.coolantC),
        ignition: speedKmh > 0 || this.clockMs >= v.dwellUntilMs || v.idling,
        driver_id: v.driverId,
      };
    });
  }

  /** Streets of the demo city as GeoJSON lines ([lon, lat]), for the offline basemap of the demo. */
  streets(): { type: 'Feature'; properties: { arterial: boolean }; geometry: { type: 'LineString'; coordinates: number[][] } }[] {
    const out = [];
    for (let a = 0; a < GRID * GRID; a++) {
      for (const b of this.nodes[a]!.neighbours) {
        if (b < a) continue;
        out.push({
          type: 'Feature' as const,
          properties: { arterial: isArterial(a, b) },
          geometry: {
            type: 'LineString' as const,
            coordinates: [
              [this.nodes[a]!.lon, this.nodes[a]!.lat],
              [this.nodes[b]!.lon, this.nodes[b]!.lat],
            ],
          },
        });
      }
    }
    return out;
  }

  /** The demo's geofences: a depot, a restricted zone and a customer site around chosen junctions. */
  demoGeofences(): GeofenceInput[] {
    const square = (node: number, halfM: number): number[][][] => {
      const n = this.nodes[node]!;
      const corners = [
        offset(n.lat, n.lon, -halfM, -halfM),
        offset(n.lat, n.lon, -halfM, halfM),
        offset(n.lat, n.lon, halfM, halfM),
        offset(n.lat, n.lon, halfM, -halfM),
      ].map((p) => [Math.round(p.lon * 1e6) / 1e6, Math.round(p.lat * 1e6) / 1e6]);
      return [[...corners, corners[0]!]];
    };
    return [
      { id: 'demo-depot', name: 'Central Depot', category: 'depot', color: '#2e7d32', geometry: { type: 'Polygon', coordinates: square(DEPOT_NODE, 120) } },
      {
        id: 'demo-restricted',
        name: 'Restricted: Digbeth road works',
        category: 'restricted',
        color: '#c62828',
        geometry: { type: 'Polygon', coordinates: square(RESTRICTED_NODE, 400) },
        // anti-bounce: a van clipping the corner for a few seconds raises nothing
        rules: { entryDelayS: 10 },
      },
      {
        id: 'demo-customer',
        name: 'Customer: Jewellery Quarter warehouse',
        category: 'customer',
        color: '#1565c0',
        geometry: { type: 'Polygon', coordinates: square(CUSTOMER_NODE, 200) },
        // a yard: walking pace, and a dwell alert when a van waits too long
        rules: { speedLimitKmh: 20, dwellAlertMin: 10 },
      },
    ];
  }
}

/** The demo fleet is urban: a 50 km/h limit for every van, so rough drivers show up as speeding. */
export function demoEngineConfig(): EngineConfig {
  return { ...DEFAULT_ENGINE_CONFIG, classes: { default: { ...DEFAULT_CLASS_THRESHOLDS, speedLimitKmh: 50 } } };
}
