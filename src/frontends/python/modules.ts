// The Python interpreter's namespaces (scopes, functions, classes) and the cache of imported
// modules: a module group interpreted once is kept as an image keyed by the files it read, and
// each later analysis gets its own copy, so nothing one analysis does leaks into the next.

import type { Value } from '../common/values';
import { unknown } from '../common/values';
import { ScopeBase, type ClassRecord, type FunctionRecord, type SourceFile } from '../common/scope';
import type { PyNode } from './ast';

/** One source file being interpreted. */
export interface FileCtx extends SourceFile {
  /** Module globals some function assigns under `global`: not constants (reading one gives Unknown). */
  volatile: ReadonlySet<string>;
  /** The file has a star import: any name may come from it. */
  starImport?: boolean;
}

/** Python scopes: module, function and class bodies (which methods do not see), with `global` names. */
export class Scope extends ScopeBase<Scope> {
  globalNames?: Set<string>;
  /** On module scopes: names that read as Unknown (see `FileCtx.volatile`). */
  volatile?: ReadonlySet<string>;

  constructor(parent: Scope | null, readonly module: Scope | null, readonly kind: 'module' | 'function' | 'class', vars = new Map<string, Value>()) {
    super(parent, vars);
  }

  override lookup(name: string): Value | undefined {
    // Class bodies are not visible from methods: skip class scopes except the innermost one.
    const own = this.vars.get(name);
    if (own !== undefined) return this.kind === 'module' ? this.read(name, own) : own;
    for (let s = this.parent; s; s = s.parent) {
      if (s.kind === 'class') continue;
      const v = s.vars.get(name);
      if (v !== undefined) return s.kind === 'module' ? s.read(name, v) : v;
    }
    return undefined;
  }

  /** A module variable's value as code reads it: Unknown for one some function reassigns under `global`. */
  read(name: string, v: Value): Value {
    return this.volatile?.has(name) ? unknown(`${name}: a module global that functions reassign`) : v;
  }

  assign(name: string, v: Value): void {
    if (this.globalNames?.has(name) && this.module) this.module.vars.set(name, v);
    else this.vars.set(name, v);
  }
}

/** A `def` or `lambda` (name `<lambda>`), with its defaults evaluated where it was defined. */
export interface FuncDef extends FunctionRecord<PyNode, Scope, FileCtx> {
  defaults: Map<string, Value>;
}

export interface ClassDef extends ClassRecord<PyNode, FileCtx> {
  attrs: Map<string, Value>;
  /** Keras base: a Model or a Layer subclass (directly or through a user base class). */
  keras: 'model' | 'layer' | null;
}

/**
 * The syntax that can hold statements (a `global` statement is one): the walk below enters only
 * these (and error nodes), never an expression, which is most of a file's nodes.
 */
const HOLDS_STATEMENTS: ReadonlySet<string> = new Set([
  'block', 'function_definition', 'class_definition', 'decorated_definition', 'if_statement', 'elif_clause', 'else_clause',
  'for_statement', 'while_statement', 'try_statement', 'except_clause', 'except_group_clause', 'finally_clause', 'with_statement',
  'match_statement', 'case_clause',
]);

/** Names declared `global` anywhere below module level: functions may rebind them at any time. */
export function volatileGlobals(root: PyNode, text: string): Set<string> {
  const out = new Set<string>();
  const stack: PyNode[] = [];
  const enter = (kids: PyNode[], top: boolean): void => {
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i];
      if (c.type === 'global_statement' ? !top : c.hasError || HOLDS_STATEMENTS.has(c.type)) stack.push(c);
    }
  };
  enter(root.children, true);
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'global_statement') {
      for (const id of n.children) if (id.type === 'identifier') out.add(text.slice(id.start, id.end));
      continue;
    }
    enter(n.children, false);
  }
  return out;
}

/** A project module of one analysis. */
export interface ModuleRec {
  path: string;
  value: Value & { k: 'module' };
  scope: Scope;
  file: FileCtx;
}

