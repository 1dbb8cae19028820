// A depot applies the rules headquarters pushed: a newer version replaces the depot's thresholds, alert
// settings and penalties, checked as if saved here (a version that does not pass is refused whole, said in
// the log, and the rules in force stay). Merge: the depot keeps which of its vehicles is which class (it
// knows its vehicles) and the classes only it defines; a class headquarters defines is headquarters'.
import type { FederationStatus } from '../../../shared/contract/federation';
import type { RuleSettingsStore } from '../rules/handlers';
import type { Settings } from '../settings/settings';
import { decodeRulePush, type RulePush } from './wire';

const KEY = 'federation.pushedRules';
type State = NonNullable<FederationStatus['pushedRules']>;

/** The depot's rules with headquarters' pushed over them. */
export function mergeRules(own: ReturnType<RuleSettingsStore['current']>, pushed: RulePush['rules']): Parameters<RuleSettingsStore['save']>[0] {
  return {
    engine: { ...pushed.engine, classes: { ...own.engine.classes, ...pushed.engine.classes }, vehicleClass: own.engine.vehicleClass },
    alerts: pushed.alerts,
    penalties: pushed.penalties,
  };
}

export class RulePushes {
  constructor(private readonly d: { depotId: string; rules: RuleSettingsStore; settings: Settings; log: (line: string) => void }) {}

  /** What this depot runs of headquarters' rules. */
  status(): FederationStatus['pushedRules'] {
    return this.d.settings.load<State | null>(KEY, null, (x) => (x === null || (typeof x === 'object' && Number.isSafeInteger((x as State).version)) ? null : 'not a rules push record'));
  }

  apply(payload: Buffer, nowMs = Date.now()): void {
    const p = decodeRulePush(payload);
    if (typeof p === 'string') return this.d.log(`federation: a rules push from headquarters was refused: ${p}`);
    if (p.depot !== this.d.depotId) return this.d.log(`federation: a rules push for depot ${p.depot} arrived at ${this.d.depotId}; ignored`);
    const before = this.status();
    // the retained message comes again at every reconnection: applied once (a local edit since stays)
    if (before && p.version <= before.version) return;
    try {
      this.d.rules.save(mergeRules(this.d.rules.current(), p.rules));
    } catch (err) {
      return this.d.log(`federation: rules from headquarters, version ${p.version} (by ${p.by}), were not applied: ${(err as Error).message} The rules in force stay.`);
    }
    this.d.settings.save(KEY, { version: p.version, arrivedMs: nowMs, by: p.by } satisfies State);
    this.d.log(`federation: rules from headquarters, version ${p.version} (by ${p.by}), in force`);
  }
}
