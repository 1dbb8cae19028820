// The database: one SQLite connection and the domains' repositories on it. Each repository owns its
// tables, their SQL and their migrations (src/main/domains/<domain>/repo.ts and schema.ts); this file only
// opens the connection, runs the migrations in order, and does the one write that spans domains (an engine
// batch: alerts, fence crossings and driving events in one transaction). All SQL is parameterised.
import Database from 'better-sqlite3';
import type { Alert } from '../../../shared/contract/alerts';
import type { DrivingEvent } from '../../../shared/contract/drivers';
import { AlertsRepo, type NewAlert } from '../../domains/alerts/repo';
import { alertsSchema } from '../../domains/alerts/schema';
import { AuditRepo } from '../../domains/audit/repo';
import { auditSchema } from '../../domains/audit/schema';
import { costsSchema } from '../../domains/costs/schema';
import { DevicesRepo } from '../../domains/devices/repo';
import { devicesSchema } from '../../domains/devices/schema';
import { DriversRepo } from '../../domains/drivers/repo';
import { driversSchema } from '../../domains/drivers/schema';
import { FencesRepo, type FenceEvent } from '../../domains/fences/repo';
import { fencesSchema } from '../../domains/fences/schema';
import { TrackRepo } from '../../domains/history/repo';
import { historySchema } from '../../domains/history/schema';
import { TelemetryRepo } from '../../domains/ingest/repo';
import { ingestSchema } from '../../domains/ingest/schema';
import { maintenanceSchema } from '../../domains/maintenance/schema';
import { PrivacyRepo } from '../../domains/privacy/repo';
import { privacySchema } from '../../domains/privacy/schema';
import { SettingsRepo } from '../../domains/settings/repo';
import { settingsSchema } from '../../domains/settings/schema';
import { NotesRepo } from '../../domains/handover/repo';
import { handoverSchema } from '../../domains/handover/schema';
import { UsersRepo } from '../../domains/users/repo';
import { JobsRepo } from '../../domains/jobs/repo';
import { MessagesRepo } from '../../domains/jobs/messages-repo';
import { jobsSchema } from '../../domains/jobs/schema';
import { federationSchema } from '../../domains/federation/schema';
import { FederationRepo } from '../../domains/federation/repo';
import { usersSchema } from '../../domains/users/schema';
import type { AlertClear } from '../rules/alerts';
import { mergeSchema } from './migrations';

export { DEAD_LETTER_MAX_BYTES, pointFromRow, type DeadLetterInput, type IncomingPoint, type StoredBatchResult } from '../../domains/ingest/repo';
export type { NewAlert } from '../../domains/alerts/repo';

/** Every migration, in order (a domain's step v runs with the others' step v, in this order of domains). */
export const MIGRATIONS = mergeSchema([ingestSchema, fencesSchema, alertsSchema, devicesSchema, settingsSchema, driversSchema, historySchema, auditSchema, privacySchema, maintenanceSchema, costsSchema, usersSchema, handoverSchema, jobsSchema, federationSchema]);

export class Store {
  readonly db: Database.Database;
  /** Read-only: for work in another thread beside the service's own connection (no migrations, no writes). */
  readonly readonly: boolean;
  readonly telemetry: TelemetryRepo;
  readonly track: TrackRepo;
  readonly fences: FencesRepo;
  readonly alerts: AlertsRepo;
  readonly drivers: DriversRepo;
  readonly privacy: PrivacyRepo;
  readonly audit: AuditRepo;
  readonly devices: DevicesRepo;
  readonly settings: SettingsRepo;
  readonly users: UsersRepo;
  readonly notes: NotesRepo;
  readonly jobs: JobsRepo;
  readonly messages: MessagesRepo;
  readonly federation: FederationRepo;

  constructor(
    readonly file: string,
    options: { readonly?: boolean } = {},
  ) {
    this.readonly = options.readonly ?? false;
    this.db = new Database(file, this.readonly ? { readonly: true, fileMustExist: true } : undefined);
    if (this.readonly) {
      this.db.pragma('busy_timeout = 5000');
      const version = this.db.pragma('user_version', { simple: true }) as number;
      if (version !== MIGRATIONS.length) {
        this.db.close();
        throw new Error(`${file} has database schema version ${version}, this FleetDesk expects ${MIGRATIONS.length}: open it read-write first`);
      }
    } else {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL'); // durable at checkpoint; WAL keeps commits atomic
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('cache_size = -65536'); // 64 MiB page cache: the telemetry index stays in memory
      this.db.pragma('wal_autocheckpoint = 4000'); // pages (16 MiB): fewer, larger checkpoints under load
      this.db.pragma('foreign_keys = ON');
      this.migrate();
    }
    this.settings = new SettingsRepo(this.db);
    this.telemetry = new TelemetryRepo(this.db);
    this.track = new TrackRepo(this.db, this.settings, this.readonly);
    this.fences = new FencesRepo(this.db);
    this.alerts = new AlertsRepo(this.db);
    this.drivers = new DriversRepo(this.db);
    this.privacy = new PrivacyRepo(this.db);
    this.audit = new AuditRepo(this.db);
    this.devices = new DevicesRepo(this.db);
    this.users = new UsersRepo(this.db);
    this.notes = new NotesRepo(this.db);
    this.jobs = new JobsRepo(this.db);
    this.messages = new MessagesRepo(this.db);
    this.federation = new FederationRepo(this.db);
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  /**
   * Stores one engine batch in one transaction: fence crossings, driving events, the alerts they raise,
   * and the lines whose condition ended (resolved by themselves, at `resolvedMs`).
   */
  recordEngineOutput(input: {
    alerts: readonly NewAlert[];
    fenceEvents?: readonly FenceEvent[];
    drivingEvents?: readonly Omit<DrivingEvent, 'id'>[];
    clears?: readonly AlertClear[];
    resolvedMs?: number;
  }): { raised: Alert[]; repeated: Alert[]; cleared: Alert[] } {
    return this.db.transaction(() => {
      this.fences.recordEvents(input.fenceEvents ?? []);
      this.drivers.recordEvents(input.drivingEvents ?? []);
      const recorded = this.alerts.record(input.alerts);
      const cleared = (input.clears ?? []).flatMap((c) => this.alerts.clear(c, input.resolvedMs ?? Date.now()));
      return { ...recorded, cleared };
    })();
  }

  stats(): { telemetryRows: number; vehicles: number; deadLetters: number; alerts: number; geofences: number } {
    const count = (table: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      telemetryRows: count('telemetry'),
      vehicles: count('vehicles'),
      deadLetters: count('dead_letters'),
      alerts: count('alerts'),
      geofences: count('geofences'),
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
