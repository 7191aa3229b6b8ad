// Tensor operations (issue 10): shape rules for the ops code applies to Keras and tfjs tensors
// (`keras.ops.*`, `tf.*`, the Keras backend, tensor operators and indexing). They connect a
// functional graph without being layers: no summary rows (Keras lists Layers only), no weights.
//
// API for front ends and custom-layer / Lambda bodies:
//   - Each op is a LayerRule registered as `ops.<name>` (name: the `keras.ops` function, e.g.
//     `ops.reshape`, `ops.get_item`, `ops.matmul`), with `operation: true`. Run it through the
//     builder (`createLayer('ops.reshape', config)` + `call`) or `evaluateLayer`, which copes with
//     unknown dims and arguments (`?`) by running stand-ins.
//   - `opOutputShape(op, inputShapes, args)` does the same without a graph: the output shape(s)
//     and the problems Keras would raise. `args` is the canonical config: the `keras.ops`
//     parameter names (`newshape`, `axes`, `axis`, `keepdims`, `key`, `subscripts`, ...), with
//     `tf: true` for TensorFlow's semantics where they differ (`tf.reshape`'s dynamic sizes,
//     `tf.tile`'s strict multiples, `tf.pad`, `tf.one_hot`'s axis, `tf.matmul` on matrices only)
//     and `sizes: true` for `tf.split`'s sizes list. A size known only when the model runs
//     (`tf.shape(x)[0]`) is null in a shape argument; a value Shape Lens does not know is UNKNOWN.
//   - Inputs are the tensor operands in order; a Python number operand is a `()` shape.

// The rules come first: the registry imports them from './rules', and the evaluator below imports the registry.
import { opsRules, OP_NAMES } from './rules';
import type { LayerConfig } from '../config';
import type { OutputShape, Shape } from '../shape';
import { evaluateLayer, type RuleProblem } from '../layers/evaluate';

export { opsRules, OP_NAMES };
export { broadcastShapes, OPERATOR_OPS, OPERATOR_TF_NAMES } from './elementwise';
export { einsumShape, matmulShape } from './linalg';

/**
 * The output shape of `op` (a `keras.ops` name) on tensors of `inputShapes` with `args`: one shape,
 * several (`split`, `top_k`), or null when unknown; `problems` are the errors Keras would raise.
 */
export function opOutputShape(op: string, inputShapes: (Shape | null)[], args: LayerConfig = {}): { output: OutputShape; problems: RuleProblem[] } {
  if (!OP_NAMES.has(op)) return { output: null, problems: [] };
  const r = evaluateLayer(`ops.${op}`, args, inputShapes, op);
  return { output: r.output, problems: r.problems };
}
