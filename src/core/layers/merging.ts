// Merge layer rules (list inputs): Concatenate, Dot and the elementwise Add/Subtract/Multiply/Average/Maximum/Minimum.

import { UNKNOWN } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { constantValue, formulaOf, sumOf, type FormulaDim, type FormulaShape } from '../formula';
import { elements, formatShape, UNKNOWN_DIM, type RuleShape } from '../shape';
import { NO_COST, type LayerRule, type RuleContext } from './types';

/** Python's print of a list of shapes: `[(None, 4), (None, 5)]`. */
export function formatShapeList(shapes: RuleShape[]): string {
  return `[${shapes.map(formatShape).join(', ')}]`;
}

/**
 * RuleShape of an elementwise op on two shapes without batch dim, as Keras'
 * `Merge._compute_elemwise_op_output_shape`: right-aligned, 1 broadcasts, None wins.
 */
function elemwiseShape(a: RuleShape, b: RuleShape, ctx: RuleContext): RuleShape | null {
  if (a.length < b.length) return elemwiseShape(b, a, ctx);
  if (b.length === 0) return [...a];
  const out: RuleShape = a.slice(0, a.length - b.length);
  const tail = a.slice(a.length - b.length);
  for (let k = 0; k < b.length; k++) {
    const i = tail[k];
    const j = b[k];
    if (i === null || j === null) out.push(null);
    else if (i === 1) out.push(j);
    else if (j === 1) out.push(i);
    else if (i !== j) {
      ctx.error(DiagnosticCode.mergeMismatch, `Inputs have incompatible shapes. Received shapes ${formatShape(a)} and ${formatShape(b)}`);
      return null;
    } else out.push(i);
  }
  return out;
}

/** Batch dim shared by all inputs (null if none is known); reports differing known batch sizes. */
function mergedBatch(inputs: RuleShape[], ctx: RuleContext): number | null | undefined {
  const sizes = new Set(inputs.map((s) => s[0]).filter((d): d is number => d !== null && d !== undefined));
  if (sizes.size > 1) {
    ctx.error(DiagnosticCode.mergeMismatch, `Cannot merge tensors with different batch sizes. Received tensors with shapes ${formatShapeList(inputs)}`);
    return undefined;
  }
  return sizes.size === 1 ? [...sizes][0] : null;
}

/**
 * tf.profiler FLOPs per output element: one element-wise op (AddV2, Sub, Mul, Maximum, Minimum)
 * per input after the first; Average also divides once.
 */
const MERGE_OPS: Record<string, (n: number) => number> = {
  Add: (n) => n - 1,
  Subtract: () => 1,
  Multiply: (n) => n - 1,
  Average: (n) => n,
  Maximum: (n) => n - 1,
  Minimum: (n) => n - 1,
};

function elementwise(className: string, exactlyTwo = false): LayerRule {
  return {
    className,
    arity: 'multi',
    cost(inputs, outputs) {
      const n = elements(outputs[0]);
      return { macs: 0, flops: n === null ? null : n * MERGE_OPS[className](inputs.length) };
    },
    spatial: () => 'merge',
    symbolic: (inputs) => ({ output: broadcastFormulas(inputs) }),
    outputShape(inputs, _cfg, ctx) {
      const batch = mergedBatch(inputs, ctx);
      if (batch === undefined) return null;
      if (exactlyTwo && inputs.length !== 2) {
        ctx.error(DiagnosticCode.mergeMismatch, `A \`${className}\` layer should be called on exactly 2 inputs. Received: input_shape=${formatShapeList(inputs)}`);
        return null;
      }
      let out: RuleShape | null = inputs[0].slice(1);
      for (let i = 1; i < inputs.length && out; i++) out = elemwiseShape(out, inputs[i].slice(1), ctx);
      return out ? [batch, ...out] : null;
    },
  };
}

const concatenate: LayerRule = {
  className: 'Concatenate',
  arity: 'multi',
  // ConcatV2: nothing tf.profiler counts. Along the last (channel) axis positions keep their fields.
  cost: () => NO_COST,
  spatial: (inputs, _outputs, cfg) => {
    const axis = cfg.int('axis', -1);
    return axis === -1 || axis === inputs[0].length - 1 ? 'merge' : null;
  },
  outputShape(inputs, cfg, ctx) {
    const axis = cfg.int('axis', -1);
    if (axis === null) {
      // Unknown axis: only the rank is known.
      return inputs[0].map(() => null);
    }
    const mismatch = () =>
      ctx.error(
        DiagnosticCode.mergeMismatch,
        `A \`Concatenate\` layer requires inputs with matching shapes except for the concatenation axis. Received: input_shape=${formatShapeList(inputs)}`,
      );
    // Each input without its concatenation axis; ranks must agree and known dims must match.
    const reduced: RuleShape[] = [];
    for (const s of inputs) {
      const a = axis < 0 ? axis + s.length : axis;
      if (a < 0 || a >= s.length) {
        ctx.error(DiagnosticCode.invalidAxis, `Invalid axis ${axis} for \`Concatenate\`: input shape ${formatShape(s)} has rank ${s.length}. Received: input_shape=${formatShapeList(inputs)}`);
        return null;
      }
      reduced.push(s.filter((_, i) => i !== a));
    }
    if (new Set(reduced.map((s) => s.length)).size > 1) {
      mismatch();
      return null;
    }
    for (let i = 0; i < reduced[0].length; i++) {
      const known = new Set(reduced.map((s) => s[i]).filter((d) => d !== null));
      if (known.size > 1) {
        mismatch();
        return null;
      }
    }
    // Keras takes every other dim from the first input and sums the concatenation axis.
    const out = [...inputs[0]];
    const a = axis < 0 ? axis + out.length : axis;
    const parts = inputs.map((s) => s[a]);
    out[a] = parts.some((d) => d === null) ? null : (parts as number[]).reduce((x, y) => x + y, 0);
    ctx.explain(`axis ${a}: ${parts.map((d) => (d === null ? 'None' : String(d))).join(' + ')} = ${out[a] === null ? 'None' : out[a]}`);
    return out;
  },  // The concatenation axis is the sum of the inputs'; every other dim is the first formula found.
  symbolic(inputs, cfg) {
    const axis = cfg.int('axis', -1);
    const rank = inputs[0].length;
    const a = axis === null ? -1 : axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank || inputs.some((s) => s.length !== rank)) return null;
    const out = broadcastFormulas(inputs);
    out[a] = sumOf(inputs.map((s) => formulaOf(s[a]))) ?? UNKNOWN_DIM;
    return { output: out };
  },
};

