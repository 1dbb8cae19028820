// Maintenance methods: the breakdown-risk overview, retraining, and service/breakdown records.
import type { maintenanceMethods } from '../../../shared/contract/maintenance';
import type { MaintenanceRecordInput } from '../../../shared/contract/maintenance';
import { limitOf, type HandlersOf } from '../../api/handlers';
import type { MaintenanceService } from './service';

export function maintenanceHandlers(d: { maintenance: MaintenanceService }): HandlersOf<typeof maintenanceMethods> {
  const m = d.maintenance;
  /** Every change makes the cached overview stale. */
  const changing = <T>(result: T): T => {
    m.invalidate();
    return result;
  };
  return {
    getMaintenance: async () => m.cachedOverview(),
    retrainMaintenance: async () => ({ started: m.retrain() }),
    setMaintenanceCapacity: async (p) => {
      m.setChecksPerWeek(p.checksPerWeek);
      return m.cachedOverview();
    },
    listMaintenanceRecords: async (p) => m.records(p.vehicleId || undefined, limitOf(p.limit, 200, 5000)),
    // the record's kind and values are checked by the service (with what is wrong)
    addMaintenanceRecord: async (p) => changing(m.addRecord(p as MaintenanceRecordInput)),
    deleteMaintenanceRecord: async (p) => changing({ deleted: m.deleteRecord(p.id) }),
    importMaintenanceCsv: async (p) => changing(m.importCsv(p.kind, p.text)),
  };
}
