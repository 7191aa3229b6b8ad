// Module resolution for the Python front end: the files `import a.b` / `from ..a import b` may refer to.

import * as path from 'node:path';

/**
 * Candidate files for a module, in the order Python would find them: relative imports (`level` > 0)
 * from the importing file's package; absolute ones from `roots` (workspace folders), then the
 * importing file's folder and up to five of its parents. Each stem as `stem.py`, then
 * `stem/__init__.py`. `p` is the path flavour (`path.posix` for in-memory hosts).
 */
export function pythonModuleCandidates(fromFile: string, moduleName: string, level: number, roots: string[] = [], p: typeof path.posix = path): string[] {
  const parts = moduleName ? moduleName.split('.') : [];
  let dir = p.dirname(fromFile);
  const bases: string[] = [];
  if (level > 0) {
    for (let i = 1; i < level; i++) dir = p.dirname(dir);
    bases.push(dir);
  } else {
    bases.push(...roots);
    for (let i = 0; i < 6; i++) {
      bases.push(dir);
      const parent = p.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return bases.flatMap((base) => {
    const stem = p.join(base, ...parts);
    return [`${stem}.py`, p.join(stem, '__init__.py')];
  });
}
