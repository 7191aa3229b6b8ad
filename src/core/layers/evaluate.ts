// Runs one layer rule on input shapes: rank check, config problems, wrapped layers. Used by the
// graph builder for every layer call and directly by the per-layer unit tests.

import { Cfg, type LayerConfig, type LayerSpec } from '../config';
import { formatShape, type OutputShape, type Shape } from '../shape';
import { getRule } from './registry';
import { NO_PARAMS, type ParamCount, type RuleContext } from './types';

export interface RuleProblem {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  fix?: { arg: string; value: string; title: string };
}

export interface LayerEvaluation {
  /** False when no rule exists for the class (unknown layer). */
  known: boolean;
  output: OutputShape;
  params: ParamCount;
  problems: RuleProblem[];
  /** Arithmetic steps recorded by the rule, for hovers. */
  explain: string[];
}

const UNKNOWN_PARAMS: ParamCount = { trainable: null, nonTrainable: null };

/**
 * Evaluates `className` with `config` on `inputs` (null entries: shape unknown). Never throws: an
 * exception inside a rule is reported as an internal problem and the output becomes unknown.
 */
export function evaluateLayer(
  className: string,
  config: LayerConfig,
  inputs: (Shape | null)[],
  layerName = className,
  depth = 0,
): LayerEvaluation {
  const rule = getRule(className);
  const problems: RuleProblem[] = [];
  const explain: string[] = [];
  if (!rule) {
    return { known: false, output: null, params: UNKNOWN_PARAMS, problems, explain };
  }
  const cfg = new Cfg(config);
  const ctx: RuleContext = {
    layerName,
    className: rule.className,
    error: (code, message, fix) => problems.push({ severity: 'error', code, message, fix }),
    warning: (code, message) => problems.push({ severity: 'warning', code, message }),
    explain: (step) => {
      if (explain.length < 64) explain.push(step);
    },
    inner: (spec: LayerSpec, innerInputs: Shape[]) => {
      if (depth > 8) return { output: null, params: UNKNOWN_PARAMS };
      const r = evaluateLayer(spec.className, spec.config, innerInputs, layerName, depth + 1);
      for (const p of r.problems) problems.push(p);
      if (!r.known) problems.push({ severity: 'warning', code: 'unknown-layer', message: `Unknown layer class "${spec.className}" wrapped by ${rule.className}; its output shape is unknown.` });
      return { output: r.output, params: r.params };
    },
  };

  const known = inputs.filter((s): s is Shape => s !== null);
  const allKnown = known.length === inputs.length && inputs.length > 0;
  let output: OutputShape = null;
  let params: ParamCount = rule.params ? UNKNOWN_PARAMS : NO_PARAMS;
  try {
    if (allKnown && checkRank(rule.inputRank, known, layerName, problems)) {
      output = rule.outputShape(known, cfg, ctx);
      if (rule.params) params = rule.params(known, cfg, ctx);
    } else if (!allKnown && rule.outputWithoutInput) {
      output = rule.outputWithoutInput(cfg);
    }
  } catch (e) {
    problems.push({ severity: 'warning', code: 'internal', message: `Shape Lens could not analyse ${layerName}: ${(e as Error).message}` });
    output = null;
  }
  for (const p of cfg.problems) problems.push({ severity: 'error', code: 'invalid-config', message: `${layerName} (${rule.className}): ${p.message}` });
  return { known: true, output, params, problems, explain };
}

function checkRank(
  spec: number | { min: number; max?: number } | undefined,
  inputs: Shape[],
  layerName: string,
  problems: RuleProblem[],
): boolean {
  if (spec === undefined) return true;
  let ok = true;
  inputs.forEach((shape, i) => {
    const n = shape.length;
    let expected: string | null = null;
    if (typeof spec === 'number') {
      if (n !== spec) expected = `ndim=${spec}`;
    } else {
      if (n < spec.min) expected = `min_ndim=${spec.min}`;
      else if (spec.max !== undefined && n > spec.max) expected = `max_ndim=${spec.max}`;
    }
    if (expected) {
      ok = false;
      problems.push({
        severity: 'error',
        code: 'rank-mismatch',
        message: `Input ${i} of layer "${layerName}" is incompatible with the layer: expected ${expected}, found ndim=${n}. Full shape received: ${formatShape(shape)}`,
      });
    }
  });
  return ok;
}
