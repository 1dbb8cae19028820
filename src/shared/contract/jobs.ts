// Dispatching work: jobs of ordered stops, the vehicles best placed to take one (by ETA), assignment sent
// to the vehicle over MQTT, its answers, and each stop's arrival and completion from its positions.
import { method, NoParams, Nullable, StringEnum, Type, type Static } from './schema';

export const STOP_KINDS = ['pickup', 'dropoff', 'service'] as const;
export const StopKind = StringEnum(STOP_KINDS);
export const JOB_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const JobPriority = StringEnum(JOB_PRIORITIES);
/** planned → offered (sent) → accepted / rejected → en_route → arrived (at a stop) → done, or failed / cancelled. */
export const JOB_STATUSES = ['planned', 'offered', 'accepted', 'rejected', 'en_route', 'arrived', 'done', 'failed', 'cancelled'] as const;
export const JobStatus = StringEnum(JOB_STATUSES);
export type JobStatus = Static<typeof JobStatus>;
export const StopStatus = StringEnum(['pending', 'arrived', 'done', 'failed'] as const);
/**
 * Where the job's message to the vehicle is: not sent (unassigned); queued (the vehicle is offline: it gets
 * it when it connects); sent (published, no word from the device yet); delivered (the device has it);
 * answered; no_answer (nothing within the answer time: an alert); cannot_send (a device with no downlink,
 * e.g. an OsmAnd phone: call the driver).
 */
export const DELIVERY_STATES = ['not_sent', 'queued', 'sent', 'delivered', 'answered', 'no_answer', 'cannot_send'] as const;
export const DeliveryState = StringEnum(DELIVERY_STATES);

const Lat = Type.Number({ minimum: -90, maximum: 90, default: 52.48 });
const Lon = Type.Number({ minimum: -180, maximum: 180, default: -1.89 });

export const JobStop = Type.Object({
  seq: Type.Integer(),
  kind: StopKind,
  name: Type.String(),
  lat: Type.Number(),
  lon: Type.Number(),
  radiusM: Type.Number(),
  /** The stop is this geofence: arrival and departure are the engine's enter and exit (with its entry delay). */
  fenceId: Nullable(Type.String()),
  windowStartMs: Nullable(Type.Number()),
  windowEndMs: Nullable(Type.Number()),
  status: StopStatus,
  arrivedMs: Nullable(Type.Number()),
  departedMs: Nullable(Type.Number()),
  doneMs: Nullable(Type.Number()),
  failedReason: Nullable(Type.String()),
});
export type JobStop = Static<typeof JobStop>;

export const Job = Type.Object({
  id: Type.Integer(),
  /** Customer or place, as the dispatcher names the job. */
  ref: Type.String(),
  priority: JobPriority,
  notes: Type.String(),
  /** Only vehicles of this class (Rules: vehicle → class) may take it; null: any. */
  vehicleClass: Nullable(Type.String()),
  status: JobStatus,
  vehicleId: Nullable(Type.String()),
  delivery: DeliveryState,
  createdMs: Type.Number(),
  createdBy: Type.String(),
  updatedMs: Type.Number(),
  /** The next stop not yet done (null when none is left). */
  nextStopSeq: Nullable(Type.Integer()),
  /** The assigned vehicle's ETA to the next stop, when live. */
  nextStopEtaMs: Nullable(Type.Number()),
  stops: Type.Array(JobStop),
  /** Headquarters: the depot that dispatched the job and works it (read-only here); null: this FleetDesk's own. */
  depotId: Nullable(Type.String()),
});
export type Job = Static<typeof Job>;

export const JobEvent = Type.Object({
  id: Type.Integer(),
  tsMs: Type.Number(),
  jobId: Type.Integer(),
  /** The vehicle that held the job then (null before it was assigned). */
  vehicleId: Nullable(Type.String()),
  stopSeq: Nullable(Type.Integer()),
  what: Type.String(),
  by: Type.String(),
  detail: Type.String(),
});
export type JobEvent = Static<typeof JobEvent>;

export const Suggestion = Type.Object({
  vehicleId: Type.String(),
  rank: Type.Integer(),
  /** ETA at the job's first stop (after the vehicle's current job, when it has one); null: cannot say. */
  etaMs: Nullable(Type.Number()),
  /** Straight-line distance from the vehicle to the first stop. */
  distanceKm: Type.Number(),
  /** Minutes of its current job still to do before it could start (0: free). */
  busyMin: Type.Number(),
  lat: Type.Number(),
  lon: Type.Number(),
  why: Type.String(),
});
export type Suggestion = Static<typeof Suggestion>;

export const SuggestResult = Type.Object({
  jobId: Type.Integer(),
  suggestions: Type.Array(Suggestion),
  /** Vehicles ranked in all. */
  considered: Type.Integer(),
  /** Vehicles left out and why (offline, privacy mode, …), with how many. */
  excluded: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() })),
  computedMs: Type.Number(),
});
export type SuggestResult = Static<typeof SuggestResult>;

export const NewStop = Type.Object({
  kind: Type.Optional(StopKind),
  name: Type.Optional(Type.String({ maxLength: 120 })),
  /** An existing geofence as the stop (its centre is the point, its name the default name); lat/lon are then ignored. */
  fenceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  lat: Type.Optional(Lat),
  lon: Type.Optional(Lon),
  radiusM: Type.Optional(Type.Number({ minimum: 20, maximum: 5000 })),
  windowStartMs: Type.Optional(Nullable(Type.Number())),
  windowEndMs: Type.Optional(Nullable(Type.Number())),
});
export type NewStop = Static<typeof NewStop>;