/** What a group's interpretation read and made, as the cache keeps it (never handed out itself). */
export interface ModuleImage {
  /** The first module the group ran (an outermost package `__init__.py`, or the imported file). */
  entry: string;
  modules: ModuleRec[];
  /** Every file read while the group ran (undefined: looked for, absent): the image is valid while these are unchanged. */
  reads: Map<string, string | undefined>;
  /** Evaluation steps the group took: charged again on reuse, so a result never depends on the cache. */
  steps: number;
  /** Steps of the modules it took in from earlier groups (charged too when those are not loaded yet). */
  absorbedSteps: number;
  /** Total text size, for the cache's bound. */
  size: number;
}

/**
 * Deep copy of module namespaces. Plain data, functions (with their closures), classes, objects and
 * modules are copied once each (sharing and cycles kept); syntax trees, files and immutable values
 * are shared. `builtin` maps the interpreter's own builtins (`range`, `len`) to the receiving
 * interpreter's. Returns null if the namespaces hold something that belongs to one analysis
 * (layers, tensors, models, Keras subclass instances): such a group is not cached.
 */
export class NamespaceCopier {
  private readonly memo = new Map<object, unknown>();
  failed = false;

  constructor(private readonly builtin: (v: Value & { k: 'builtin' }) => Value, private readonly isAnalysisBound: (v: Value) => boolean = () => false) {}

  value(v: Value): Value {
    const hit = this.memo.get(v);
    if (hit) return hit as Value;
    switch (v.k) {
      case 'num':
      case 'str':
      case 'bool':
      case 'none':
      case 'api':
      case 'unknown':
        return v;
      case 'builtin':
        return this.builtin(v);
      case 'layer':
      case 'tensor':
      case 'model':
        this.failed = true;
        return v;
      case 'tuple':
      case 'list': {
        const out: Value & { k: 'tuple' | 'list' } = { k: v.k, items: [] };
        this.memo.set(v, out);
        for (const x of v.items) out.items.push(this.value(x));
        return out;
      }
      case 'dict': {
        const out: Value & { k: 'dict' } = { k: 'dict', map: new Map(), keys: new Map() };
        this.memo.set(v, out);
        for (const [key, x] of v.map) out.map.set(key, this.value(x));
        for (const [key, x] of v.keys) out.keys.set(key, this.value(x));
        return out;
      }
      case 'func': {
        const out: Value & { k: 'func' } = { k: 'func', name: v.name, def: null };
        this.memo.set(v, out);
        out.def = this.funcDef(v.def as FuncDef);
        return out;
      }
      case 'bound': {
        const out: Value & { k: 'bound' } = { k: 'bound', self: v.self, fn: v.fn };
        this.memo.set(v, out);
        out.self = this.value(v.self);
        out.fn = this.value(v.fn);
        return out;
      }
      case 'class': {
        const out: Value & { k: 'class' } = { k: 'class', name: v.name, def: null, bases: [] };
        this.memo.set(v, out);
        out.def = this.classDef(v.def as ClassDef);
        for (const b of v.bases) out.bases.push(this.value(b));
        return out;
      }
      case 'object': {
        if (this.isAnalysisBound(v)) {
          this.failed = true;
          return v;
        }
        const out: Value & { k: 'object' } = { k: 'object', cls: v.cls, attrs: new Map(), id: v.id };
        this.memo.set(v, out);
        out.cls = this.value(v.cls) as Value & { k: 'class' };
        this.mapInto(v.attrs, out.attrs);
        return out;
      }
      case 'module': {
        const out: Value & { k: 'module' } = { k: 'module', name: v.name, attrs: this.map(v.attrs) };
        this.memo.set(v, out);
        return out;
      }
      default:
        return v;
    }
  }

  /** A variables map (module attrs and a module scope's vars are one map: copied once). */
  map(m: Map<string, Value>): Map<string, Value> {
    const hit = this.memo.get(m);
    if (hit) return hit as Map<string, Value>;
    const out = new Map<string, Value>();
    this.memo.set(m, out);
    this.mapInto(m, out);
    return out;
  }

