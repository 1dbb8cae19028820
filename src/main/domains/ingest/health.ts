// The status bar and Ingest health: counts, rates over the last 10 s and 60 s, rejects by reason.
import type { IngestHealth, SystemStatus } from '../../../shared/contract/ingest';
import type { LiveState } from '../../core/live/live-state';
import { groupRejects } from '../../core/ingest/reject-reasons';
import type { Store } from '../../core/storage/store';
import { QUALITY_FLAG_TEXT, type QualityFlag } from '../../core/telemetry/quality';
import type { StorageUpkeep } from '../storage/upkeep';
import type { IngestPipeline } from './pipeline';
import type { IngestCounters } from '../../core/ingest/ingestor';

type Sample = { atMs: number; accepted: number; flagged: number; rejected: number };

export class IngestHealthMonitor {
  /** Counter samples, one per second, for the rates. */
  private readonly samples: Sample[] = [];

  constructor(
    private readonly d: {
      store: Store;
      live: LiveState;
      pipeline: IngestPipeline;
      upkeep: StorageUpkeep;
      demo: boolean;
      federation?: () => SystemStatus['federation'];
      /** Headquarters: the depots' fixes stored here, counted with this FleetDesk's own ingest. */
      received?: () => IngestCounters | null;
    },
  ) {}

  /** What was stored: from this FleetDesk's brokers, plus (headquarters) what depots sent. */
  private counters(): IngestCounters {
    const own = this.d.pipeline.ingestor.counters;
    const fed = this.d.received?.() ?? null;
    if (!fed) return own;
    const byReason = { ...own.flaggedByReason };
    for (const [k, n] of Object.entries(fed.flaggedByReason)) byReason[k] = (byReason[k] ?? 0) + n;
    const last = Math.max(own.lastAcceptedMs ?? -1, fed.lastAcceptedMs ?? -1);
    return { accepted: own.accepted + fed.accepted, flagged: own.flagged + fed.flagged, duplicates: own.duplicates + fed.duplicates, rejected: own.rejected + fed.rejected, lastAcceptedMs: last < 0 ? null : last, flaggedByReason: byReason };
  }

  private latest(atMs: number): Sample {
    const c = this.counters();
    return { atMs, accepted: c.accepted, flagged: c.flagged, rejected: c.rejected };
  }

  /** Called every second. */
  sample(): void {
    this.samples.push(this.latest(Date.now()));
    if (this.samples.length > 61) this.samples.shift();
  }

  health(): IngestHealth {
    const now = Date.now();
    const ingestor = this.d.pipeline.ingestor;
    const c = this.counters();
    const latest = this.latest(now);
    const rate = (n: number, dt: number) => Math.round((n / dt) * 10) / 10;
    const rates = [10, 60].map((windowS) => {
      const base = [...this.samples].reverse().find((x) => now - x.atMs >= windowS * 1000) ?? this.samples[0] ?? latest;
      const dt = Math.max(1, (now - base.atMs) / 1000);
      return { windowS, accepted: rate(latest.accepted - base.accepted, dt), flagged: rate(latest.flagged - base.flagged, dt), rejected: rate(latest.rejected - base.rejected, dt) };
    });
    const run = this.d.upkeep.lastRun;
    return {
      nowMs: now,
      queueDepth: ingestor.queued,
      rates,
      totals: { accepted: c.accepted, flagged: c.flagged, duplicates: c.duplicates, rejected: c.rejected },
      rejectsByReason: groupRejects(this.d.store.telemetry.deadLetterReasons(now - 86_400_000)),
      flaggedByReason: Object.entries(c.flaggedByReason)
        .map(([flag, count]) => ({ flag, text: QUALITY_FLAG_TEXT[flag as QualityFlag] ?? flag, count }))
        .sort((a, b) => b.count - a.count),
      retention: { ...this.d.upkeep.retention, lastRunMs: run.lastRunMs, lastDeletedPoints: run.lastDeletedPoints },
    };
  }

  status(): SystemStatus {
    const now = Date.now();
    const { store, live, pipeline } = this.d;
    const c = pipeline.ingestor ? this.counters() : undefined;
    const bySeverity = store.alerts.openBySeverity();
    return {
      broker: { ...pipeline.brokerState, embedded: pipeline.listeners().embeddedUrls !== null },
      vehiclesOnline: live.onlineCount(now),
      vehiclesTotal: live.size,
      lastMessageMs: c?.lastAcceptedMs ?? null,
      ingest: { accepted: c?.accepted ?? 0, flagged: c?.flagged ?? 0, duplicates: c?.duplicates ?? 0, rejected: c?.rejected ?? 0 },
      openAlerts: bySeverity.info + bySeverity.warning + bySeverity.critical,
      openAlertsBySeverity: bySeverity,
      escalatedAlerts: store.alerts.countEscalated(),
      osmand: pipeline.osmandState(),
      storageProblems: this.d.upkeep.storageProblems(),
      demo: this.d.demo,
      federation: this.d.federation?.() ?? null,
      nowMs: now,
    };
  }
}