export const NewJob = Type.Object({
  ref: Type.String({ minLength: 1, maxLength: 120, default: 'Customer' }),
  priority: Type.Optional(JobPriority),
  notes: Type.Optional(Type.String({ maxLength: 2000 })),
  vehicleClass: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  stops: Type.Array(NewStop, { minItems: 1, maxItems: 50 }),
});
export type NewJob = Static<typeof NewJob>;

const JobId = Type.Integer({ minimum: 1, default: 1 });

export const jobsMethods = {
  createJob: method('dispatcher', NewJob, Job),
  listJobs: method('viewer', Type.Object({ open: Type.Optional(Type.Boolean()), vehicleId: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1 })) }), Type.Array(Job)),
  getJob: method('viewer', Type.Object({ id: JobId }), Type.Object({ job: Job, timeline: Type.Array(JobEvent) })),
  /** The vehicles best placed to take the job, by ETA to its first stop, each with why. */
  suggestVehicles: method('dispatcher', Type.Object({ id: JobId, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })) }), SuggestResult),
  /** Gives the job to a vehicle and sends it there (or queues it until the vehicle connects). */
  assignJob: method('dispatcher', Type.Object({ id: JobId, vehicleId: Type.String({ minLength: 1, maxLength: 64 }) }), Job),
  /**
   * A dispatcher settles a stop on the driver's word (a phone call, a device with no downlink) or on their
   * own judgment: done, or failed with the reason. The job moves on to its next stop, or ends.
   */
  settleStop: method(
    'dispatcher',
    Type.Object({ id: JobId, seq: Type.Integer({ minimum: 1, default: 1 }), outcome: StringEnum(['done', 'failed'] as const), reason: Type.Optional(Type.String({ maxLength: 500 })) }),
    Job,
  ),
  cancelJob: method('dispatcher', Type.Object({ id: JobId, reason: Type.String({ minLength: 1, maxLength: 500, default: 'no longer needed' }) }), Job),
  /** CSV with a header: ref, kind, name, lat, lon or fence (a geofence id or name)[, radius_m, window_start, window_end, priority, notes, vehicle_class]; rows with the same ref are one job's stops in order. */
  importJobsCsv: method('dispatcher', Type.Object({ text: Type.String({ maxLength: 5_000_000 }) }), Type.Object({ imported: Type.Integer(), errors: Type.Array(Type.String()) })),
};

/** A job event in a vehicle's history, with the job's name and the stop's place (History and replay). */
export const HistoryJobEvent = Type.Composite([JobEvent, Type.Object({ ref: Type.String(), stopName: Nullable(Type.String()), lat: Nullable(Type.Number()), lon: Nullable(Type.Number()) })]);
export type HistoryJobEvent = Static<typeof HistoryJobEvent>;

export const jobsEvents = {
  jobUpdated: Job,
};

// ---- text messages with drivers ----

/**
 * A text between a dispatcher and a driver. Down (to the vehicle): queued (offline), sent, delivered (the
 * device has it), read (the driver opened it), cannot_send (no downlink: call). Up (from the driver):
 * received, then read once a dispatcher has seen it.
 */
export const MESSAGE_STATES = ['queued', 'sent', 'delivered', 'read', 'cannot_send', 'received'] as const;
export const DriverMessage = Type.Object({
  id: Type.Integer(),
  vehicleId: Type.String(),
  direction: StringEnum(['down', 'up'] as const),
  text: Type.String(),
  tsMs: Type.Number(),
  /** The dispatcher who wrote it (down) or the vehicle's driver (up). */
  by: Type.String(),
  state: StringEnum(MESSAGE_STATES),
  /** When the state last changed (delivered, read). */
  stateMs: Type.Number(),
  /** Down: the replies the driver's device offers as buttons. */
  replies: Type.Array(Type.String()),
});
export type DriverMessage = Static<typeof DriverMessage>;

/** What a dispatcher can send with one click, and what a driver can answer with one tap. */
export const CANNED_MESSAGES = ['Call the office, please', 'Where are you now?', 'Next job coming: confirm when free', 'Road closed ahead: take the diversion'] as const;
export const CANNED_REPLIES = ['OK', 'On my way', 'Running late', 'Call me'] as const;

export const messagesMethods = {
  sendMessage: method('dispatcher', Type.Object({ vehicleId: Type.String({ minLength: 1, maxLength: 64 }), text: Type.String({ minLength: 1, maxLength: 1000, default: 'hello' }) }), DriverMessage),
  listMessages: method('viewer', Type.Object({ vehicleId: Type.String({ minLength: 1, maxLength: 64 }), limit: Type.Optional(Type.Integer({ minimum: 1 })) }), Type.Array(DriverMessage)),
  /** A dispatcher has read what this vehicle's driver sent. */
  markMessagesRead: method('dispatcher', Type.Object({ vehicleId: Type.String({ minLength: 1, maxLength: 64 }) }), Type.Object({ read: Type.Integer() })),
  /** Unread messages from drivers, in all and per vehicle (the status bar's count). */
  getUnreadMessages: method('viewer', NoParams, Type.Object({ total: Type.Integer(), byVehicle: Type.Record(Type.String(), Type.Integer()) })),
};

export const messagesEvents = {
  messageUpdated: DriverMessage,
};