  private mapInto(from: Map<string, Value>, to: Map<string, Value>): void {
    for (const [k, x] of from) to.set(k, this.value(x));
  }

  scope(s: Scope): Scope {
    const hit = this.memo.get(s);
    if (hit) return hit as Scope;
    const parent = s.parent ? this.scope(s.parent) : null;
    const module = s.module ? this.scope(s.module) : null;
    // Module attrs share the module scope's map: the copies share one map too.
    const copied = this.memo.get(s.vars) as Map<string, Value> | undefined;
    const out = new Scope(parent, module, s.kind, copied ?? new Map());
    this.memo.set(s, out);
    if (s.globalNames) out.globalNames = new Set(s.globalNames);
    out.volatile = s.volatile;
    if (!copied) {
      this.memo.set(s.vars, out.vars);
      this.mapInto(s.vars, out.vars);
    }
    return out;
  }

  private funcDef(d: FuncDef): FuncDef {
    const hit = this.memo.get(d);
    if (hit) return hit as FuncDef;
    const out: FuncDef = { node: d.node, closure: d.closure, file: d.file, defaults: new Map(), name: d.name };
    this.memo.set(d, out);
    out.closure = this.scope(d.closure);
    this.mapInto(d.defaults, out.defaults);
    return out;
  }

  private classDef(d: ClassDef): ClassDef {
    const hit = this.memo.get(d);
    if (hit) return hit as ClassDef;
    const out: ClassDef = { node: d.node, file: d.file, attrs: d.attrs, keras: d.keras };
    this.memo.set(d, out);
    out.attrs = this.map(d.attrs);
    return out;
  }

  /**
   * Maps a cached module's namespace onto the same module already loaded in this analysis, so the
   * copy of the rest of an image refers to the live objects. False if the two differ anywhere
   * (then the image does not describe this analysis's state and must not be used).
   */
  seed(image: ModuleRec, live: ModuleRec): boolean {
    return image.file.text === live.file.text && this.sameValue(image.value, live.value) && this.sameScope(image.scope, live.scope);
  }

  private sameValue(a: Value, b: Value): boolean {
    const hit = this.memo.get(a);
    if (hit !== undefined) return hit === b;
    if (a.k !== b.k) return false;
    switch (a.k) {
      case 'num':
        return a.v === (b as typeof a).v && a.int === (b as typeof a).int;
      case 'str':
      case 'bool':
        return a.v === (b as typeof a).v;
      case 'none':
      case 'unknown':
        return true;
      case 'api':
        return a.path === (b as typeof a).path;
      case 'builtin':
        return a.name === (b as typeof a).name;
      case 'tuple':
      case 'list': {
        const o = b as typeof a;
        this.memo.set(a, b);
        return a.items.length === o.items.length && a.items.every((x, i) => this.sameValue(x, o.items[i]));
      }
      case 'dict': {
        const o = b as typeof a;
        this.memo.set(a, b);
        if (a.map.size !== o.map.size) return false;
        for (const [k, x] of a.map) {
          const y = o.map.get(k);
          if (!y || !this.sameValue(x, y)) return false;
        }
        return true;
      }
      case 'func': {
        const o = b as typeof a;
        this.memo.set(a, b);
        return this.sameFunc(a.def as FuncDef, o.def as FuncDef);
      }
      case 'bound': {
        const o = b as typeof a;
        this.memo.set(a, b);
        return this.sameValue(a.self, o.self) && this.sameValue(a.fn, o.fn);
      }
      case 'class': {
        const o = b as typeof a;
        this.memo.set(a, b);
        const da = a.def as ClassDef;
        const db = o.def as ClassDef;
        if (!sameNode(da.node, db.node) || da.file.text !== db.file.text || da.keras !== db.keras || a.bases.length !== o.bases.length) return false;
        this.memo.set(da, db);
        return this.sameMap(da.attrs, db.attrs) && a.bases.every((x, i) => this.sameValue(x, o.bases[i]));
      }
      case 'object': {
        const o = b as typeof a;
        this.memo.set(a, b);
        return this.sameValue(a.cls, o.cls) && this.sameMap(a.attrs, o.attrs);
      }
      case 'module': {
        this.memo.set(a, b);
        return this.sameMap(a.attrs, (b as typeof a).attrs);
      }
      default:
        return false;
    }
  }

