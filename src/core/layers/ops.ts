// Tensor operations that connect a functional graph without being layers (Keras 3: `x + y` on
// KerasTensors is `ops.Add`, `keras.ops.multiply(a, b)` ...): they shape tensors and own no weights.
// They are not in `Functional.layers`, but they are summary rows: Keras 3's print_summary lists
// `Functional._operations` (`add (Add)`), tf.keras 2 made each a TFOpLambda layer.

import { DiagnosticCode } from '../diagnostics';
import { formatShape, type RuleDim, type RuleShape } from '../shape';
import type { LayerRule, RuleContext } from './types';

/**
 * NumPy broadcasting as Keras' `broadcast_shapes` does it (None against 1 stays None, None against
 * a size takes the size); null after reporting Keras' error for sizes that cannot broadcast.
 */
export function broadcastShapes(a: RuleShape, b: RuleShape, ctx: RuleContext): RuleShape | null {
  const n = Math.max(a.length, b.length);
  const x: RuleDim[] = [...Array(n - a.length).fill(1), ...a];
  const y: RuleDim[] = [...Array(n - b.length).fill(1), ...b];
  const out: RuleDim[] = [];
  for (let i = 0; i < n; i++) {
    const p = x[i];
    const q = y[i];
    if (p === 1) out.push(q);
    else if (p === null) out.push(q === 1 ? null : q);
    else if (q === 1 || q === null || q === p) out.push(p);
    else {
      ctx.error(DiagnosticCode.shapeMismatch, `Cannot broadcast shape, the failure dim has value ${p}, which cannot be broadcasted to ${q}. Input shapes are: ${formatShape(a)} and ${formatShape(b)}.`);
      return null;
    }
  }
  return out;
}

/** An element-wise operation of any number of tensors (a Python number operand adds none). */
function elementwise(name: string, tfName: string): LayerRule {
  return {
    className: `ops.${name}`,
    operation: true,
    tfName,
    arity: 'any',
    defaultName: () => name,
    outputShape(inputs, _cfg, ctx) {
      let shape: RuleShape | null = inputs[0];
      for (let i = 1; i < inputs.length && shape; i++) shape = broadcastShapes(shape, inputs[i], ctx);
      return shape ? [...shape] : null;
    },
  };
}

/**
 * The element-wise arithmetic of `keras.ops` and of the operators on KerasTensors, with the tf
 * function tf.keras 2 names the TFOpLambda after (`tf.add(x, y)` → `tf.math.add`).
 */
export const opsRules: LayerRule[] = [
  ['add', 'tf.math.add'],
  ['subtract', 'tf.math.subtract'],
  ['multiply', 'tf.math.multiply'],
  ['divide', 'tf.math.divide'],
  ['true_divide', 'tf.math.truediv'],
  ['maximum', 'tf.math.maximum'],
  ['minimum', 'tf.math.minimum'],
  ['power', 'tf.math.pow'],
].map(([name, tfName]) => elementwise(name, tfName));

/** Python operator → the `keras.ops` function Keras 3 calls for it (`/` is `TrueDivide`, keras_tensor.py). */
export const OPERATOR_OPS: Readonly<Record<string, string>> = { '+': 'add', '-': 'subtract', '*': 'multiply', '/': 'true_divide', '**': 'power' };

/**
 * Python operator → the tf function tf.keras 2 records for it on a Keras tensor: `+` dispatches
 * as `tf.__operators__.add`, the others as the math op they call.
 */
export const OPERATOR_TF_NAMES: Readonly<Record<string, string>> = { '+': 'tf.__operators__.add', '-': 'tf.math.subtract', '*': 'tf.math.multiply', '/': 'tf.math.truediv', '**': 'tf.math.pow' };