/**
 * Formulas of an element-wise merge's output, right-aligned as broadcasting goes: at each axis the
 * first input's formula that is not the constant 1 (Keras requires the others to equal it or be 1).
 */
export function broadcastFormulas(inputs: FormulaShape[]): FormulaShape {
  const rank = Math.max(...inputs.map((s) => s.length));
  const out: FormulaShape = [];
  for (let i = 0; i < rank; i++) {
    let pick: FormulaDim | undefined;
    for (const s of inputs) {
      const d = s[s.length - rank + i];
      const f = formulaOf(d);
      if (f && constantValue(f) !== 1) {
        pick = f;
        break;
      }
      if (pick === undefined || (formulaOf(pick) === undefined && d !== undefined)) pick = d;
    }
    out.push(pick === undefined ? UNKNOWN_DIM : pick);
  }
  return out;
}

/** Dot `axes` resolved to one axis per input (Python negative indexing), or null if unknown. */
function dotAxes(raw: unknown, s1: RuleShape, s2: RuleShape): [number, number] | null {
  if (raw === undefined) raw = -1; // the `keras.layers.dot` default
  if (typeof raw === 'number') {
    const a = Math.trunc(raw);
    return a < 0 ? [mod(a, s1.length), mod(a, s2.length)] : [a, a];
  }
  if (Array.isArray(raw) && raw.length === 2 && raw.every((x) => typeof x === 'number')) {
    const [a, b] = raw as number[];
    return [a < 0 ? a + s1.length : a, b < 0 ? b + s2.length : b];
  }
  return null;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

const dot: LayerRule = {
  className: 'Dot',
  arity: 'multi',
  // A batched matmul: one MAC per output element per contracted element (FLOPs: not counted here).
  cost(inputs, outputs, cfg) {
    const axes = dotAxes(cfg.raw.axes, inputs[0], inputs[1] ?? []);
    const d = axes ? inputs[0][axes[0]] : null;
    const n = elements(outputs[0]);
    return { macs: d === null || d === undefined || n === null ? null : n * d, flops: null };
  },
  outputShape(inputs, cfg, ctx) {
    if (inputs.length !== 2) {
      ctx.error(DiagnosticCode.mergeMismatch, `A \`Dot\` layer should be called on a list of 2 inputs. Received: input_shape=${formatShapeList(inputs)}`);
      return null;
    }
    const [s1, s2] = inputs;
    const raw = cfg.raw.axes;
    if (raw === UNKNOWN || (Array.isArray(raw) && raw.some((x) => x === UNKNOWN))) return null;
    const axes = dotAxes(raw, s1, s2);
    if (!axes) {
      ctx.error(DiagnosticCode.invalidConfig, `Invalid format for argument \`axes\`: it should be an int or contain two integers. Received: axes=${JSON.stringify(raw)}`);
      return null;
    }
    const [a1, a2] = axes;
    if (a1 < 0 || a1 >= s1.length || a2 < 0 || a2 >= s2.length) {
      ctx.error(DiagnosticCode.invalidAxis, `Invalid axes for \`Dot\`: (${a1}, ${a2}) with input shapes ${formatShape(s1)}, ${formatShape(s2)}`);
      return null;
    }
    if (a1 === 0 || a2 === 0) {
      ctx.error(DiagnosticCode.invalidAxis, 'Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy batch dimension to your inputs using keras.ops.expand_dims(x, 0)');
      return null;
    }
    const d1 = s1[a1];
    const d2 = s2[a2];
    // Keras also rejects None against a known size; a None here may only mean "not known to the
    // analysis", so only two known, different sizes are reported.
    if (d1 !== null && d2 !== null && d1 !== d2) {
      ctx.error(
        DiagnosticCode.mergeMismatch,
        `Incompatible input shapes: axis values ${d1} (at axis ${a1}) != ${d2} (at axis ${a2}). Full input shapes: ${formatShape(s1)}, ${formatShape(s2)}`,
      );
      return null;
    }
    const out = [...s1.filter((_, i) => i !== a1), ...s2.filter((_, i) => i !== a2 && i !== 0)];
    if (out.length === 1) out.push(1);
    return out;
  },
};

/** Concatenate, Dot, Add, Subtract, Multiply, Average, Maximum, Minimum. */
export const mergingRules: LayerRule[] = [
  concatenate,
  dot,
  elementwise('Add'),
  elementwise('Subtract', true),
  elementwise('Multiply'),
  elementwise('Average'),
  elementwise('Maximum'),
  elementwise('Minimum'),
];
