// Module resolution for the Python front end, as Python does it: packages are folders with an
// `__init__.py`, a module's project root is the folder above its top package, relative imports
// walk up packages, and importing `a.b.c` runs `a` and `a.b` first.

import * as path from 'node:path';
import type { ProjectHost } from '../common/frontend';

/** Reads the project's files for cross-file imports: the front ends' common host. */
export type PythonProjectHost = ProjectHost;

/** A module file found for an import. */
export interface ResolvedModule {
  path: string;
  text: string;
}

const INIT = '__init__.py';
/** Bounds on folder walks: packages nest far less deeply than this in real projects. */
const MAX_PACKAGE_DEPTH = 32;
/** Parent folders of the importing file searched last (scripts run from a project folder above them). */
const PARENT_FALLBACK = 5;

/**
 * Resolves imports for one analysis. Reads through the host once per path (memoised), so a file
 * the editor has open is read once per analysis whatever imports it.
 */
export class PythonResolver {
  private readonly texts = new Map<string, string | undefined>();
  private readonly p: typeof path.posix;
  /** Told of every read (memoised or not): the module cache records what a group of modules depended on. */
  onRead?: (file: string, text: string | undefined) => void;

  constructor(private readonly host: PythonProjectHost, p: typeof path.posix = path) {
    this.p = p;
  }

  read(file: string): string | undefined {
    let text: string | undefined;
    if (this.texts.has(file)) text = this.texts.get(file);
    else {
      try {
        text = this.host.readFile(file);
      } catch {
        text = undefined;
      }
      this.texts.set(file, text);
    }
    this.onRead?.(file, text);
    return text;
  }

  /** True if `dir` is a package (holds an `__init__.py`). */
  isPackage(dir: string): boolean {
    return this.read(this.p.join(dir, INIT)) !== undefined;
  }

  /**
   * The dotted name of a file and the folder it is importable from: walk up while the folder is a
   * package. `pkg/sub/mod.py` → `pkg.sub.mod` in the folder above `pkg`; `pkg/__init__.py` → `pkg`.
   */
  moduleName(file: string): { root: string; parts: string[]; isPackage: boolean } {
    file = this.host.absolute?.(file) ?? file;
    const base = this.p.basename(file);
    const isPackage = base === INIT;
    const parts = isPackage ? [] : [base.replace(/\.py$/, '')];
    let dir = this.p.dirname(file);
    for (let i = 0; i < MAX_PACKAGE_DEPTH && this.isPackage(dir); i++) {
      parts.unshift(this.p.basename(dir));
      const parent = this.p.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    return { root: dir, parts, isPackage };
  }

  /**
   * The `__init__.py` files Python runs before a module: its enclosing packages, outermost first
   * (for `pkg/__init__.py` itself, the packages above `pkg`).
   */
  parentPackages(file: string): ResolvedModule[] {
    const out: ResolvedModule[] = [];
    let dir = this.p.dirname(file);
    if (this.p.basename(file) === INIT) dir = this.p.dirname(dir);
    for (let i = 0; i < MAX_PACKAGE_DEPTH; i++) {
      const init = this.p.join(dir, INIT);
      const text = this.read(init);
      if (text === undefined) break;
      out.unshift({ path: init, text });
      const parent = this.p.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    return out;
  }

  /**
   * The file `import moduleName` (level 0) or `from <level dots>moduleName import ...` refers to,
   * from `fromFile`. Relative imports walk up from the importing file's folder (`from . import x`
   * inside a package finds `x.py` or `x/__init__.py` beside it; `from .. import y` one folder up);
   * `from . import name` with no module is the package itself. Absolute imports search the
   * importing file's project root, then `roots`, then the file's own folder and a few parents.
   */
  resolve(fromFile: string, moduleName: string, level: number): ResolvedModule | undefined {
    fromFile = this.host.absolute?.(fromFile) ?? fromFile;
    const parts = moduleName ? moduleName.split('.') : [];
    if (level > 0) {
      let dir = this.p.dirname(fromFile);
      for (let i = 1; i < level; i++) {
        const parent = this.p.dirname(dir);
        if (parent === dir) return undefined;
        dir = parent;
      }
      return parts.length === 0 ? this.at(this.p.join(dir, INIT)) : this.find(dir, parts);
    }
    if (parts.length === 0) return undefined;
    for (const base of this.searchPath(fromFile)) {
      const found = this.find(base, parts);
      if (found) return found;
    }
    return undefined;
  }

  /** Folders absolute imports are searched in, like `sys.path`: project root, workspace roots, then parents. */
  searchPath(fromFile: string): string[] {
    const bases = [this.moduleName(fromFile).root, ...(this.host.roots ?? [])];
    let dir = this.p.dirname(fromFile);
    for (let i = 0; i <= PARENT_FALLBACK; i++) {
      bases.push(dir);
      const parent = this.p.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    return [...new Set(bases)];
  }

  /** `base/a/b.py` or `base/a/b/__init__.py` for parts `a.b`. */
  private find(base: string, parts: string[]): ResolvedModule | undefined {
    const stem = this.p.join(base, ...parts);
    // A package folder wins over a module file of the same name, as in Python.
    return this.at(this.p.join(stem, INIT)) ?? this.at(`${stem}.py`);
  }

  private at(file: string): ResolvedModule | undefined {
    const text = this.read(file);
    return text === undefined ? undefined : { path: file, text };
  }
}
