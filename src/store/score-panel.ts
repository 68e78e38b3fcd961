// The score panel as a pure state machine: pick a score config (or a free-form name), give a
// value in the way its data type wants (a number, y/n, a category's digit, a line of text),
// optionally a comment, submit. Keys in, next state (and what to submit) out.

import type { ScoreConfig } from '../domain/types.js';
import type { KeyPress } from '../ports/keys.js';

export interface ScorePanel {
  targetLabel: string;
  configs: ScoreConfig[] | null;
  loadError: string | null;
  step: 'pick' | 'name' | 'value' | 'comment';
  /** Highlighted row in the pick step; configs.length is the free-form row. */
  index: number;
  config: ScoreConfig | null;
  name: string;
  input: string;
  value: string;
  error: string | null;
  /** Picking the config for quick-label mode rather than scoring once. */
  quick: boolean;
}

export interface PanelOutcome {
  panel: ScorePanel | null;
  submit?: { name: string; value: string; comment?: string };
  quickConfig?: ScoreConfig;
}

export function newPanel(targetLabel: string, quick = false): ScorePanel {
  return { targetLabel, configs: null, loadError: null, step: 'pick', index: 0, config: null, name: '', input: '', value: '', error: null, quick };
}

/** The value a key stands for in quick-label mode (and the value step of y/n and categories). */
export function quickValue(config: ScoreConfig, input: string): string | null {
  if (config.dataType === 'BOOLEAN') {
    if (input === 'y') return 'true';
    if (input === 'n') return 'false';
    return null;
  }
  if (config.dataType === 'CATEGORICAL') {
    const index = Number(input);
    if (!/^[1-9]$/.test(input) || index > (config.categories?.length ?? 0)) return null;
    return config.categories![index - 1]!.label;
  }
  if (config.dataType === 'NUMERIC' && /^[0-9]$/.test(input)) return input;
  return null;
}

function chooseConfig(panel: ScorePanel, config: ScoreConfig | null): PanelOutcome {
  if (panel.quick) {
    if (!config) return { panel: { ...panel, error: 'quick-label needs a score config' } };
    if (config.dataType === 'TEXT') return { panel: { ...panel, error: 'quick-label takes numeric, boolean or categorical configs' } };
    return { panel: null, quickConfig: config };
  }
  if (!config) return { panel: { ...panel, step: 'name', input: '', error: null } };
  return { panel: { ...panel, step: 'value', config, name: config.name, input: '', error: null } };
}

function editText(text: string, input: string, key: KeyPress): string | null {
  if (key.backspace || key.delete) return text.slice(0, -1);
  if (key.ctrl && input === 'u') return '';
  if (input && !key.ctrl && !key.return && !key.escape && !key.tab) return text + input.replace(/[\r\n\t]/g, ' ');
  return null;
}

export function panelKey(panel: ScorePanel, input: string, key: KeyPress): PanelOutcome {
  if (key.escape) return { panel: null };
  const configs = panel.configs ?? [];
  switch (panel.step) {
    case 'pick': {
      if (key.upArrow || input === 'k') return { panel: { ...panel, index: Math.max(0, panel.index - 1) } };
      if (key.downArrow || input === 'j') return { panel: { ...panel, index: Math.min(configs.length, panel.index + 1) } };
      if (/^[1-9]$/.test(input) && Number(input) <= configs.length) return chooseConfig(panel, configs[Number(input) - 1]!);
      if (input === 'f' || input === '0') return chooseConfig(panel, null);
      if (key.return) return chooseConfig(panel, configs[panel.index] ?? null);
      return { panel };
    }
    case 'name': {
      if (key.return) {
        const name = panel.input.trim();
        if (!/^[\w.\- ]{1,100}$/.test(name)) return { panel: { ...panel, error: 'a score name: letters, digits, _ . - and spaces' } };
        return { panel: { ...panel, step: 'value', name, input: '', error: null } };
      }
      const text = editText(panel.input, input, key);
      return { panel: text === null ? panel : { ...panel, input: text, error: null } };
    }
    case 'value': {
      const config = panel.config;
      if (config && (config.dataType === 'BOOLEAN' || config.dataType === 'CATEGORICAL')) {
        const value = quickValue(config, input);
        if (value === null) {
          const hint = config.dataType === 'BOOLEAN' ? 'y or n' : `1–${config.categories?.length ?? 0}`;
          return { panel: input ? { ...panel, error: `press ${hint}` } : panel };
        }
        return { panel: { ...panel, step: 'comment', value, input: '', error: null } };
      }
      if (key.return) {
        const value = panel.input.trim();
        if (!value) return { panel: { ...panel, error: 'type a value' } };
        if (config?.dataType === 'NUMERIC') {
          const number = Number(value);
          if (!Number.isFinite(number)) return { panel: { ...panel, error: 'a number, please' } };
          if ((config.minValue != null && number < config.minValue) || (config.maxValue != null && number > config.maxValue)) {
            return { panel: { ...panel, error: `between ${config.minValue ?? '-∞'} and ${config.maxValue ?? '∞'}` } };
          }
        }
        return { panel: { ...panel, step: 'comment', value, input: '', error: null } };
      }
      const text = editText(panel.input, input, key);
      return { panel: text === null ? panel : { ...panel, input: text, error: null } };
    }
    case 'comment': {
      if (key.return) {
        const comment = panel.input.trim();
        return { panel: null, submit: { name: panel.name, value: panel.value, ...(comment ? { comment } : {}) } };
      }
      const text = editText(panel.input, input, key);
      return { panel: text === null ? panel : { ...panel, input: text } };
    }
  }
}
