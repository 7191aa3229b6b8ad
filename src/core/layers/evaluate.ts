// Runs one layer rule on input shapes: rank check, config problems, wrapped layers, and values
// the analysis does not know. Used by the graph builder for every layer call and directly by the
// per-layer unit tests.

import { Cfg, hasUnknownValue, type LayerConfig, type LayerSpec } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { formatShape, hasUnknownDim, isShapeList, UNKNOWN_DIM, type Dim, type OutputShape, type RuleOutputShape, type RuleShape, type Shape } from '../shape';
import { getRule } from './registry';
import { NO_PARAMS, type LayerRule, type ParamCount, type RuleContext } from './types';

export interface RuleProblem {
  severity: 'error' | 'warning';
  code: DiagnosticCode;
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
  /** Part of the output or the params depends on a size or setting the analysis could not follow. */
  partlyUnknown?: boolean;
  /** Why the unknown part is unknown, when the rule knows (`the vocabulary is adapted from data`). */
  unknownWhy?: string;
}

const UNKNOWN_PARAMS: ParamCount = { trainable: null, nonTrainable: null };

/**
 * Stand-ins for unknown input dims, one per run: large (so no window or kernel makes them empty),
 * far apart (so every floor/ceil of a division by a stride differs) and small enough that
 * products of three stay exact.
 */
const DIM_SAMPLES = [10007, 20011, 30011];

/** Stand-ins for sizes learnt from data (`RuleContext.dataDependent`), one per run: distinct and above any count of special tokens. */
const DATA_SAMPLES = [1009, 2003, 3001];

/**
 * Evaluates `className` with `config` on `inputs` (null entries: shape unknown). Never throws: an
 * exception inside a rule is reported as an internal problem and the output becomes unknown.
 *
 * Inputs with unknown dims (`?`) or a config with unknown settings are evaluated once per
 * stand-in run (each unknown dim and setting replaced by a different value in each run). A dim or
 * count every run agrees on does not depend on the unknowns and is exact; the rest are unknown.
 * A problem is reported only when every run reports it word for word: Keras would raise it
 * whatever the unknown values are.
 */
export function evaluateLayer(
  className: string,
  config: LayerConfig,
  inputs: (Shape | null)[],
  layerName = className,
): LayerEvaluation {
  const rule = getRule(className);
  if (!rule) return { known: false, output: null, params: UNKNOWN_PARAMS, problems: [], explain: [] };
  let r: LayerEvaluation;
  const single = !inputs.some(hasUnknownDim) && !hasUnknownValue(config) ? runRule(rule, config, inputs as (RuleShape | null)[], layerName, 0, undefined) : null;
  if (single && single.unknownWhy === undefined) {
    const run = single;
    // A setting of an unusual kind is unknown (a list of unknown length, a layer it cannot see):
    // sizes the rule left as None may be lost ones.
    r = run.lost ? { ...run, output: unknownNones(run.output, inputs), partlyUnknown: true } : run;
  } else {
    const runs = DIM_SAMPLES.map((_, run) => runRule(rule, config, inputs.map((s) => s && s.map((d) => (d === UNKNOWN_DIM ? DIM_SAMPLES[run] : d))), layerName, 0, run));
    r = agree(runs, inputs);
    const why = single?.unknownWhy ?? runs.find((x) => x.unknownWhy)?.unknownWhy;
    if (why) r.unknownWhy = why;
  }
  // Keras raises here, so there is no size to show after it: what the rule left None is unknown.
  if (r.problems.some((p) => p.severity === 'error')) r = { ...r, output: unknownNones(r.output, inputs) };
  return r;
}

interface RuleRun extends LayerEvaluation {
  /** A config reader met an unknown it had no stand-in for. */
  lost: boolean;
}

function runRule(rule: LayerRule, config: LayerConfig, inputs: (RuleShape | null)[], layerName: string, depth: number, run: number | undefined): RuleRun {
  const problems: RuleProblem[] = [];
  const explain: string[] = [];
  const cfg = new Cfg(config, run);
  let lost = false;
  let unknownWhy: string | undefined;
  const ctx: RuleContext = {
    layerName,
    className: rule.className,
    error: (code, message, fix) => problems.push({ severity: 'error', code, message, fix }),
    warning: (code, message) => problems.push({ severity: 'warning', code, message }),
    explain: (step) => {
      if (explain.length < 64) explain.push(step);
    },
    dataDependent: (why) => {
      unknownWhy ??= why;
      return run === undefined ? null : DATA_SAMPLES[run % DATA_SAMPLES.length];
    },
    inner: (spec: LayerSpec, innerInputs: RuleShape[]) => {
      const innerRule = getRule(spec.className);
      if (depth > 8 || !innerRule) {
        if (!innerRule) problems.push({ severity: 'warning', code: DiagnosticCode.unknownLayer, message: `Unknown layer class "${spec.className}" wrapped by ${rule.className}; its output shape is unknown.` });
        return { output: null, params: UNKNOWN_PARAMS };
      }
      const r = runRule(innerRule, spec.config, innerInputs, layerName, depth + 1, run);
      for (const p of r.problems) problems.push(p);
      if (r.unknownWhy) unknownWhy ??= r.unknownWhy;
      if (r.lost) lost = true;
      return { output: r.output as RuleOutputShape, params: r.params };
    },
  };

  const known = inputs.filter((s): s is RuleShape => s !== null);
  const allKnown = known.length === inputs.length && inputs.length > 0;
  let output: RuleOutputShape = null;
  let params: ParamCount = rule.params ? UNKNOWN_PARAMS : NO_PARAMS;
  try {
    // A layer that takes whatever its code takes (`arity: 'any'`) checks the rank of a lone input only.
    const rank = rule.arity === 'any' && known.length > 1 ? undefined : rule.inputRank;
    if (allKnown && checkRank(rank, known, layerName, problems)) {
      output = rule.outputShape(known, cfg, ctx);
      if (rule.params) params = rule.params(known, cfg, ctx);
      params = withActivationLayer(params, output, cfg, ctx);
    } else if (!allKnown && rule.outputWithoutInput) {
      output = rule.outputWithoutInput(cfg);
    }
  } catch (e) {
    problems.push({ severity: 'warning', code: DiagnosticCode.internal, message: `Shape Lens could not analyse ${layerName}: ${(e as Error).message}` });
    output = null;
  }
  for (const p of cfg.problems) problems.push({ severity: 'error', code: DiagnosticCode.invalidConfig, message: `${layerName} (${rule.className}): ${p.message}` });
  return { known: true, output, params, problems, explain, lost: lost || cfg.lost, unknownWhy };
}

