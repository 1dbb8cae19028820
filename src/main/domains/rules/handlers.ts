// Rule methods: thresholds, alert severities and penalties, checked and applied to the running engine.
import type { RuleSettings, rulesMethods } from '../../../shared/contract/rules';
import { DEFAULT_PENALTIES } from '../../core/analytics/scoring';
import type { EngineHost } from '../../core/engine/engine-host';
import { DEFAULT_ALERT_SETTINGS, validateAlertSettings } from '../../core/rules/alerts';
import { validateEngineConfig } from '../../core/rules/config';
import { ApiError } from '../../api/api-error';
import type { HandlersOf } from '../../api/handlers';
import type { AlertDesk } from '../alerts/desk';
import type { Rules } from './rules';

/** Rule settings as a whole: read, and saved (checked, then applied to the running engine and alert desk). */
export interface RuleSettingsStore {
  current(): RuleSettings;
  save(p: SaveRuleSettings): RuleSettings;
}
type SaveRuleSettings = Parameters<HandlersOf<typeof rulesMethods>['saveRuleSettings']>[0];

export function ruleSettingsStore(d: { rules: Rules; desk: AlertDesk; engine: EngineHost }): RuleSettingsStore {
  const { rules, desk } = d;
  const current = () => ({ engine: rules.engineConfig, alerts: desk.settings, penalties: rules.penalties() });
  return {
    current,
    save: (p) => {
      const engineErr = validateEngineConfig(p.engine);
      if (engineErr) throw new ApiError('bad_request', `Rules not saved: ${engineErr}.`);
      const alerts = { ...p.alerts, severity: { ...DEFAULT_ALERT_SETTINGS.severity, ...p.alerts.severity } };
      const alertErr = validateAlertSettings(alerts);
      if (alertErr) throw new ApiError('bad_request', `Alert settings not saved: ${alertErr}.`);
      const bad = Object.entries(p.penalties ?? {}).find(([k, v]) => !(k in DEFAULT_PENALTIES) || !(v >= 0) || v > 100);
      if (bad) throw new ApiError('bad_request', `Penalty for ${bad[0]} must be a number from 0 to 100.`);
      rules.saveEngineConfig(p.engine);
      desk.saveSettings(alerts);
      d.engine.setConfig(p.engine);
      if (p.penalties !== undefined) rules.savePenalties(p.penalties);
      return current();
    },
  };
}

export function rulesHandlers(d: { settings: RuleSettingsStore }): HandlersOf<typeof rulesMethods> {
  return {
    getRuleSettings: async () => d.settings.current(),
    saveRuleSettings: async (p) => d.settings.save(p),
  };
}
