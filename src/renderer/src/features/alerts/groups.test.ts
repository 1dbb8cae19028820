import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../../shared/contract/alerts';
import { causeOf, groupAlerts } from './groups';

let nextId = 1;
const alert = (x: Partial<Alert>): Alert => ({
  id: nextId++,
  type: 'dtc',
  severity: 'warning',
  vehicleId: 'V1',
  fenceId: null,
  fenceName: null,
  depotId: null,
  tsMs: 0,
  raisedMs: 0,
  message: '',
  lat: null,
  lon: null,
  acknowledgedMs: null,
  acknowledgedBy: null,
  repeatCount: 1,
  lastSeenMs: 0,
  resolvedMs: null,
  resolvedBy: null,
  suppressed: false,
  escalatedMs: null,
  note: null,
  clearedMs: null,
  claimedBy: null,
  claimedMs: null,
  ...x,
});

describe('alert groups', () => {
  it('gathers three or more lines of one cause where the first stands, and leaves the rest in order', () => {
    const dtc = (v: string, code: string) => alert({ vehicleId: v, message: `${v}: new trouble code ${code}` });
    const list = [dtc('V1', 'P0301'), alert({ type: 'low_fuel', vehicleId: 'V9' }), dtc('V2', 'P0301'), dtc('V3', 'P0420'), dtc('V4', 'P0301'), alert({ type: 'geofence_exit', vehicleId: 'V5', fenceId: 'f1', fenceName: 'Depot', severity: 'critical' })];
    const items = groupAlerts(list);
    expect(items.map((i) => (i.kind === 'group' ? `group ${i.group.cause} ×${i.group.vehicles}` : i.alert.vehicleId))).toEqual(['group new trouble code P0301 ×3', 'V9', 'V3', 'V5']);
  });

  it('names the cause: the fence for fence alerts, the codes for trouble codes, else the kind', () => {
    expect(causeOf(alert({ type: 'geofence_exit', fenceId: 'f1', fenceName: 'Depot North' })).text).toBe('Fence left: Depot North');
    expect(causeOf(alert({ vehicleId: 'VAN-3', message: 'VAN-3: new trouble codes P0301, P0420' })).text).toBe('new trouble codes P0301, P0420');
    expect(causeOf(alert({ type: 'low_fuel', message: 'V1: fuel low: 9 %' })).text).toBe('Low fuel');
  });

  it('takes the most severe line\'s severity for the group, and counts vehicles', () => {
    const list = ['A', 'B', 'C'].map((v, i) => alert({ type: 'coolant_high', vehicleId: v, severity: i === 1 ? 'critical' : 'warning' }));
    const [g] = groupAlerts(list);
    expect(g).toMatchObject({ kind: 'group', group: { severity: 'critical', vehicles: 3 } });
  });
});