/**
 * `Dense(64, activation=PReLU())`: a layer given as the activation is built on the output and
 * tracked by the layer, so Keras counts its weights in this row.
 */
function withActivationLayer(params: ParamCount, output: RuleOutputShape, cfg: Cfg, ctx: RuleContext): ParamCount {
  const spec = cfg.layer('activation');
  if (!spec || output === null || isShapeList(output)) return params;
  const inner = ctx.inner(spec, [output]).params;
  const add = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
  const trainable = add(params.trainable, inner.trainable);
  const nonTrainable = add(params.nonTrainable, inner.nonTrainable);
  const extra = (inner.trainable ?? 0) + (inner.nonTrainable ?? 0);
  const formula = params.formula && trainable !== null && nonTrainable !== null && extra > 0 ? `${params.formula.replace(/ = [\d,]+.*$/, '')} + ${extra} (${spec.className}) = ${trainable + nonTrainable}` : params.formula;
  return { trainable, nonTrainable, formula };
}

/** What the stand-in runs agree on: equal dims and counts are exact, the rest unknown. */
function agree(runs: RuleRun[], inputs: (Shape | null)[]): LayerEvaluation {
  const [first, ...rest] = runs;
  const lost = runs.some((r) => r.lost);
  let output: OutputShape = first.output;
  for (const r of rest) output = agreeOutput(output, r.output);
  if (lost) output = unknownNones(output, inputs);
  const count = (pick: (p: ParamCount) => number | null): number | null => {
    const v = pick(first.params);
    return rest.every((r) => pick(r.params) === v) ? v : null;
  };
  const trainable = count((p) => p.trainable);
  const nonTrainable = count((p) => p.nonTrainable);
  const formula = rest.every((r) => r.params.formula === first.params.formula) ? first.params.formula : undefined;
  const problems = first.problems.filter((p) => rest.every((r) => r.problems.some((q) => q.severity === p.severity && q.code === p.code && q.message === p.message)));
  const explain = first.explain.filter((step) => rest.every((r) => r.explain.includes(step)));
  return { known: true, output, params: { trainable, nonTrainable, formula }, problems, explain, partlyUnknown: true };
}

function agreeOutput(a: OutputShape, b: OutputShape): OutputShape {
  if (a === null || b === null) return null;
  if (isShapeList(a) || isShapeList(b)) {
    if (!isShapeList(a) || !isShapeList(b) || a.length !== b.length) return null;
    const shapes = a.map((s, i) => agreeShape(s, b[i]));
    return shapes.some((s) => s === null) ? null : (shapes as Shape[]);
  }
  return agreeShape(a as Shape, b as Shape);
}

function agreeShape(a: Shape, b: Shape): Shape | null {
  if (a.length !== b.length) return null;
  return a.map((d, i): Dim => (d === b[i] ? d : UNKNOWN_DIM));
}

/**
 * After a lost setting a rule's None may stand for a size it could not compute: only the batch
 * dim, None in every input, stays None.
 */
function unknownNones(output: OutputShape, inputs: (Shape | null)[]): OutputShape {
  const batchNone = inputs.length > 0 && inputs.every((s) => s !== null && s[0] === null);
  const fix = (s: Shape): Shape => s.map((d, i) => (d === null && !(i === 0 && batchNone) ? UNKNOWN_DIM : d));
  if (output === null) return null;
  return isShapeList(output) ? output.map(fix) : fix(output as Shape);
}

function checkRank(
  spec: number | { min: number; max?: number } | undefined,
  inputs: RuleShape[],
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
        code: DiagnosticCode.rankMismatch,
        message: `Input ${i} of layer "${layerName}" is incompatible with the layer: expected ${expected}, found ndim=${n}. Full shape received: ${formatShape(shape)}`,
      });
    }
  });
  return ok;
}
