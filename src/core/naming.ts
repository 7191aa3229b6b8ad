// Keras' automatic layer names: the class name in snake_case (`MaxPooling2D` → `max_pooling2d`);
// Keras 2's names of tf ops on Keras tensors (`tf.math.multiply`) and of operations in Keras 3 rows.

const cache = new Map<string, string>();

/** Keras' `to_snake_case`, as used for default layer names (memoised: called for every layer). */
export function defaultLayerName(className: string): string {
  const hit = cache.get(className);
  if (hit !== undefined) return hit;
  const name = toSnakeCase(className);
  if (cache.size < 10000) cache.set(className, name);
  return name;
}

function toSnakeCase(className: string): string {
  const s = className.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  // Keras strips a leading underscore left by private classes.
  return s.startsWith('_') ? `private${s}` : s;
}

/**
 * tf.keras 2's row name for an operation rule `ops.x` (TFOpLambda: `tf.` + the op's canonical tf API
 * name, e.g. `tf.math.multiply`): the rule's `tfName`, else `tf.x`.
 */
export function keras2OperationName(className: string, tfName?: string): string {
  return tfName ?? `tf.${className.replace(/^ops\./, '')}`;
}

/** The class tf.keras 2 prints for an operation row: slicing (`x[:, 0]`) is a SlicingOpLambda. */
export function keras2OperationClass(name: string): string {
  return /^tf\.__operators__\.getitem(_\d+)?$/.test(name) ? 'SlicingOpLambda' : 'TFOpLambda';
}

/**
 * The class Keras 3 prints for an operation row (`ops.true_divide` → `TrueDivide`: the Operation
 * subclass, named as its function in PascalCase), unless the rule says otherwise.
 */
export function keras3OperationClass(className: string): string {
  return className.replace(/^ops\./, '').replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase());
}
