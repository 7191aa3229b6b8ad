// Keras' automatic layer names: the class name in snake_case (`MaxPooling2D` → `max_pooling2d`).

/** Keras' `to_snake_case`, as used for default layer names. */
export function defaultLayerName(className: string): string {
  const s = className.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  // Keras strips a leading underscore left by private classes.
  return s.startsWith('_') ? `private${s}` : s;
}
