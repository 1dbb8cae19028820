// Vehicle-health alerts from telemetry: new trouble codes, low fuel, fuel lost while parked, hot engine.
// Each fires once when its condition starts and re-arms only after a margin (no alert per message).
import type { HealthAlertType } from '../../../shared/contract/alerts';
import type { EngineConfig } from '../../../shared/contract/rules';
import type { RuleInput } from './driving';

export interface HealthEventOut {
  type: Exclude<HealthAlertType, 'offline'>;
  vehicleId: string;
  tsMs: number;
  lon: number;
  lat: number;
  index: number;
  /** What a dispatcher reads after the vehicle id, e.g. "fuel 31 % → 18 % while parked". */
  detail: string;
  value: number;
}

/** A condition that raised an alert is over (refuelled, cooled down, trouble codes gone). */
export type HealthClearedOut = Omit<HealthEventOut, 'type'> & { type: 'low_fuel' | 'coolant_high' | 'dtc' };

/** One vehicle's health state (see HealthDetector.vehicle). */
export interface HealthState {
  dtc: Set<string>;
  lowFuel: boolean;
  hot: boolean;
  /** Highest fuel level since the vehicle parked; null while moving. */
  parkedFuelMaxPct: number | null;
}

const LOW_FUEL_REARM_PCT = 5;
const COOLANT_REARM_C = 5;
const PARKED_SPEED_KMH = 3;

export class HealthDetector {
  private readonly state = new Map<string, HealthState>();

  constructor(private config: EngineConfig) {}

  setConfig(config: EngineConfig): void {
    this.config = config;
  }

  /** The vehicle's state, created on first use (callers holding it skip the lookup in push). */
  vehicle(vehicleId: string): HealthState {
    let s = this.state.get(vehicleId);
    if (!s) {
      s = { dtc: new Set(), lowFuel: false, hot: false, parkedFuelMaxPct: null };
      this.state.set(vehicleId, s);
    }
    return s;
  }

  /** Health events of one fix into `out`, and conditions that ended with it into `cleared`. */
  push(p: RuleInput, index: number, out: HealthEventOut[] = [], s: HealthState = this.vehicle(p.vehicleId), cleared: HealthClearedOut[] = []): HealthEventOut[] {

    if (p.dtcCodes !== null && (p.dtcCodes.length > 0 || s.dtc.size > 0)) {
      const fresh = p.dtcCodes.filter((c) => !s.dtc.has(c));
      if (fresh.length > 0) ev(out, p, index, 'dtc', `new trouble code${fresh.length > 1 ? 's' : ''} ${fresh.join(', ')}`, fresh.length);
      else if (p.dtcCodes.length === 0) ev(cleared, p, index, 'dtc', 'trouble codes cleared', 0);
      s.dtc = new Set(p.dtcCodes); // a cleared code that comes back is new again
    }

    const fuel = p.fuelLevelPct;
    if (fuel !== null) {
      if (!s.lowFuel && fuel < this.config.lowFuelPct) {
        s.lowFuel = true;
        ev(out, p, index, 'low_fuel', `fuel low: ${round(fuel)} % (limit ${this.config.lowFuelPct} %)`, fuel);
      } else if (s.lowFuel && fuel >= this.config.lowFuelPct + LOW_FUEL_REARM_PCT) {
        s.lowFuel = false;
        ev(cleared, p, index, 'low_fuel', `refuelled: ${round(fuel)} %`, fuel);
      }
      const parked = p.speedKmh !== null && p.speedKmh < PARKED_SPEED_KMH && p.ignition !== true;
      if (!parked) {
        s.parkedFuelMaxPct = null;
      } else {
        const ref = Math.max(s.parkedFuelMaxPct ?? fuel, fuel);
        if (ref - fuel >= this.config.fuelDropPct) {
          ev(out, p, index, 'fuel_drop', `fuel ${round(ref)} % → ${round(fuel)} % while parked: possible theft or leak`, ref - fuel);
          s.parkedFuelMaxPct = fuel;
        } else {
          s.parkedFuelMaxPct = ref;
        }
      }
    }

    const c = p.coolantTempC;
    if (c !== null) {
      if (!s.hot && c > this.config.coolantMaxC) {
        s.hot = true;
        ev(out, p, index, 'coolant_high', `coolant ${round(c)} °C (limit ${this.config.coolantMaxC} °C)`, c);
      } else if (s.hot && c <= this.config.coolantMaxC - COOLANT_REARM_C) {
        s.hot = false;
        ev(cleared, p, index, 'coolant_high', `coolant back to ${round(c)} °C`, c);
      }
    }
    return out;
  }
}

function ev<T extends HealthEventOut | HealthClearedOut>(out: T[], p: RuleInput, index: number, type: T['type'], detail: string, value: number): void {
  out.push({ type, vehicleId: p.vehicleId, tsMs: p.tsMs, lon: p.lon, lat: p.lat, index, detail, value } as T);
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
