// Test helper: evaluate one layer rule and, for the oracle, build the same layer with tfjs-layers.

import { evaluateLayer, type LayerEvaluation } from '../../../src/core/layers/evaluate';
import type { LayerConfig } from '../../../src/core/config';
import type { RuleShape } from '../../../src/core/shape';
import { totalParams } from '../../../src/core/layers/types';

export interface Result extends LayerEvaluation {
  total: number | null;
  errors: string[];
}

/** Evaluates `className(config)` on input shapes (batch dim included, null = None). */
export function run(className: string, config: LayerConfig, ...inputs: RuleShape[]): Result {
  const r = evaluateLayer(className, config, inputs, 'layer');
  return { ...r, total: totalParams(r.params), errors: r.problems.filter((p) => p.severity === 'error').map((p) => `${p.code}: ${p.message}`) };
}
