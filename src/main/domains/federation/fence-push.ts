// A depot applies the fences headquarters pushed: a newer version replaces the fences it had from
// headquarters (its own fences stay), each checked as if drawn here (a broken one is skipped, said in the
// log); the version, count, arrival time and sender are remembered and shown.
import type { FederationStatus } from '../../../shared/contract/federation';
import type { GeofenceCategory, GeofenceInput } from '../../../shared/contract/fences';
import type { FenceRegistry } from '../fences/registry';
import type { Settings } from '../settings/settings';
import { decodeFencePush } from './wire';

const KEY = 'federation.pushedFences';
type State = Omit<NonNullable<FederationStatus['pushedFences']>, 'fenceIds'> & { ids: string[] };

export class FencePushes {
  constructor(private readonly d: { depotId: string; fences: FenceRegistry; settings: Settings; log: (line: string) => void; changed: () => void }) {}

  private state(): State | null {
    return this.d.settings.load<State | null>(KEY, null, (x) => (x === null || (typeof x === 'object' && Array.isArray((x as State).ids)) ? null : 'not a fence push record'));
  }

  /** What this depot runs of headquarters' fences. */
  status(): FederationStatus['pushedFences'] {
    const s = this.state();
    return s ? { version: s.version, count: s.count, arrivedMs: s.arrivedMs, by: s.by, fenceIds: s.ids } : null;
  }

  /** "headquarters, version N" when this fence came from headquarters' push now in force, else null. */
  ownerOf(id: string): string | null {
    const s = this.state();
    return s && s.ids.includes(id) ? `headquarters (version ${s.version}, by ${s.by})` : null;
  }

  apply(payload: Buffer, nowMs = Date.now()): void {
    const p = decodeFencePush(payload);
    if (typeof p === 'string') return this.d.log(`federation: a fence push from headquarters was refused: ${p}`);
    if (p.depot !== this.d.depotId) return this.d.log(`federation: a fence push for depot ${p.depot} arrived at ${this.d.depotId}; ignored`);
    const before = this.state();
    // the retained message comes again at every reconnection: applied once
    if (before && p.version <= before.version) return;
    const ids: string[] = [];
    for (const f of p.fences) {
      try {
        ids.push(this.d.fences.saveChecked({ id: f.id, name: f.name, category: f.category as GeofenceCategory, color: f.color, geometry: f.geometry, rules: f.rules } as GeofenceInput, false).id);
      } catch (err) {
        this.d.log(`federation: fence ${f.name} from headquarters was not applied: ${(err as Error).message}`);
      }
    }
    for (const id of before?.ids ?? []) if (!ids.includes(id)) this.d.fences.delete(id);
    this.d.settings.save(KEY, { version: p.version, count: ids.length, arrivedMs: nowMs, by: p.by, ids } satisfies State);
    this.d.log(`federation: fences from headquarters, version ${p.version} (${ids.length} fence(s), by ${p.by}) in force`);
    this.d.changed();
  }
}
