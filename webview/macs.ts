// The MACs figures of the pooling preview and the model lab, worded once for both (issue 13): a
// model's MACs and FLOPs with and without its pooling layers, and what one pooling layer saves.
// The host formats the counts as the editor's hover does (src/panels/poolingTarget.ts).

import type { CountFigure, LayerInfo, ModelInfo } from '../src/protocol';

/** `a / b` as the panels print ratios: `3.79`, `54.0`, `4`. */
export function ratio(a: number, b: number): string {
  if (b === 0) return '∞';
  const r = a / b;
  return Number.isInteger(r) ? String(r) : r.toFixed(r < 10 ? 2 : 1);
}

/** What MACs are, for the titles of the sentences below. */
export const MACS_MEANING = 'MACs: multiply-accumulates of one forward pass of one sample, as the editor’s hover counts them (one per weight multiply of Conv and Dense layers; pooling has none). FLOPs as tf.profiler counts them.';

const exact = (f: CountFigure) => (f.value === null ? `? ${f.why ?? ''}` : f.value.toLocaleString('en-US'));

/**
 * `MACs per sample: 26.4 M with pooling, 100 M without (3.79× as many); FLOPs 54.2 M and 202 M.`
 * (a model without pooling layers: its MACs and FLOPs). Null for a host that
 * sent no counts. Unknown counts read `?` and the sentence says why.
 */
export function macsSentence(m: ModelInfo): string | null {
  const w = m.costWith;
  const wo = m.costWithout;
  if (!w || !wo) return null;
  const why = [w.macs, wo.macs, w.flops, wo.flops].find((f) => f.value === null && f.why)?.why;
  const unknown = why ? ` (? ${why})` : '';
  if (m.removed.length === 0) return `MACs per sample: ${w.macs.text}; FLOPs ${w.flops.text}${unknown}.`;
  const more = w.macs.value && wo.macs.value !== null ? ` (${ratio(wo.macs.value, w.macs.value)}× as many)` : '';
  return `MACs per sample: ${w.macs.text} with pooling, ${wo.macs.text} without${more}; FLOPs ${w.flops.text} and ${wo.flops.text}${unknown}.`;
}

/** The exact counts behind `macsSentence`, for its title. */
export function macsTitle(m: ModelInfo): string {
  const w = m.costWith;
  const wo = m.costWithout;
  if (!w || !wo) return MACS_MEANING;
  return `${MACS_MEANING}\nWith pooling: ${exact(w.macs)} MACs, ${exact(w.flops)} FLOPs.\nWithout: ${exact(wo.macs)} MACs, ${exact(wo.flops)} FLOPs.`;
}

/**
 * What pooling layer `l` saves its model, and what "saves" means: `max_pooling2d saves 41.0 M MACs
 * per sample: taken out alone, the model would need 41.0 M more than its 26.4 M.` Null when the
 * host sent no saving (global pooling, no model).
 */
export function savesSentence(l: LayerInfo, m: ModelInfo | null | undefined): string | null {
  const s = l.saves;
  if (!s) return null;
  if (s.value === null) return `What ${l.name} saves in MACs is not known (?): ${s.why ?? 'Shape Lens does not know it'}.`;
  const model = m?.costWith?.macs.text;
  const its = model ? ` than its ${model}` : '';
  if (s.value === 0) return `${l.name} saves 0 MACs per sample: taken out alone, the model would need as many multiply-accumulates${model ? ` (${model})` : ''}.`;
  if (s.value < 0) return `${l.name} costs ${s.text.replace(/^-/, '')} MACs per sample: taken out alone, the model would need fewer multiply-accumulates${its}.`;
  return `${l.name} saves ${s.text} MACs per sample: taken out alone, the model would need ${s.text} more multiply-accumulates${its} (the layers after it see a larger map).`;
}

/** The exact saving, for the title of `savesSentence`. */
export const savesTitle = (l: LayerInfo) => (l.saves ? `${MACS_MEANING}\n${l.name} saves ${exact(l.saves)} MACs.` : MACS_MEANING);