  private sameMap(a: Map<string, Value>, b: Map<string, Value>): boolean {
    const hit = this.memo.get(a);
    if (hit !== undefined) return hit === b;
    this.memo.set(a, b);
    if (a.size !== b.size) return false;
    for (const [k, x] of a) {
      const y = b.get(k);
      if (!y || !this.sameValue(x, y)) return false;
    }
    return true;
  }

  private sameScope(a: Scope, b: Scope): boolean {
    const hit = this.memo.get(a);
    if (hit !== undefined) return hit === b;
    this.memo.set(a, b);
    if (a.kind !== b.kind || !a.parent !== !b.parent || !a.module !== !b.module) return false;
    if (a.parent && !this.sameScope(a.parent, b.parent!)) return false;
    if (a.module && !this.sameScope(a.module, b.module!)) return false;
    return this.sameMap(a.vars, b.vars);
  }

  private sameFunc(a: FuncDef, b: FuncDef): boolean {
    const hit = this.memo.get(a);
    if (hit !== undefined) return hit === b;
    this.memo.set(a, b);
    return sameNode(a.node, b.node) && a.file.path === b.file.path && a.file.text === b.file.text && this.sameScope(a.closure, b.closure) && this.sameMap(a.defaults, b.defaults);
  }

  rec(r: ModuleRec): ModuleRec {
    const value = this.value(r.value) as Value & { k: 'module' };
    return { path: r.path, value, scope: this.scope(r.scope), file: r.file };
  }
}

/** The same definition in two parses of one text. */
function sameNode(a: PyNode, b: PyNode): boolean {
  return a === b || (a.type === b.type && a.start === b.start && a.end === b.end);
}

export interface ModuleCacheStats {
  /** Modules interpreted (cache misses). */
  interpreted: number;
  /** Modules copied from the cache instead. */
  reused: number;
}

/**
 * Imported modules, interpreted once per content. Images are looked up by the first module a
 * group runs and checked against every file the group read; bounded by total source size (oldest
 * dropped first). The cache is a pure function of the files: the same texts give the same image.
 */
export class ModuleCache {
  readonly stats: ModuleCacheStats = { interpreted: 0, reused: 0 };
  private readonly images = new Map<string, ModuleImage[]>();
  private size = 0;

  /** `maxTextBytes` bounds the sources kept (their syntax trees take about 20 times as much memory). */
  constructor(private readonly maxTextBytes = 4 * 1024 * 1024) {}

  /** Images whose group started at `entry`, newest first. */
  candidates(entry: string): readonly ModuleImage[] {
    return this.images.get(entry) ?? [];
  }

  add(image: ModuleImage): void {
    if (image.size > this.maxTextBytes) return;
    const list = this.images.get(image.entry) ?? [];
    // An image for the same modules with older texts is dead: replace it.
    const paths = image.modules.map((m) => m.path).join('\n');
    const same = list.findIndex((i) => i.modules.map((m) => m.path).join('\n') === paths);
    if (same >= 0) {
      this.size -= list[same].size;
      list.splice(same, 1);
    }
    list.unshift(image);
    this.images.delete(image.entry);
    this.images.set(image.entry, list);
    this.size += image.size;
    for (const [key, imgs] of this.images) {
      if (this.size <= this.maxTextBytes) break;
      while (imgs.length && this.size > this.maxTextBytes) this.size -= imgs.pop()!.size;
      if (imgs.length === 0) this.images.delete(key);
    }
  }

  clear(): void {
    this.images.clear();
    this.size = 0;
  }
}
