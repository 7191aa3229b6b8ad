// Keras' automatic layer names: the class name in snake_case (`MaxPooling2D` → `max_pooling2d`).

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
