// Reports and export formats: shared by the UI (what to offer), the API and the `export` command.

export const REPORT_NAMES = ['trips', 'stops', 'visits', 'alerts', 'driver-scores', 'maintenance-risk', 'fleet-cost', 'positions', 'geofences', 'operator-log', 'jobs'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export const REPORT_TITLES: Record<ReportName, string> = {
  trips: 'Trips',
  stops: 'Stops',
  visits: 'Geofence visits',
  alerts: 'Alerts (with acknowledgement times)',
  'driver-scores': 'Driver scores',
  'maintenance-risk': 'Maintenance risk',
  'fleet-cost': 'Fleet cost',
  positions: 'Raw positions',
  geofences: 'Geofences',
  'operator-log': 'Operator log (notes by user)',
  jobs: 'Jobs (planned vs actual per stop, on time)',
};

export const EXPORT_FORMATS = ['csv', 'xlsx', 'pdf', 'gpx', 'kml', 'geojson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Reports with no map geometry can only be written as tables. */
export const TABLE_ONLY_REPORTS: readonly ReportName[] = ['visits', 'driver-scores', 'maintenance-risk', 'fleet-cost', 'operator-log', 'jobs'];

export type { ReportRequest, ExportProgress } from './contract/exports';
import type { ReportRequest } from './contract/exports';

export function exportFileName(r: Pick<ReportRequest, 'report' | 'format' | 'fromMs' | 'toMs' | 'vehicleIds'>): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const who = r.vehicleIds?.length === 1 ? `-${r.vehicleIds[0]!.replace(/[^A-Za-z0-9_.-]/g, '_')}` : '';
  const period = r.report === 'geofences' ? '' : `-${day(r.fromMs)}_${day(r.toMs)}`;
  return `fleetdesk-${r.report}${who}${period}.${r.format}`;
}
