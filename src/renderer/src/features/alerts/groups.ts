// Lines that share a cause — the same fence, the same trouble code, the same kind of alert across
// vehicles — fold into one group the dispatcher can read, open and act on at once.
import { ALERT_TYPE_TEXT, type Alert, type AlertSeverity } from '../../../../shared/contract/alerts';

/** Fewer lines than this with one cause stay as they are (two are read as quickly as a group). */
export const GROUP_MIN_LINES = 3;

const RANK: Record<AlertSeverity, number> = { critical: 0, warning: 1, info: 2 };

export interface AlertGroup {
  key: string;
  /** What the lines share, as a dispatcher reads it: "new trouble code P0301", "Fence left: Depot North". */
  cause: string;
  alerts: Alert[];
  vehicles: number;
  severity: AlertSeverity;
}

export type ListItem = { kind: 'alert'; alert: Alert } | { kind: 'group'; group: AlertGroup };

/** The cause of a line: its type, its fence, and for trouble codes the codes themselves. */
export function causeOf(a: Alert): { key: string; text: string } {
  if (a.fenceId !== null) return { key: `${a.type}|${a.fenceId}`, text: `${ALERT_TYPE_TEXT[a.type]}: ${a.fenceName ?? a.fenceId}` };
  if (a.type === 'dtc') {
    // "VAN-3: new trouble code P0301" → the part after the vehicle
    const what = a.message.startsWith(`${a.vehicleId}: `) ? a.message.slice(a.vehicleId.length + 2) : a.message;
    return { key: `dtc|${what}`, text: what };
  }
  return { key: a.type, text: ALERT_TYPE_TEXT[a.type] };
}

/** The list in its order, with lines of one cause gathered where the first of them stands. */
export function groupAlerts(sorted: readonly Alert[], minLines = GROUP_MIN_LINES): ListItem[] {
  const byKey = new Map<string, { text: string; alerts: Alert[] }>();
  for (const a of sorted) {
    const c = causeOf(a);
    const g = byKey.get(c.key);
    if (g) g.alerts.push(a);
    else byKey.set(c.key, { text: c.text, alerts: [a] });
  }
  const out: ListItem[] = [];
  const placed = new Set<string>();
  for (const a of sorted) {
    const key = causeOf(a).key;
    const g = byKey.get(key)!;
    if (g.alerts.length < minLines) {
      out.push({ kind: 'alert', alert: a });
      continue;
    }
    if (placed.has(key)) continue;
    placed.add(key);
    const severity = g.alerts.reduce<AlertSeverity>((s, x) => (RANK[x.severity] < RANK[s] ? x.severity : s), 'info');
    out.push({ kind: 'group', group: { key, cause: g.text, alerts: g.alerts, vehicles: new Set(g.alerts.map((x) => x.vehicleId)).size, severity } });
  }
  return out;
}
