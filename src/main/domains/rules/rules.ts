// Rules: the engine's thresholds and the driver-score penalties, as saved in Settings → Rules.
import type { DrivingEventType } from '../../../shared/contract/alerts';
import type { EngineConfig } from '../../../shared/contract/rules';
import { DEFAULT_PENALTIES, PENALTIES_SETTING_KEY, type Penalties } from '../../core/analytics/scoring';
import { DEFAULT_ENGINE_CONFIG, validateEngineConfig } from '../../core/rules/config';
import type { Settings } from '../settings/settings';

export const ENGINE_CONFIG_KEY = 'engine.config';

export class Rules {
  engineConfig: EngineConfig;

  constructor(private readonly settings: Settings) {
    this.engineConfig = settings.load(ENGINE_CONFIG_KEY, DEFAULT_ENGINE_CONFIG, validateEngineConfig);
  }

  saveEngineConfig(config: EngineConfig): void {
    this.engineConfig = config;
    this.settings.save(ENGINE_CONFIG_KEY, config);
  }

  penalties(): Record<DrivingEventType, number> {
    return { ...DEFAULT_PENALTIES, ...this.settings.load<Penalties>(PENALTIES_SETTING_KEY, {}, (x) => (x && typeof x === 'object' ? null : 'not an object')) };
  }

  savePenalties(p: Penalties): void {
    this.settings.save(PENALTIES_SETTING_KEY, { ...DEFAULT_PENALTIES, ...p });
  }
}
