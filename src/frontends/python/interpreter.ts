// An abstract interpreter for the Python that builds Keras models: it runs module code, helper
// functions, loops and classes over the shared value domain, with Unknown where it cannot know,
// inside step/loop/depth budgets. It never executes user code for real.

import type { SourceRange } from '../../core/diagnostics';
import type { SymbolicTensor } from '../../core/graph';
import type { Shape } from '../../core/shape';
import { defaultLayerName } from '../../core/naming';
import type { Budget } from '../common/budget';
import { InterpreterCore, missingArgument, type UncalledEntry } from '../common/interpreter-core';
import type { KerasRuntime } from '../common/keras-runtime';
import { shapeFromValue } from '../common/keras-runtime';
import { LoopEffects, reportLoopBudget } from '../common/loops';
import { BreakSignal, ContinueSignal, ReturnSignal } from '../common/signals';
import {
  bool, dictKey, FALSE, list, makeDict, NONE, num, pyRepr, pyStr, sequenceItems, str, TRUE, truthy, tuple, unknown, valuesEqual,
  type CallArgs, type Value,
} from '../common/values';
import { field, fields, namedChildren, type PyNode } from './ast';
import { apiTail, callKerasApi, isExternalRoot, isLibraryModule, isModelledKerasModule, kerasNameOnUnknown, starImportNames } from './keras-api';
import { NamespaceCopier, Scope, volatileGlobals, type ClassDef, type FileCtx, type FuncDef, type ModuleCache, type ModuleRec } from './modules';
import type { PythonResolver, ResolvedModule } from './resolve';
import { basename, dirname } from 'node:path';

/** What the interpreter needs for cross-file imports (the CLI reads disk, the extension the workspace). */
export interface ModuleHost {
  resolver: PythonResolver;
  /** Parses another module's text into an AST (null if it cannot). */
  parse(text: string): PyNode | null;
  /** Imported modules interpreted in earlier analyses (null: interpret every import afresh). */
  cache: ModuleCache | null;
}

/** The modules one outermost import runs, with what the module cache needs to know about them. */
interface ImportGroup {
  entry: string;
  /** Modules the group ran, and modules loaded before it whose state it took in (with their clusters). */
  recs: ModuleRec[];
  absorbed: ModuleRec[];
  absorbedSteps: number;
  reads: Map<string, string | undefined>;
  /** It used a module from outside the group (its result depends on more than its files). */
  external: boolean;
  /** Budget steps, automatic-name counters and caught errors when it started. */
  steps: number;
  names: Map<string, number>;
  caught: number;
}

/** Modules whose state is a function of the files `reads` names (one cached group, with what it took in). */
interface Cluster {
  recs: ModuleRec[];
  reads: Map<string, string | undefined>;
  steps: number;
}

/** Per-instance state of a subclassed Keras model or layer. */
interface KerasObjectState {
  tracked: Value[];
  kerasName: string | null;
  traced?: Value & { k: 'model' };
  buildShape?: Shape | null;
  called: boolean;
  range: SourceRange;
}

export interface InterpreterOptions {
  budget: Budget;
  host?: ModuleHost;
}

export class PythonInterpreter extends InterpreterCore<PyNode, FileCtx> {
  /** Project modules of this analysis by path, and each module value's record. */
  private readonly modules = new Map<string, ModuleRec>();
  private readonly moduleRecs = new WeakMap<object, ModuleRec>();
  /** The modules the current outermost import is running (a unit of the module cache). */
  private group: ImportGroup | null = null;
  private mainTop: string | undefined;
  /** Each cacheable module's cluster. */
  private readonly clusters = new WeakMap<ModuleRec, Cluster>();
  /** The main file ran something besides imports and definitions: loaded modules may have changed since they were imported. */
  private dirty = false;
  private readonly kerasState = new WeakMap<object, KerasObjectState>();
  /** Subclassed model instances, to summarise at the end if never called. */
  private readonly kerasModels: (Value & { k: 'object' })[] = [];
  private main!: FileCtx;
  private readonly builtins = new Map<string, Value>();
  private readonly shapeComments: { offset: number; shape: (number | null)[] }[] = [];

  constructor(rt: KerasRuntime, private readonly opts: InterpreterOptions) {
    super(rt, opts.budget);
    this.installBuiltins();
  }

  /** Runs a whole main file, then builder functions and model classes nothing called. */
  runMain(root: PyNode, path: string, text: string): void {
    this.main = { path, text, isMain: true, volatile: volatileGlobals(root, text) };
    this.file = this.main;
    this.scanShapeComments(text);
    const scope = new Scope(null, null, 'module');
    scope.volatile = this.main.volatile;
    this.guard(() => {
      for (const stmt of namedChildren(root)) {
        if (!this.dirty && !isInert(stmt)) this.dirty = true;
        this.exec(stmt, scope);
      }
    });
    this.dirty = true;
    this.analyseUncalled(root, scope);
    this.finishKerasModels();
  }

  // ---------------------------------------------------------------------------------------------
  // Statements

  private execBlock(stmts: PyNode[], scope: Scope): void {
    for (const s of stmts) this.exec(s, scope);
  }

  private exec(node: PyNode, scope: Scope): void {
    this.budget.step();
    switch (node.type) {
      case 'expression_statement':
        for (const c of namedChildren(node)) this.evalTop(c, scope);
        return;
      case 'import_statement':
      case 'import_from_statement':
      case 'future_import_statement':
        this.execImport(node, scope);
        return;
      case 'function_definition':
        this.defineFunction(node, scope);
        return;
      case 'decorated_definition': {
        const def = field(node, 'definition');
        if (def) this.exec(def, scope);
        return;
      }
      case 'class_definition':
        this.defineClass(node, scope);
        return;
      case 'if_statement':
        this.execIf(node, scope);
        return;
      case 'for_statement':
        this.execFor(node, scope);
        return;
      case 'while_statement':
        this.execWhile(node, scope);
        return;
      case 'return_statement': {
        const e = namedChildren(node)[0];
        throw new ReturnSignal(e ? this.eval(e, scope) : NONE);
      }
      case 'break_statement':
        throw new BreakSignal();
      case 'continue_statement':
        throw new ContinueSignal();
      case 'block':
      case 'module':
        this.execBlock(namedChildren(node), scope);
        return;
      case 'with_statement': {
        const body = field(node, 'body');
        for (const item of node.children.find((c) => c.type === 'with_clause')?.children.filter((c) => c.type === 'with_item') ?? []) {
          const v = field(item, 'value');
          if (v?.type === 'as_pattern') {
            this.eval(namedChildren(v)[0], scope);
            const target = field(v, 'alias');
            // `with strategy.scope() as s:` and similar context managers give nothing model code relies on.
            if (target) this.assignTarget(namedChildren(target)[0] ?? target, unknown('context manager'), scope);
          } else if (v) this.eval(v, scope);
        }
        if (body) this.execBlock(namedChildren(body), scope);
        return;
      }
      case 'try_statement': {
        const body = field(node, 'body');
        if (body) this.execBlock(namedChildren(body), scope);
        for (const c of node.children) {
          if (c.type === 'else_clause' || c.type === 'finally_clause') {
            const b = field(c, 'body') ?? c.children.find((x) => x.type === 'block');
            if (b) this.execBlock(namedChildren(b), scope);
          }
        }
        return;
      }
      case 'global_statement':
      case 'nonlocal_statement': {
        scope.globalNames ??= new Set();
        if (node.type === 'global_statement') for (const id of namedChildren(node)) scope.globalNames.add(this.text(id));
        return;
      }
      case 'ERROR':
        // Error recovery: run whatever statements and expressions the parser could still read.
        for (const c of namedChildren(node)) {
          if (isStatement(c.type)) this.exec(c, scope);
          else if (c.type === 'call' || c.type === 'assignment') this.evalTop(c, scope);
        }
        return;
      default:
        return; // pass, assert, raise, delete, print, type aliases: nothing that builds a model
    }
  }

  /** Evaluates an expression statement; errors inside one statement never stop the next one. */
  private evalTop(node: PyNode, scope: Scope): void {
    if (node.type === 'assignment') this.execAssign(node, scope);
    else if (node.type === 'augmented_assignment') this.execAugAssign(node, scope);
    else this.eval(node, scope);
  }

  private execAssign(node: PyNode, scope: Scope): Value {
    const right = field(node, 'right');
    const left = field(node, 'left');
    if (!right) return unknown(); // annotation only: `x: int`
    const value = right.type === 'assignment' ? this.execAssign(right, scope) : this.eval(right, scope);
    if (left) this.assignTarget(left, value, scope);
    return value;
  }

  private execAugAssign(node: PyNode, scope: Scope): void {
    const left = field(node, 'left');
    const right = field(node, 'right');
    const op = field(node, 'operator');
    if (!left || !right || !op) return;
    const cur = this.eval(left, scope);
    const r = this.eval(right, scope);
    const opText = this.text(op).replace('=', '');
    if (opText === '+' && cur.k === 'list') {
      const items = this.iterate(r);
      if (items) cur.items.push(...items);
      else this.assignTarget(left, unknown(), scope);
      return;
    }
    this.assignTarget(left, this.binary(opText, cur, r), scope);
  }

  private assignTarget(target: PyNode, value: Value, scope: Scope): void {
    switch (target.type) {
      case 'identifier': {
        const name = this.text(target);
        scope.assign(name, value);
        this.nameModel(value, name, scope.kind === 'module');
        return;
      }
      case 'attribute': {
        const obj = this.eval(field(target, 'object')!, scope);
        const attrNode = field(target, 'attribute');
        if (!attrNode) return;
        const attr = this.text(attrNode);
        if (this.rt.setAttr(obj, attr, value)) return;
        if (obj.k === 'object') {
          obj.attrs.set(attr, value);
          this.track(obj, value);
        } else if (obj.k === 'module') obj.attrs.set(attr, value);
        return;
      }
      case 'subscript': {
        const obj = this.eval(field(target, 'value')!, scope);
        const sub = field(target, 'subscript');
        if (!sub) return;
        const key = this.eval(sub, scope);
        if (obj.k === 'dict') {
          const k = dictKey(key);
          if (k !== null) {
            obj.map.set(k, value);
            obj.keys.set(k, key);
          }
        } else if (obj.k === 'list' && key.k === 'num') {
          const i = key.v < 0 ? obj.items.length + key.v : key.v;
          if (i >= 0 && i < obj.items.length) obj.items[i] = value;
        }
        return;
      }
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'expression_list':
      case 'tuple':
      case 'list': {
        const targets = namedChildren(target);
        const items = this.iterate(value);
        const star = targets.findIndex((t) => t.type === 'list_splat_pattern');
        targets.forEach((t, i) => {
          if (!items) return this.assignTarget(t.type === 'list_splat_pattern' ? namedChildren(t)[0] : t, unknown(), scope);
          if (star < 0) return this.assignTarget(t, items[i] ?? unknown(), scope);
          if (i < star) return this.assignTarget(t, items[i] ?? unknown(), scope);
          if (i === star) return this.assignTarget(namedChildren(t)[0], list(items.slice(star, items.length - (targets.length - star - 1))), scope);
          return this.assignTarget(t, items[items.length - (targets.length - i)] ?? unknown(), scope);
        });
        return;
      }
      case 'parenthesized_expression':
        for (const c of namedChildren(target)) this.assignTarget(c, value, scope);
        return;
      default:
        return;
    }
  }

  /**
   * Models without a Keras `name=` take the first variable they are assigned to; a module-level
   * variable (`unet = build_unet()`) also replaces the name of the function that built it.
   */
  /** Models as the common rule says; a subclassed Keras object takes the variable's name too. */
  protected override nameModel(value: Value, name: string, moduleLevel: boolean): void {
    super.nameModel(value, name, moduleLevel);
    if (value.k === 'object') {
      const st = this.kerasState.get(value);
      if (st && !st.kerasName) st.kerasName = name;
    }
  }

  private execIf(node: PyNode, scope: Scope): void {
    const branches: { cond: PyNode | undefined; body: PyNode | undefined }[] = [
      { cond: field(node, 'condition'), body: field(node, 'consequence') },
    ];
    for (const alt of fields(node, 'alternative')) {
      if (alt.type === 'elif_clause') branches.push({ cond: field(alt, 'condition'), body: field(alt, 'consequence') });
      else branches.push({ cond: undefined, body: field(alt, 'body') ?? alt.children.find((c) => c.type === 'block') });
    }
    for (const b of branches) {
      const t = b.cond ? truthy(this.eval(b.cond, scope)) : true;
      if (t === false) continue;
      if (t === null && b.cond) {
        this.rt.sink.info('unknown-condition', 'Shape Lens cannot tell whether this condition holds; it assumes this branch runs.', this.range(b.cond));
      }
      if (b.body) this.execBlock(namedChildren(b.body), scope);
      return;
    }
  }

  private execFor(node: PyNode, scope: Scope): void {
    const left = field(node, 'left');
    const right = field(node, 'right');
    const body = field(node, 'body');
    if (!left || !right || !body) return;
    const iterable = this.eval(right, scope);
    const items = this.iterate(iterable);
    if (!items) {
      this.loseLoopEffects(node, scope, 'Shape Lens cannot tell what this loop iterates over', right);
      return;
    }
    let broke = false;
    for (let i = 0; i < items.length; i++) {
      if (i >= this.budget.limits.loopIterations) {
        this.stopLoop(node, i, scope);
        break;
      }
      this.assignTarget(left, items[i], scope);
      try {
        this.execBlock(namedChildren(body), scope);
      } catch (e) {
        if (e instanceof BreakSignal) {
          broke = true;
          break;
        }
        if (!(e instanceof ContinueSignal)) throw e;
      }
    }
    const alt = field(node, 'alternative');
    if (!broke && alt) {
      const b = alt.children.find((c) => c.type === 'block');
      if (b) this.execBlock(namedChildren(b), scope);
    }
  }

  private execWhile(node: PyNode, scope: Scope): void {
    const cond = field(node, 'condition');
    const body = field(node, 'body');
    if (!cond || !body) return;
    for (let i = 0; ; i++) {
      const t = truthy(this.eval(cond, scope));
      if (t === false) return;
      if (t === null) {
        this.loseLoopEffects(node, scope, 'Shape Lens cannot tell how often this loop runs', cond);
        return;
      }
      if (i >= this.budget.limits.loopIterations) {
        this.stopLoop(node, i, scope);
        return;
      }
      try {
        this.execBlock(namedChildren(body), scope);
      } catch (e) {
        if (e instanceof BreakSignal) return;
        if (!(e instanceof ContinueSignal)) throw e;
      }
    }
  }

  /**
   * Stops a loop at the iteration budget. Variables it was still changing are then unknown: their
   * last values are not what the program would compute.
   */
  /**
   * A loop Shape Lens cannot run: what it would change is unknown afterwards — names it assigns,
   * attributes it sets, containers it appends to — and a model it adds layers to is incomplete
   * (its total is `?`). Said only when a model loses something: a plotting or clean-up loop
   * builds nothing and produces nothing.
   */
  private loseLoopEffects(node: PyNode, scope: Scope, why: string, at: PyNode): void {
    const effects = new LoopEffects(this.rt, why);
    const lost = effects.lost;
    const loseValue = (target: PyNode): void => {
      effects.assigned(this.evalQuiet(target, scope));
      if (target.type === 'identifier') scope.assign(this.text(target), lost);
      else if (target.type === 'attribute') {
        const obj = this.evalQuiet(field(target, 'object'), scope);
        const attr = field(target, 'attribute');
        if (attr && (obj?.k === 'object' || obj?.k === 'module')) obj.attrs.set(this.text(attr), lost);
      }
    };
    const stack = [...namedChildren(node)];
    let steps = 0;
    while (stack.length > 0 && ++steps < 20000) {
      const n = stack.pop()!;
      if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') continue;
      if (n.type === 'assignment' || n.type === 'augmented_assignment' || n.type === 'for_statement') {
        const left = field(n, 'left');
        for (const t of left?.type === 'pattern_list' || left?.type === 'tuple_pattern' ? namedChildren(left) : left ? [left] : []) loseValue(t);
      }
      if (n.type === 'call') {
        const fn = field(n, 'function');
        const method = fn?.type === 'attribute' ? field(fn, 'attribute') : undefined;
        if (fn && method && LOOP_MUTATORS.has(this.text(method))) {
          const recvNode = field(fn, 'object')!;
          if (effects.mutated(this.evalQuiet(recvNode, scope), `at ${this.rangeText(node)}`, KEEP_IN_LOOPS)) loseValue(recvNode);
        }
      }
      for (const c of n.children) stack.push(c);
    }
    effects.finish(this.range(at));
  }

  /** A name or attribute chain's value without side effects (no calls); undefined for anything else. */
  private evalQuiet(node: PyNode | undefined, scope: Scope): Value | undefined {
    if (!node) return undefined;
    if (node.type === 'identifier') return scope.lookup(this.text(node));
    if (node.type === 'attribute') {
      const obj = this.evalQuiet(field(node, 'object'), scope);
      const attr = field(node, 'attribute');
      if (!obj || !attr) return undefined;
      if (obj.k === 'object' || obj.k === 'module') return obj.attrs.get(this.text(attr));
    }
    return undefined;
  }

  private stopLoop(node: PyNode, iterations: number, scope: Scope): void {
    reportLoopBudget(this.rt, iterations, this.range(node));
    const stack = [node];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') continue;
      if (n.type === 'assignment' || n.type === 'augmented_assignment') {
        const left = field(n, 'left');
        if (left?.type === 'identifier') scope.assign(this.text(left), unknown('loop budget'));
      }
      for (const c of n.children) stack.push(c);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Imports

  private execImport(node: PyNode, scope: Scope): void {
    if (node.type === 'future_import_statement') return;
    if (node.type === 'import_statement') {
      for (const n of fields(node, 'name')) {
        if (n.type === 'aliased_import') {
          const mod = this.text(field(n, 'name')!);
          const alias = this.text(field(n, 'alias')!);
          scope.assign(alias, this.importModule(mod, 0));
        } else {
          // `import a.b.c` runs a, a.b and a.b.c, and binds `a` (its attribute `b` is the package a.b).
          const mod = this.text(n);
          const parts = mod.split('.');
          const full = this.importModule(mod, 0);
          if (full.k !== 'module') {
            scope.assign(parts[0], full.k === 'api' ? { k: 'api', path: parts[0] } : full);
            continue;
          }
          const top = parts.length === 1 ? full : this.importModule(parts[0], 0);
          scope.assign(parts[0], top.k === 'module' ? top : namespaceChain(parts, full));
        }
      }
      return;
    }
    // from X import a, b as c, *
    const modNode = field(node, 'module_name');
    if (!modNode) return;
    let level = 0;
    let modName = this.text(modNode);
    if (modNode.type === 'relative_import') {
      const prefix = modNode.children.find((c) => c.type === 'import_prefix');
      level = prefix ? this.text(prefix).length : 0;
      const dn = modNode.children.find((c) => c.type === 'dotted_name');
      modName = dn ? this.text(dn) : '';
    }
    const mod = this.importModule(modName, level);
    if (node.children.some((c) => c.type === 'wildcard_import')) {
      if (mod.k === 'module') for (const k of mod.attrs.keys()) if (!k.startsWith('_')) scope.assign(k, this.moduleAttr(mod, k) ?? unknown());
      if (mod.k === 'api') for (const k of starImportNames(mod.path)) scope.assign(k, { k: 'api', path: `${mod.path}.${k}` });
      return;
    }
    for (const n of fields(node, 'name')) {
      const nameNode = n.type === 'aliased_import' ? field(n, 'name')! : n;
      const aliasNode = n.type === 'aliased_import' ? field(n, 'alias') : undefined;
      const name = this.text(nameNode);
      const bound = aliasNode ? this.text(aliasNode) : name.split('.')[0];
      scope.assign(bound, this.member(mod, name, modName, level));
    }
  }

  /** `from mod import name`: an attribute of the module, else its submodule `name` (imported now, as Python does). */
  private member(mod: Value, name: string, modName: string, level: number): Value {
    const sub = modName ? `${modName}.${name}` : name;
    if (mod.k === 'api' || (level === 0 && this.isApiModule(sub))) return { k: 'api', path: `${modName}.${name}` };
    const v = mod.k === 'module' ? this.moduleAttr(mod, name) : undefined;
    if (v) return v;
    // `from . import x` where the folder is not a package (no __init__.py): x beside the file.
    if (mod.k === 'module' || (level > 0 && !modName)) {
      const m = this.importModule(sub, level);
      if (m.k === 'module') return m;
    }
    return unknown(`${name} from ${'.'.repeat(level)}${modName}: not found`);
  }

  /**
   * True if an absolute module name stands for a library Shape Lens models (Keras, TensorFlow, the
   * standard library, NumPy) rather than files to read. Only the library's own source, analysed in
   * place, reads it from disk: Keras' helper modules (`keras.src.applications.imagenet_utils`), not
   * the layers and backend the API model knows.
   */
  private isApiModule(name: string): boolean {
    const keras = isExternalRoot(name);
    if (!keras && !isLibraryModule(name)) return false;
    if (this.mainPackage() !== name.split('.')[0]) return true;
    return keras && isModelledKerasModule(name);
  }

  /** The top package the main file belongs to ('' for a file outside packages). */
  private mainPackage(): string {
    if (this.mainTop === undefined) {
      const r = this.opts.host?.resolver;
      const parts = r ? r.moduleName(this.main.path).parts : [];
      this.mainTop = parts.length > 1 || r?.isPackage(dirname(this.main.path)) ? parts[0] : '';
    }
    return this.mainTop;
  }

  private importModule(name: string, level: number): Value {
    const host = this.opts.host;
    if (level === 0 && (!host || this.isApiModule(name))) return { k: 'api', path: name };
    const target = host?.resolver.resolve(this.file.path, name, level);
    if (!target) return level === 0 ? { k: 'api', path: name } : unknown(`module ${'.'.repeat(level)}${name} not found`);
    return this.loadModule(target).value;
  }

  /** A module variable as other code reads it (`mod.x`, `from mod import x`). */
  private moduleAttr(mod: Value & { k: 'module' }, name: string): Value | undefined {
    const v = mod.attrs.get(name);
    const rec = this.moduleRecs.get(mod);
    return v && rec ? rec.scope.read(name, v) : v;
  }

  /**
   * A project module, run once per analysis: its enclosing packages' `__init__.py` first (outermost
   * first), each bound as an attribute of its parent once it has run, as Python does. The outermost
   * import is one group: taken from the module cache when the files it read are unchanged, else run
   * and offered to the cache.
   */
  private loadModule(target: ResolvedModule): ModuleRec {
    const known = this.modules.get(target.path);
    if (known) return this.touch(known);
    const chain = [...this.opts.host!.resolver.parentPackages(target.path), target];
    if (this.group) return this.loadChain(chain);
    // Packages already loaded stay outside the new group (`from pkg import sub`): the first new
    // module is bound on its package once the group has run, as Python binds it once it has run.
    const first = chain.findIndex((m) => !this.modules.has(m.path));
    const rest = chain.slice(first);
    const rec = this.fromCache(rest[0].path, target.path) ?? this.runGroup(rest[0].path, () => this.loadChain(rest));
    const parent = first > 0 ? this.modules.get(chain[first - 1].path) : undefined;
    const child = this.modules.get(rest[0].path);
    if (parent && child) parent.value.attrs.set(moduleBaseName(child.path), child.value);
    return rec;
  }

  private loadChain(chain: ResolvedModule[]): ModuleRec {
    let parent: ModuleRec | undefined;
    let rec: ModuleRec | undefined;
    for (const m of chain) {
      const known = this.modules.get(m.path);
      rec = known ? this.touch(known) : this.execModule(m);
      if (parent && parent.value.attrs.get(moduleBaseName(m.path)) !== rec.value) {
        this.touch(parent);
        parent.value.attrs.set(moduleBaseName(m.path), rec.value);
      }
      parent = rec;
    }
    return rec!;
  }

  /**
   * A module from outside the running group. While the main file has only imported, the state of
   * modules loaded earlier is a function of their files: the group takes in their whole cluster
   * (and its files). After other code ran, it depends on more than files: not cached.
   */
  private touch(rec: ModuleRec): ModuleRec {
    const group = this.group;
    if (!group || group.recs.includes(rec) || group.absorbed.includes(rec)) return rec;
    const cluster = this.dirty ? undefined : this.clusters.get(rec);
    if (!cluster) {
      group.external = true;
      return rec;
    }
    for (const r of cluster.recs) if (!group.recs.includes(r) && !group.absorbed.includes(r)) group.absorbed.push(r);
    for (const [p, t] of cluster.reads) if (!group.reads.has(p)) group.reads.set(p, t);
    group.absorbedSteps += cluster.steps;
    return rec;
  }

  /** Runs a module's top level in its own namespace (registered first: circular imports see it partial). */
  private execModule(m: ResolvedModule): ModuleRec {
    const host = this.opts.host!;
    const root = host.parse(m.text);
    const file: FileCtx = { path: m.path, text: m.text, isMain: false, volatile: root ? volatileGlobals(root, m.text) : new Set() };
    const scope = new Scope(null, null, 'module');
    scope.volatile = file.volatile;
    const value: Value & { k: 'module' } = { k: 'module', name: moduleBaseName(m.path), attrs: scope.vars };
    const rec: ModuleRec = { path: m.path, value, scope, file };
    this.modules.set(m.path, rec);
    this.moduleRecs.set(value, rec);
    this.group?.recs.push(rec);
    if (host.cache) host.cache.stats.interpreted++;
    if (!root) return rec;
    const saved = this.file;
    const savedDepth = this.budget.depth;
    const savedFn = this.rt.functionName;
    // A module's top level runs the same wherever it is imported from (call depth, enclosing function).
    this.budget.depth = 0;
    this.rt.functionName = null;
    this.file = file;
    try {
      this.rt.isolated(() => this.guard(() => this.execBlock(namedChildren(root), scope)));
    } finally {
      this.file = saved;
      this.budget.depth = savedDepth;
      this.rt.functionName = savedFn;
    }
    return rec;
  }

  private runGroup(entry: string, load: () => ModuleRec): ModuleRec {
    const resolver = this.opts.host!.resolver;
    const group: ImportGroup = {
      entry, recs: [], absorbed: [], reads: new Map(), external: false, steps: this.budget.steps, absorbedSteps: 0, names: this.rt.builder.saveNames(), caught: this.caught,
    };
    this.group = group;
    resolver.onRead = (p, text) => {
      if (!group.reads.has(p)) group.reads.set(p, text);
    };
    let done = false;
    try {
      const rec = load();
      done = true;
      return rec;
    } finally {
      this.group = null;
      resolver.onRead = undefined;
      if (done) this.offerToCache(group);
    }
  }

  /** Caches a group's namespaces if they depend on its files alone. */
  private offerToCache(group: ImportGroup): void {
    const cache = this.opts.host?.cache;
    if (!cache || group.external || group.caught !== this.caught) return;
    // Layers made (and dropped) at a module's top level moved Keras' automatic-name counters.
    const names = this.rt.builder.saveNames();
    if (names.size !== group.names.size || [...names].some(([k, n]) => group.names.get(k) !== n)) return;
    const copier = new NamespaceCopier((b) => (this.builtins.get(b.name) === b ? placeholderBuiltin(b.name) : b), (v) => this.kerasState.has(v));
    const members = [...group.recs, ...group.absorbed];
    const modules = members.map((r) => copier.rec(r));
    if (copier.failed) return;
    // The modules' own texts were read before the group started (resolving the import).
    for (const r of group.recs) group.reads.set(r.path, r.file.text);
    const steps = this.budget.steps - group.steps;
    const cluster: Cluster = { recs: members, reads: group.reads, steps: steps + group.absorbedSteps };
    for (const r of members) this.clusters.set(r, cluster);
    cache.add({ entry: group.entry, modules, reads: group.reads, steps, absorbedSteps: group.absorbedSteps, size: modules.reduce((n, m) => n + m.file.text.length, 0) });
  }

  /** A copy of a cached group that started at `entry` and holds `target`, if the files it read are unchanged. */
  private fromCache(entry: string, target: string): ModuleRec | undefined {
    const host = this.opts.host!;
    const cache = host.cache;
    if (!cache) return undefined;
    for (const image of cache.candidates(entry)) {
      if (!image.modules.some((m) => m.path === target)) continue;
      const loaded = image.modules.filter((m) => this.modules.has(m.path));
      // Modules of the image this analysis already has must be in the state the image saw them in.
      if (loaded.length > 0 && this.dirty) continue;
      let valid = true;
      for (const [p, text] of image.reads) {
        if (host.resolver.read(p) !== text) {
          valid = false;
          break;
        }
      }
      if (!valid) continue;
      const copier = new NamespaceCopier((b) => (isPlaceholderBuiltin(b) ? this.builtins.get(b.name) ?? b : b));
      if (!loaded.every((m) => copier.seed(m, this.modules.get(m.path)!))) continue;
      const recs = image.modules.map((m) => {
        const live = this.modules.get(m.path);
        if (live) return live;
        const rec = copier.rec(m);
        this.modules.set(rec.path, rec);
        this.moduleRecs.set(rec.value, rec);
        return rec;
      });
      const cluster: Cluster = { recs, reads: image.reads, steps: image.steps + image.absorbedSteps };
      for (const r of recs) this.clusters.set(r, cluster);
      cache.stats.reused += image.modules.length - loaded.length;
      this.budget.charge(loaded.length > 0 ? image.steps : image.steps + image.absorbedSteps);
      return this.modules.get(target);
    }
    return undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Functions and classes

  private defineFunction(node: PyNode, scope: Scope): void {
    const nameNode = field(node, 'name');
    if (!nameNode) return;
    const name = this.text(nameNode);
    scope.assign(name, this.makeFunction(node, scope, name));
  }

  private makeFunction(node: PyNode, scope: Scope, name: string): Value {
    const defaults = new Map<string, Value>();
    const params = field(node, 'parameters');
    for (const p of params ? namedChildren(params) : []) {
      if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
        const n = field(p, 'name');
        const v = field(p, 'value');
        if (n && v) defaults.set(this.text(n), this.eval(v, scope));
      }
    }
    const def: FuncDef = { node, closure: scope, file: this.file, defaults, name };
    return { k: 'func', name, def };
  }

  private defineClass(node: PyNode, scope: Scope): void {
    const nameNode = field(node, 'name');
    const body = field(node, 'body');
    if (!nameNode || !body) return;
    const bases = field(node, 'superclasses');
    const baseValues = bases ? namedChildren(bases).filter((b) => b.type !== 'keyword_argument').map((b) => this.eval(b, scope)) : [];
    let keras: 'model' | 'layer' | null = null;
    for (const b of baseValues) {
      if (b.k === 'api') {
        const last = apiTail(b.path).split('.').pop();
        if (last === 'Model' || last === 'Sequential') keras = 'model';
        else if (last === 'Layer' && !keras) keras = 'layer';
      } else if (b.k === 'class') {
        keras ??= (b.def as ClassDef).keras;
      } else if (b.k === 'unknown' && bases && /\bModel\b/.test(this.text(bases))) keras = 'model';
    }
    const classScope = new Scope(scope, scope.module ?? scope, 'class');
    const cls: ClassDef = { node, file: this.file, attrs: classScope.vars, keras };
    // Inherit attributes from user base classes.
    for (const b of baseValues) if (b.k === 'class') for (const [k, v] of (b.def as ClassDef).attrs) if (!classScope.vars.has(k)) classScope.vars.set(k, v);
    const saved = new Map(classScope.vars);
    classScope.vars.clear();
    this.execBlock(namedChildren(body), classScope);
    for (const [k, v] of saved) if (!classScope.vars.has(k)) classScope.vars.set(k, v);
    const name = this.text(nameNode);
    scope.assign(name, { k: 'class', name, def: cls, bases: baseValues });
  }

  /** Calls a user function with bound arguments; a too-deep call yields Unknown. */
  private callFunction(fn: Value & { k: 'func' }, args: CallArgs, self: Value | null, range: SourceRange): Value {
    const def = fn.def as FuncDef;
    return this.callFrame(def, range, () => {
      const scope = new Scope(def.closure, def.closure.module ?? def.closure, 'function');
      this.bindParams(def, scope, args, self);
      const body = field(def.node, 'body');
      if (!body) return unknown();
      if (def.node.type === 'lambda') return this.eval(body, scope);
      this.execBlock(namedChildren(body), scope);
      return NONE;
    });
  }

  private bindParams(def: FuncDef, scope: Scope, args: CallArgs, self: Value | null): void {
    const params = field(def.node, 'parameters');
    const positional = self ? [self, ...args.positional] : [...args.positional];
    const keywords = new Map(args.keywords);
    let pi = 0;
    let kwOnly = false;
    for (const p of params ? namedChildren(params) : []) {
      switch (p.type) {
        case 'identifier':
        case 'typed_parameter':
        case 'default_parameter':
        case 'typed_default_parameter': {
          if (p.type === 'typed_parameter' && namedChildren(p)[0]?.type === 'list_splat_pattern') {
            scope.assign(this.text(namedChildren(namedChildren(p)[0])[0]), args.rest ? unknown('*args') : tuple(positional.slice(pi)));
            pi = positional.length;
            kwOnly = true;
            break;
          }
          if (p.type === 'typed_parameter' && namedChildren(p)[0]?.type === 'dictionary_splat_pattern') {
            scope.assign(this.text(namedChildren(namedChildren(p)[0])[0]), args.rest ? unknown('**kwargs') : this.kwDict(keywords));
            keywords.clear();
            break;
          }
          const nameNode = p.type === 'identifier' ? p : p.type === 'typed_parameter' ? namedChildren(p)[0] : field(p, 'name');
          if (!nameNode) break;
          const name = this.text(nameNode);
          let v: Value | undefined;
          if (!kwOnly && pi < positional.length) v = positional[pi++];
          else if (keywords.has(name)) {
            v = keywords.get(name);
            keywords.delete(name);
          } else v = args.rest === 'splat' ? missingArgument(name) : def.defaults.get(name);
          scope.vars.set(name, v ?? missingArgument(name));
          break;
        }
        case 'list_splat_pattern': {
          const n = namedChildren(p)[0];
          if (n) scope.vars.set(this.text(n), args.rest ? unknown('*args') : tuple(positional.slice(pi)));
          pi = positional.length;
          kwOnly = true;
          break;
        }
        case 'keyword_separator':
          kwOnly = true;
          break;
        case 'dictionary_splat_pattern': {
          const n = namedChildren(p)[0];
          if (n) scope.vars.set(this.text(n), args.rest ? unknown('**kwargs') : this.kwDict(keywords));
          keywords.clear();
          break;
        }
        default:
          break;
      }
    }
  }

  private kwDict(keywords: Map<string, Value>): Value {
    return makeDict([...keywords].map(([k, v]) => [str(k), v]));
  }

  /** Instantiates a user class: runs `__init__`; Keras subclasses get tracked layers. */
  private instantiate(cls: Value & { k: 'class' }, args: CallArgs, range: SourceRange): Value {
    const def = cls.def as ClassDef;
    this.instantiatedClasses.add(def.node);
    const obj: Value & { k: 'object' } = { k: 'object', cls, attrs: new Map(), id: this.nextObjectId++ };
    if (def.keras) {
      this.kerasState.set(obj, { tracked: [], kerasName: null, called: false, range: this.layerRange(range) });
      if (def.keras === 'model') this.kerasModels.push(obj);
      const nameArg = args.keywords.get('name');
      if (nameArg?.k === 'str') this.kerasState.get(obj)!.kerasName = nameArg.v;
    }
    const init = def.attrs.get('__init__');
    if (init?.k === 'func') this.callFunction(init, args, obj, range);
    return obj;
  }

  /** Records layers assigned to attributes of a Keras subclass, in assignment order. */
  private track(obj: Value & { k: 'object' }, value: Value): void {
    const st = this.kerasState.get(obj);
    if (!st) return;
    const add = (v: Value) => {
      if ((v.k === 'layer' || v.k === 'model' || (v.k === 'object' && this.kerasState.has(v))) && !st.tracked.some((t) => valuesEqual(t, v) === true)) st.tracked.push(v);
    };
    add(value);
    for (const item of sequenceItems(value) ?? (value.k === 'dict' ? [...value.map.values()] : [])) add(item);
  }

  /** Calls a Keras subclass instance on a tensor: traces `call` once, then reuses the traced graph. */
  private callKerasObject(obj: Value & { k: 'object' }, input: Value, args: CallArgs, range: SourceRange): Value {
    const st = this.kerasState.get(obj)!;
    st.called = true;
    if (!st.traced) {
      const shapes = this.rt.tensors(input)?.map((t) => t.shape);
      if (!shapes) return unknown();
      this.trace(obj, shapes, args, range);
    }
    if (!st.traced) return unknown();
    return this.rt.call(st.traced, input, this.layerRange(range));
  }

  /** Runs the subclass's `call` on fresh inputs of the given shapes and records its graph. */
  private trace(obj: Value & { k: 'object' }, shapes: (Shape | null)[], args: CallArgs, range: SourceRange): void {
    const st = this.kerasState.get(obj)!;
    const def = obj.cls.def as ClassDef;
    const callFn = def.attrs.get('call');
    const inputs = shapes.map((s, i) => this.rt.input(s, st.range, `${obj.cls.name}_input_${i}`));
    const inputTensors = inputs.map((v) => (v as { t: SymbolicTensor }).t);
    // The trace's own InputLayers are not layers of the model.
    let out: Value = unknown();
    if (callFn?.k === 'func') {
      const extra: CallArgs = { positional: [], keywords: new Map([...args.keywords].filter(([k]) => k === 'training' || k === 'mask')) };
      out = this.callFunction(callFn, { positional: [inputs.length === 1 ? inputs[0] : list(inputs)], keywords: extra.keywords }, obj, range);
    }
    const outputs = this.rt.tensors(out) ?? [];
    const layers = st.tracked.map((v) => (v.k === 'layer' ? v.node : v.k === 'model' ? this.rt.builder.modelAsLayer(v.model) : this.kerasObjectLayer(v as Value & { k: 'object' })));
    const name = st.kerasName ?? defaultLayerName(obj.cls.name);
    const graph = this.rt.builder.subclassed(obj.cls.name, name, layers.filter((l): l is NonNullable<typeof l> => !!l), inputTensors, outputs, st.range, this.rt.functionName);
    if (def.keras === 'layer') this.rt.builder.forgetModel(graph);
    st.traced = { k: 'model', model: graph };
    if (outputs.length === 0) this.rt.sink.info('subclass-output', `Shape Lens could not follow ${obj.cls.name}.call to an output tensor.`, st.range);
  }

  private kerasObjectLayer(obj: Value & { k: 'object' }) {
    const st = this.kerasState.get(obj);
    if (!st?.traced) return undefined;
    return this.rt.builder.modelAsLayer(st.traced.model);
  }

  /** Subclassed models that were never called: trace them from a known input shape, else list them unbuilt. */
  private finishKerasModels(): void {
    for (const obj of this.kerasModels) {
      const st = this.kerasState.get(obj)!;
      // A base class with helper methods but no layers is not a model anyone wants summarised.
      if (st.traced || st.tracked.length === 0) continue;
      const shape = st.buildShape !== undefined ? st.buildShape : this.shapeCommentFor((obj.cls.def as ClassDef).node);
      this.guard(() => {
        if (shape !== undefined) this.trace(obj, [shape], { positional: [], keywords: new Map() }, st.range);
        else {
          const layers = st.tracked.flatMap((v) => (v.k === 'layer' ? [v.node] : v.k === 'model' ? [this.rt.builder.modelAsLayer(v.model)] : []));
          this.rt.builder.subclassed(obj.cls.name, st.kerasName ?? defaultLayerName(obj.cls.name), layers, [], [], st.range, null);
          this.rt.sink.info('subclass-input-shape', `The input shape of ${obj.cls.name} is unknown: call it on an Input, call model.build(...), or add a comment "# shape-lens: input_shape=(None, 28, 28, 1)".`, st.range);
        }
      });
    }
  }

  /**
   * Functions and model classes defined at module level that nothing called: analyse them with
   * their defaults. Functions no other module function calls go first (a `build_gan` that calls
   * `build_generator` must not make the generator twice); a run that builds no model (a helper
   * like `conv_block(x, filters)`) is rolled back so it leaves no names or diagnostics behind.
   */
  /** Builder functions nothing called run with their defaults (speculatively); model classes are always reported (unbuilt if nothing gives their input shape). */
  private analyseUncalled(root: PyNode, scope: Scope): void {
    const entries: UncalledEntry<PyNode>[] = [];
    const noArgs = (): CallArgs => ({ positional: [], keywords: new Map(), rest: 'uncalled' });
    for (const stmt of namedChildren(root)) {
      const def = stmt.type === 'decorated_definition' ? field(stmt, 'definition') : stmt;
      const nameNode = def && field(def, 'name');
      if (!def || !nameNode) continue;
      const name = this.text(nameNode);
      const v = scope.vars.get(name);
      const range = { start: def.start, end: def.end };
      const calls = (): Set<string> => calledNames(def, this.main.text);
      if (def.type === 'function_definition' && v?.k === 'func' && (v.def as FuncDef).node === def) {
        entries.push({ name, node: def, calls, isClass: false, speculative: true, run: () => void this.callFunction(v, noArgs(), null, range) });
      }
      if (def.type === 'class_definition' && v?.k === 'class' && (v.def as ClassDef).keras === 'model') {
        entries.push({ name, node: def, calls, isClass: true, speculative: false, run: () => void this.instantiate(v, noArgs(), range) });
      }
    }
    this.runUncalled(entries);
  }

  private scanShapeComments(text: string): void {
    const re = /#\s*shape-lens:\s*input_shape\s*=\s*([([][^)\]]*[)\]])/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const dims = m[1].slice(1, -1).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      this.shapeComments.push({ offset: m.index, shape: dims.map((d) => (/^\d+$/.test(d) ? Number(d) : null)) });
    }
  }

  /** A `# shape-lens: input_shape=...` comment inside the class or on the lines just above it. */
  private shapeCommentFor(cls: PyNode): (number | null)[] | undefined {
    const lineStart = this.main.text.lastIndexOf('\n', Math.max(0, cls.start - 1));
    let above = lineStart;
    for (let i = 0; i < 3 && above > 0; i++) above = this.main.text.lastIndexOf('\n', above - 1);
    const c = this.shapeComments.find((sc) => sc.offset >= Math.max(0, above) && sc.offset < cls.end);
    return c?.shape;
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions

  private eval(node: PyNode, scope: Scope): Value {
    this.budget.step();
    switch (node.type) {
      case 'identifier': {
        const name = this.text(node);
        const v = scope.lookup(name) ?? this.builtins.get(name);
        return v ?? unknown(`name ${name}`);
      }
      case 'integer': {
        const t = this.text(node).replace(/_/g, '').toLowerCase();
        const v = t.startsWith('0x') ? parseInt(t.slice(2), 16) : t.startsWith('0o') ? parseInt(t.slice(2), 8) : t.startsWith('0b') ? parseInt(t.slice(2), 2) : Number(t.replace(/[lj]$/, ''));
        return num(v, true);
      }
      case 'float':
        return num(Number(this.text(node).replace(/_/g, '')), false);
      case 'true':
        return TRUE;
      case 'false':
        return FALSE;
      case 'none':
        return NONE;
      case 'ellipsis':
        return unknown();
      case 'string':
        return this.evalString(node, scope);
      case 'concatenated_string': {
        let s = '';
        for (const c of namedChildren(node)) {
          const v = this.evalString(c, scope);
          if (v.k !== 'str') return unknown();
          s += v.v;
        }
        return str(s);
      }
      case 'parenthesized_expression': {
        const inner = namedChildren(node)[0];
        return inner ? this.eval(inner, scope) : unknown();
      }
      case 'tuple':
      case 'expression_list':
        return tuple(this.evalItems(namedChildren(node), scope));
      case 'list':
        return list(this.evalItems(namedChildren(node), scope));
      case 'set':
        return list(this.evalItems(namedChildren(node), scope));
      case 'dictionary': {
        const d = makeDict([]);
        for (const c of namedChildren(node)) {
          if (c.type === 'pair') {
            const k = this.eval(field(c, 'key')!, scope);
            const v = this.eval(field(c, 'value')!, scope);
            const key = dictKey(k);
            if (key !== null) {
              d.map.set(key, v);
              d.keys.set(key, k);
            }
          } else if (c.type === 'dictionary_splat') {
            const v = this.eval(namedChildren(c)[0], scope);
            if (v.k === 'dict') for (const [k, val] of v.map) {
              d.map.set(k, val);
              d.keys.set(k, v.keys.get(k)!);
            }
          }
        }
        return d;
      }
      case 'binary_operator': {
        const l = this.eval(field(node, 'left')!, scope);
        const r = this.eval(field(node, 'right')!, scope);
        return this.binary(this.text(field(node, 'operator')!), l, r);
      }
      case 'unary_operator': {
        const v = this.eval(field(node, 'argument')!, scope);
        const op = this.text(field(node, 'operator')!);
        if (v.k === 'num') return op === '-' ? num(-v.v, v.int) : op === '~' ? num(~v.v, true) : v;
        if (v.k === 'bool') return op === '-' ? num(-Number(v.v), true) : num(Number(v.v), true);
        return unknown();
      }
      case 'not_operator': {
        const t = truthy(this.eval(field(node, 'argument')!, scope));
        return t === null ? unknown() : bool(!t);
      }
      case 'boolean_operator': {
        const l = this.eval(field(node, 'left')!, scope);
        const op = this.text(field(node, 'operator')!);
        const t = truthy(l);
        if (t === null) return unknown();
        if (op === 'and') return t ? this.eval(field(node, 'right')!, scope) : l;
        return t ? l : this.eval(field(node, 'right')!, scope);
      }
      case 'comparison_operator':
        return this.compare(node, scope);
      case 'conditional_expression': {
        const [a, cond, b] = namedChildren(node);
        const t = truthy(this.eval(cond, scope));
        if (t === null) return unknown();
        return this.eval(t ? a : b, scope);
      }
      case 'attribute': {
        const obj = this.eval(field(node, 'object')!, scope);
        const attr = field(node, 'attribute');
        return attr ? this.getAttr(obj, this.text(attr), node) : unknown();
      }
      case 'subscript':
        return this.evalSubscript(node, scope);
      case 'call':
        return this.evalCall(node, scope);
      case 'lambda':
        return this.makeFunction(node, scope, '<lambda>');
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
        return this.comprehension(node, scope, 'list');
      case 'dictionary_comprehension':
        return this.comprehension(node, scope, 'dict');
      case 'named_expression': {
        const v = this.eval(field(node, 'value')!, scope);
        const n = field(node, 'name');
        if (n) scope.assign(this.text(n), v);
        return v;
      }
      case 'assignment':
        return this.execAssign(node, scope);
      case 'await':
        return this.eval(namedChildren(node)[0], scope);
      default:
        return unknown();
    }
  }

  private evalItems(nodes: PyNode[], scope: Scope): Value[] {
    const out: Value[] = [];
    for (const n of nodes) {
      if (n.type === 'list_splat' || n.type === 'list_splat_pattern') {
        const items = this.iterate(this.eval(namedChildren(n)[0], scope));
        if (items) out.push(...items);
        else out.push(unknown());
      } else out.push(this.eval(n, scope));
    }
    return out;
  }

  private evalString(node: PyNode, scope: Scope): Value {
    if (node.type !== 'string') return this.eval(node, scope);
    const startNode = node.children.find((c) => c.type === 'string_start');
    const prefix = startNode ? this.text(startNode).replace(/['"]/g, '').toLowerCase() : '';
    const raw = prefix.includes('r');
    let s = '';
    for (const c of node.children) {
      if (c.type === 'string_content') {
        const t = this.text(c);
        s += raw ? t : t;
        // escape sequences are separate children in tree-sitter-python; content is literal
      } else if (c.type === 'escape_sequence') {
        s += raw ? this.text(c) : decodeEscape(this.text(c));
      } else if (c.type === 'interpolation') {
        const e = field(c, 'expression');
        const v = e ? this.eval(e, scope) : unknown();
        const conv = c.children.find((x) => x.type === 'type_conversion');
        const spec = c.children.find((x) => x.type === 'format_specifier');
        // The spec's text is not a node of its own (the compact tree keeps only its ':'): it runs to the closing brace.
        const specText = spec ? this.file.text.slice(spec.start + 1, c.end - 1) : '';
        const rendered = conv && this.text(conv) === '!r' ? pyRepr(v) : spec ? formatSpec(v, specText) : pyStr(v);
        if (rendered === null) return unknown();
        s += rendered;
      }
    }
    return str(s);
  }

  private compare(node: PyNode, scope: Scope): Value {
    const operands = namedChildren(node);
    const ops = fields(node, 'operators').map((o) => this.text(o).replace(/\s+/g, ' '));
    let left = this.eval(operands[0], scope);
    let result: boolean | null = true;
    for (let i = 0; i < ops.length && i + 1 < operands.length; i++) {
      const right = this.eval(operands[i + 1], scope);
      const r = compareValues(ops[i], left, right);
      if (r === false) return FALSE;
      if (r === null) result = null;
      left = right;
    }
    return result === null ? unknown() : bool(result);
  }

  private binary(op: string, l: Value, r: Value): Value {
    if (l.k === 'bool') l = num(Number(l.v), true);
    if (r.k === 'bool') r = num(Number(r.v), true);
    if (l.k === 'num' && r.k === 'num') return arith(op, l, r);
    if (op === '+') {
      if (l.k === 'str' && r.k === 'str') return str(l.v + r.v);
      if (l.k === 'list' && r.k === 'list') return list([...l.items, ...r.items]);
      if (l.k === 'tuple' && r.k === 'tuple') return tuple([...l.items, ...r.items]);
    }
    if (op === '*') {
      const [seq, n] = l.k === 'num' ? [r, l] : [l, r];
      if (n.k === 'num' && n.int) {
        const times = Math.max(0, n.v);
        const size = times * (seq.k === 'str' ? seq.v.length : seq.k === 'list' || seq.k === 'tuple' ? seq.items.length : 0);
        // Beyond this the value would only cost memory; code using it gets Unknown, not a wrong size.
        if (size > 100000) return unknown('repetition too large');
        if (seq.k === 'str') return str(seq.v.repeat(times));
        if (seq.k === 'list' || seq.k === 'tuple') {
          const items: Value[] = [];
          for (let i = 0; i < times; i++) items.push(...seq.items);
          return seq.k === 'list' ? list(items) : tuple(items);
        }
      }
    }
    if (op === '%' && l.k === 'str') return percentFormat(l.v, r);
    return unknown();
  }

  private evalSubscript(node: PyNode, scope: Scope): Value {
    const obj = this.eval(field(node, 'value')!, scope);
    const subs = fields(node, 'subscript');
    if (subs.length !== 1) return unknown();
    const sub = subs[0];
    if (sub.type === 'slice') {
      const parts: (number | null)[] = [null, null, null];
      let idx = 0;
      for (const c of sub.children) {
        if (c.type === ':') idx++;
        else if (c.named) {
          const v = this.eval(c, scope);
          if (v.k !== 'num' && v.k !== 'none') return unknown();
          parts[idx] = v.k === 'num' ? v.v : null;
        }
      }
      const items = obj.k === 'str' ? [...obj.v].map(str) : sequenceItems(obj);
      if (!items) return unknown();
      const sliced = pySlice(items, parts[0], parts[1], parts[2]);
      if (obj.k === 'str') return str(sliced.map((x) => (x as { v: string }).v).join(''));
      return obj.k === 'list' ? list(sliced) : tuple(sliced);
    }
    const key = this.eval(sub, scope);
    if (obj.k === 'dict') {
      const k = dictKey(key);
      return (k !== null && obj.map.get(k)) || unknown();
    }
    const items = obj.k === 'str' ? [...obj.v].map(str) : sequenceItems(obj);
    if (items && key.k === 'num') {
      const i = key.v < 0 ? items.length + key.v : key.v;
      return items[i] ?? unknown();
    }
    return unknown();
  }

  private comprehension(node: PyNode, scope: Scope, kind: 'list' | 'dict'): Value {
    const body = field(node, 'body');
    if (!body) return unknown();
    const clauses = node.children.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
    const inner = new Scope(scope, scope.module ?? scope, 'function');
    const out: Value[] = [];
    const pairs: [Value, Value][] = [];
    let ok = true;
    const run = (i: number): void => {
      if (!ok) return;
      if (i === clauses.length) {
        if (kind === 'dict' && body.type === 'pair') pairs.push([this.eval(field(body, 'key')!, inner), this.eval(field(body, 'value')!, inner)]);
        else out.push(this.eval(body, inner));
        return;
      }
      const c = clauses[i];
      if (c.type === 'if_clause') {
        const t = truthy(this.eval(namedChildren(c)[0], inner));
        if (t === null) ok = false;
        else if (t) run(i + 1);
        return;
      }
      const items = this.iterate(this.eval(field(c, 'right')!, inner));
      const left = field(c, 'left');
      if (!items || !left) {
        ok = false;
        return;
      }
      if (items.length > this.budget.limits.loopIterations) {
        ok = false;
        return;
      }
      for (const item of items) {
        this.assignTarget(left, item, inner);
        run(i + 1);
      }
    };
    run(0);
    if (!ok) return unknown();
    return kind === 'dict' ? makeDict(pairs) : list(out);
  }

  private getAttr(obj: Value, name: string, node: PyNode): Value {
    switch (obj.k) {
      case 'api':
        return { k: 'api', path: `${obj.path}.${name}` };
      case 'module': {
        const v = this.moduleAttr(obj, name);
        if (v) return v;
        // A package's submodule nothing imported yet (Python would need the import; be lenient).
        const rec = this.moduleRecs.get(obj);
        const sub = rec && basename(rec.path) === '__init__.py' ? this.opts.host?.resolver.resolve(rec.path, name, 1) : undefined;
        return sub ? this.loadModule(sub).value : unknown(`${obj.name}.${name}`);
      }
      case 'object': {
        const v = obj.attrs.get(name);
        if (v) return v;
        const cv = (obj.cls.def as ClassDef).attrs.get(name);
        if (cv?.k === 'func') return { k: 'bound', self: obj, fn: cv };
        if (cv) return cv;
        if (this.kerasState.has(obj)) return { k: 'bound', self: obj, fn: { k: 'builtin', name, call: () => unknown() } };
        return unknown();
      }
      case 'class': {
        const v = (obj.def as ClassDef).attrs.get(name);
        return v ?? unknown();
      }
      case 'unknown':
        return kerasNameOnUnknown(name) ?? unknown();
      case 'layer':
      case 'model':
      case 'tensor': {
        const v = this.rt.attr(obj, name);
        if (v) return v;
        return { k: 'bound', self: obj, fn: { k: 'builtin', name, call: () => unknown() } };
      }
      case 'dict':
      case 'list':
      case 'str':
      case 'tuple':
        return { k: 'bound', self: obj, fn: { k: 'builtin', name, call: () => unknown() } };
      default:
        void node;
        return unknown();
    }
  }

  private evalCall(node: PyNode, scope: Scope): Value {
    const fnNode = field(node, 'function');
    const argNode = field(node, 'arguments');
    if (!fnNode) return unknown();
    const args: CallArgs = { positional: [], keywords: new Map() };
    if (argNode?.type === 'generator_expression') args.positional.push(this.eval(argNode, scope));
    else if (argNode) {
      for (const a of namedChildren(argNode)) {
        if (a.type === 'keyword_argument') {
          const n = field(a, 'name');
          const v = field(a, 'value');
          if (n && v) args.keywords.set(this.text(n), this.eval(v, scope));
        } else if (a.type === 'list_splat') {
          const items = this.iterate(this.eval(namedChildren(a)[0], scope));
          if (items) args.positional.push(...items);
          else {
            args.positional.push(unknown());
            args.rest = 'splat';
          }
        } else if (a.type === 'dictionary_splat') {
          const d = this.eval(namedChildren(a)[0], scope);
          if (d.k === 'dict') for (const [k, v] of d.map) args.keywords.set(k, v);
          else args.rest = 'splat';
        } else args.positional.push(this.eval(a, scope));
      }
    }
    const viaSuper = this.superCall(fnNode, args, scope);
    if (viaSuper) return viaSuper;
    const callee = this.eval(fnNode, scope);
    const result = this.callValue(callee, args, this.range(node), scope);
    if (result.k === 'unknown' && (callee.k === 'unknown' || callee.k === 'api')) {
      // An unknown callable: applied to tensors, an opaque layer keeps the graph connected;
      // otherwise its result is labelled so a Sequential it is added to can show it.
      const inner = fnNode.type === 'call' ? field(fnNode, 'function') ?? fnNode : fnNode;
      const label = this.text(inner).replace(/\s+/g, '').slice(0, 60);
      const tensors = args.positional.flatMap((a) => this.rt.tensors(a) ?? []);
      const where = this.layerRange(this.range(node));
      if (tensors.length > 0) return this.rt.opaque(label, tensors, where);
      if (result.why === undefined || !result.why.startsWith('call:')) return unknown(`call:${label}`, where);
    }
    return result;
  }

  /**
   * `super().method(...)` inside a method: runs the first user base class that defines it; for
   * `super().__init__(name=...)` in a Keras subclass, records the Keras name.
   */
  private superCall(fnNode: PyNode, args: CallArgs, scope: Scope): Value | undefined {
    if (fnNode.type !== 'attribute') return undefined;
    const obj = field(fnNode, 'object');
    const fnName = obj?.type === 'call' ? field(obj, 'function') : undefined;
    if (!fnName || this.text(fnName) !== 'super') return undefined;
    const method = this.text(field(fnNode, 'attribute') ?? fnNode);
    const self = scope.lookup('self');
    if (self?.k !== 'object') return unknown();
    const st = this.kerasState.get(self);
    const name = args.keywords.get('name');
    if (st && method === '__init__' && name?.k === 'str') st.kerasName = name.v;
    for (const base of self.cls.bases) {
      if (base.k !== 'class') continue;
      const fn = (base.def as ClassDef).attrs.get(method);
      if (fn?.k === 'func') return this.callFunction(fn, args, self, this.range(fnNode));
    }
    return NONE;
  }

  private callValue(callee: Value, args: CallArgs, range: SourceRange, scope: Scope): Value {
    switch (callee.k) {
      case 'func':
        return this.callFunction(callee, args, null, range);
      case 'builtin':
        return callee.call(args, range);
      case 'class':
        return this.instantiate(callee, args, range);
      case 'api':
        return callKerasApi(callee.path, args, this.layerRange(range), this.rt) ?? unknown();
      case 'layer':
      case 'model':
        return args.positional[0] ? this.rt.call(callee, args.positional[0], this.layerRange(range)) : unknown();
      case 'object': {
        if (this.kerasState.has(callee)) return args.positional[0] ? this.callKerasObject(callee, args.positional[0], args, range) : unknown();
        const call = (callee.cls.def as ClassDef).attrs.get('__call__');
        return call?.k === 'func' ? this.callFunction(call, args, callee, range) : unknown();
      }
      case 'bound':
        return this.callMethod(callee.self, callee.fn, args, range, scope);
      default:
        return unknown();
    }
  }

  private callMethod(self: Value, fn: Value, args: CallArgs, range: SourceRange, _scope: Scope): Value {
    if (fn.k === 'func') return this.callFunction(fn, args, self, range);
    const name = fn.k === 'builtin' ? fn.name : '';
    if (self.k === 'object' && this.kerasState.has(self)) {
      const st = this.kerasState.get(self)!;
      if (name === 'build') {
        const shape = args.positional[0] ? shapeFromValue(args.positional[0]) : undefined;
        if (shape !== undefined && !st.traced) {
          st.buildShape = shape;
          if (st.tracked.length > 0 || (self.cls.def as ClassDef).attrs.has('call')) this.trace(self, [shape], { positional: [], keywords: new Map() }, range);
        }
        return NONE;
      }
      if (name === 'summary' || name === 'compile' || name === 'fit') return NONE;
      if (st.traced) return this.rt.method(st.traced, name, args.positional, range) ?? unknown();
      return unknown();
    }
    if (self.k === 'layer' || self.k === 'model' || self.k === 'tensor') {
      return this.rt.method(self, name, args.positional, this.layerRange(range)) ?? unknown();
    }
    return this.dataMethod(self, name, args);
  }

  /** Methods of lists, dicts and strings that model code uses to build configs and names. */
  private dataMethod(self: Value, name: string, args: CallArgs): Value {
    const a0 = args.positional[0];
    if (self.k === 'list') {
      switch (name) {
        case 'append':
          if (a0) self.items.push(a0);
          return NONE;
        case 'extend': {
          const items = a0 ? this.iterate(a0) : null;
          if (items) self.items.push(...items);
          return NONE;
        }
        case 'insert':
          if (a0?.k === 'num' && args.positional[1]) self.items.splice(a0.v, 0, args.positional[1]);
          return NONE;
        case 'pop':
          return (a0?.k === 'num' ? self.items.splice(a0.v, 1)[0] : self.items.pop()) ?? unknown();
        case 'copy':
          return list([...self.items]);
        case 'reverse':
          self.items.reverse();
          return NONE;
        case 'index':
          return a0 ? num(self.items.findIndex((x) => valuesEqual(x, a0) === true)) : unknown();
        default:
          return unknown();
      }
    }
    if (self.k === 'dict') {
      switch (name) {
        case 'get': {
          const k = a0 ? dictKey(a0) : null;
          return (k !== null && self.map.get(k)) || args.positional[1] || NONE;
        }
        case 'items':
          return list([...self.map].map(([k, v]) => tuple([self.keys.get(k)!, v])));
        case 'keys':
          return list([...self.keys.values()]);
        case 'values':
          return list([...self.map.values()]);
        case 'update':
          if (a0?.k === 'dict') for (const [k, v] of a0.map) {
            self.map.set(k, v);
            self.keys.set(k, a0.keys.get(k)!);
          }
          for (const [k, v] of args.keywords) {
            self.map.set(k, v);
            self.keys.set(k, str(k));
          }
          return NONE;
        case 'copy':
          return { k: 'dict', map: new Map(self.map), keys: new Map(self.keys) };
        case 'setdefault': {
          const k = a0 ? dictKey(a0) : null;
          if (k === null) return unknown();
          if (!self.map.has(k)) {
            self.map.set(k, args.positional[1] ?? NONE);
            self.keys.set(k, a0!);
          }
          return self.map.get(k)!;
        }
        case 'pop': {
          const k = a0 ? dictKey(a0) : null;
          if (k === null) return unknown();
          const v = self.map.get(k) ?? args.positional[1] ?? unknown();
          self.map.delete(k);
          self.keys.delete(k);
          return v;
        }
        default:
          return unknown();
      }
    }
    if (self.k === 'str') {
      switch (name) {
        case 'format': {
          let auto = 0;
          let ok = true;
          const out = self.v.replace(/\{([^{}]*)\}/g, (_m, key: string) => {
            const [ref, spec] = key.split(':');
            const v = ref === '' ? args.positional[auto++] : /^\d+$/.test(ref) ? args.positional[Number(ref)] : args.keywords.get(ref);
            const s = v ? (spec ? formatSpec(v, spec) : pyStr(v)) : null;
            if (s === null) ok = false;
            return s ?? '';
          });
          return ok ? str(out) : unknown();
        }
        case 'upper':
          return str(self.v.toUpperCase());
        case 'lower':
          return str(self.v.toLowerCase());
        case 'strip':
          return str(self.v.trim());
        case 'join': {
          const items = a0 ? this.iterate(a0) : null;
          if (!items || items.some((i) => i.k !== 'str')) return unknown();
          return str(items.map((i) => (i as { v: string }).v).join(self.v));
        }
        case 'replace':
          return a0?.k === 'str' && args.positional[1]?.k === 'str' ? str(self.v.split(a0.v).join((args.positional[1] as { v: string }).v)) : unknown();
        case 'startswith':
          return a0?.k === 'str' ? bool(self.v.startsWith(a0.v)) : unknown();
        case 'endswith':
          return a0?.k === 'str' ? bool(self.v.endsWith(a0.v)) : unknown();
        case 'split':
          return list((a0?.k === 'str' ? self.v.split(a0.v) : self.v.trim().split(/\s+/)).map(str));
        default:
          return unknown();
      }
    }
    return unknown();
  }

  /** Items of an iterable value (lists, tuples, strings, dict keys), or null if not known. */
  private iterate(v: Value): Value[] | null {
    if (v.k === 'list' || v.k === 'tuple') return v.items;
    if (v.k === 'str') return [...v.v].map(str);
    if (v.k === 'dict') return [...v.keys.values()];
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Builtins

  private installBuiltins(): void {
    const b = (name: string, call: (a: Value[], kw: Map<string, Value>) => Value) =>
      this.builtins.set(name, { k: 'builtin', name, call: (args) => call(args.positional, args.keywords) });
    const nums = (a: Value[]) => (a.every((x) => x.k === 'num' || x.k === 'bool') ? a.map((x) => Number((x as { v: number | boolean }).v)) : null);
    b('range', (a) => {
      const n = nums(a);
      if (!n || n.length === 0) return unknown();
      const [start, stop, step] = n.length === 1 ? [0, n[0], 1] : [n[0], n[1], n[2] ?? 1];
      if (step === 0) return unknown();
      const count = Math.max(0, Math.ceil((stop - start) / step));
      if (count > this.budget.limits.loopIterations) {
        this.rt.sink.warning('loop-budget', `range() of ${count} items is more than Shape Lens follows (${this.budget.limits.loopIterations}); what depends on it is unknown.`);
        return unknown('range too large');
      }
      const items: Value[] = [];
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) items.push(num(i, true));
      return list(items);
    });
    b('len', (a) => {
      const v = a[0];
      if (!v) return unknown();
      if (v.k === 'str') return num(v.v.length);
      if (v.k === 'dict') return num(v.map.size);
      const items = sequenceItems(v);
      return items ? num(items.length) : unknown();
    });
    b('int', (a) => {
      const v = a[0];
      if (!v) return num(0);
      if (v.k === 'num') return num(Math.trunc(v.v), true);
      if (v.k === 'bool') return num(Number(v.v), true);
      if (v.k === 'str' && /^\s*[-+]?\d+\s*$/.test(v.v)) return num(parseInt(v.v, 10), true);
      return unknown();
    });
    b('float', (a) => {
      const v = a[0];
      if (!v) return num(0, false);
      if (v.k === 'num') return num(v.v, false);
      if (v.k === 'str' && !Number.isNaN(Number(v.v))) return num(Number(v.v), false);
      return unknown();
    });
    b('str', (a) => {
      const s = a[0] ? pyStr(a[0]) : '';
      return s === null ? unknown() : str(s);
    });
    b('repr', (a) => {
      const s = a[0] ? pyRepr(a[0]) : null;
      return s === null ? unknown() : str(s);
    });
    b('bool', (a) => {
      const t = a[0] ? truthy(a[0]) : false;
      return t === null ? unknown() : bool(t);
    });
    b('abs', (a) => (a[0]?.k === 'num' ? num(Math.abs(a[0].v), a[0].int) : unknown()));
    b('round', (a) => {
      if (a[0]?.k !== 'num') return unknown();
      const nd = a[1]?.k === 'num' ? a[1].v : 0;
      if (nd === 0) return num(roundHalfEven(a[0].v), true);
      const f = 10 ** nd;
      return num(Math.round(a[0].v * f) / f, false);
    });
    const minmax = (pick: (x: number, y: number) => boolean) => (a: Value[]) => {
      const items = a.length === 1 ? this.iterate(a[0]) : a;
      const n = items ? nums(items) : null;
      if (!n || n.length === 0) return unknown();
      let best = 0;
      n.forEach((x, i) => {
        if (pick(x, n[best])) best = i;
      });
      return items![best];
    };
    b('min', minmax((x, y) => x < y));
    b('max', minmax((x, y) => x > y));
    b('sum', (a) => {
      const items = a[0] ? this.iterate(a[0]) : null;
      const n = items ? nums(items) : null;
      if (!n) return unknown();
      const start = a[1]?.k === 'num' ? a[1].v : 0;
      return num(n.reduce((p, x) => p + x, start), items!.every((x) => x.k !== 'num' || x.int));
    });
    b('list', (a) => (a[0] ? (this.iterate(a[0]) ? list([...this.iterate(a[0])!]) : unknown()) : list([])));
    b('tuple', (a) => (a[0] ? (this.iterate(a[0]) ? tuple([...this.iterate(a[0])!]) : unknown()) : tuple([])));
    b('dict', (a, kw) => {
      const d = makeDict([...kw].map(([k, v]) => [str(k), v] as [Value, Value]));
      if (a[0]?.k === 'dict') for (const [k, v] of a[0].map) {
        d.map.set(k, v);
        d.keys.set(k, a[0].keys.get(k)!);
      }
      return d;
    });
    b('enumerate', (a) => {
      const items = a[0] ? this.iterate(a[0]) : null;
      const start = a[1]?.k === 'num' ? a[1].v : 0;
      return items ? list(items.map((v, i) => tuple([num(i + start, true), v]))) : unknown();
    });
    b('zip', (a) => {
      const lists = a.map((x) => this.iterate(x));
      if (lists.some((l) => !l) || lists.length === 0) return unknown();
      const n = Math.min(...lists.map((l) => l!.length));
      return list(Array.from({ length: n }, (_, i) => tuple(lists.map((l) => l![i]))));
    });
    b('reversed', (a) => {
      const items = a[0] ? this.iterate(a[0]) : null;
      return items ? list([...items].reverse()) : unknown();
    });
    b('sorted', (a) => {
      const items = a[0] ? this.iterate(a[0]) : null;
      const n = items ? nums(items) : null;
      if (!items || !n) return unknown();
      return list(items.map((v, i) => [v, n[i]] as const).sort((x, y) => x[1] - y[1]).map((x) => x[0]));
    });
    b('any', (a) => {
      const items = a[0] ? this.iterate(a[0]) : null;
      if (!items) return unknown();
      const t = items.map(truthy);
      return t.some((x) => x === true) ? TRUE : t.some((x) => x === null) ? unknown() : FALSE;
    });
    b('all', (a) => {
      const items = a[0] ? this.iterate(a[0]) : null;
      if (!items) return unknown();
      const t = items.map(truthy);
      return t.some((x) => x === false) ? FALSE : t.some((x) => x === null) ? unknown() : TRUE;
    });
    b('isinstance', (a) => {
      const [v, t] = a;
      if (!v || !t || t.k !== 'builtin') return unknown();
      const kinds: Record<string, string[]> = { int: ['num'], float: ['num'], str: ['str'], list: ['list'], tuple: ['tuple'], dict: ['dict'], bool: ['bool'] };
      const ks = kinds[t.name];
      if (!ks || v.k === 'unknown') return unknown();
      if (t.name === 'int' && v.k === 'num') return bool(v.int);
      if (t.name === 'float' && v.k === 'num') return bool(!v.int);
      return bool(ks.includes(v.k));
    });
    b('print', () => NONE);
    b('getattr', (a) => {
      if (!a[0] || a[1]?.k !== 'str') return unknown();
      const v = this.getAttr(a[0], a[1].v, { type: 'identifier', start: 0, end: 0, named: true, field: null, children: [], hasError: false, missing: false });
      return v.k === 'unknown' && a[2] ? a[2] : v;
    });
    b('hasattr', () => unknown());
    b('divmod', (a) => {
      const n = nums(a);
      return n && n.length === 2 && n[1] !== 0 ? tuple([num(Math.floor(n[0] / n[1]), true), num(n[0] - Math.floor(n[0] / n[1]) * n[1], true)]) : unknown();
    });
    b('pow', (a) => {
      const n = nums(a);
      return n && n.length >= 2 ? num(n[0] ** n[1]) : unknown();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private text(node: PyNode): string {
    return this.file.text.slice(node.start, node.end);
  }

  /** `line 12` of this file, or `line 12 of utils.py` in an imported one, for messages. */
  private rangeText(node: PyNode): string {
    let line = 1;
    for (let i = 0; i < node.start && i < this.file.text.length; i++) if (this.file.text.charCodeAt(i) === 10) line++;
    return this.file.isMain ? `line ${line}` : `line ${line} of ${this.file.path.split(/[\\/]/).pop()}`;
  }

  private range(node: PyNode): SourceRange {
    return this.file.isMain ? { start: node.start, end: node.end } : { start: node.start, end: node.end, file: this.file.path };
  }
}

// -----------------------------------------------------------------------------------------------
// Pure helpers

/**
 * True for a top-level statement that cannot change imported modules: an import, or a statement
 * that calls nothing (outside the bodies of functions it defines) and assigns only plain names.
 */
function isInert(stmt: PyNode): boolean {
  if (stmt.type === 'import_statement' || stmt.type === 'import_from_statement' || stmt.type === 'future_import_statement') return true;
  const stack = [stmt];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'call' || n.type === 'augmented_assignment' || n.type === 'delete_statement' || n.type === 'ERROR' || n.type === 'named_expression') return false;
    if (n.type === 'assignment' && n.children.some((c) => c.field === 'left' && (c.type === 'attribute' || c.type === 'subscript' || c.children.some((x) => x.type === 'attribute' || x.type === 'subscript')))) return false;
    for (const c of n.children) {
      // A function's body (and a lambda's) runs when it is called, not when it is defined.
      if (c.field === 'body' && (n.type === 'function_definition' || n.type === 'lambda')) continue;
      stack.push(c);
    }
  }
  return true;
}

/** True if `node` calls anything outside `raise` statements and nested definitions. */
/** Methods that change their receiver: a loop Shape Lens cannot run leaves the receiver unknown. */
/** Receivers a mutating call in an unrunnable loop leaves alone (modules of an API, what is unknown already). */
const KEEP_IN_LOOPS: ReadonlySet<Value['k']> = new Set(['api', 'unknown']);
const LOOP_MUTATORS = new Set(['append', 'extend', 'insert', 'add', 'update', 'setdefault', 'pop', 'remove', 'clear', 'sort', 'reverse', 'discard']);

/** A module's name as its parent package binds it: `pkg/sub.py` → `sub`, `pkg/__init__.py` → `pkg`. */
function moduleBaseName(file: string): string {
  const base = basename(file);
  return base === '__init__.py' ? basename(dirname(file)) : base.replace(/\.py$/, '');
}

/** `import a.b.c` of a namespace package (no `a/__init__.py`): `a` is a module holding `b` holding `c`. */
function namespaceChain(parts: string[], leaf: Value): Value {
  let v = leaf;
  for (let i = parts.length - 2; i >= 0; i--) v = { k: 'module', name: parts[i], attrs: new Map([[parts[i + 1], v]]) };
  return v;
}

/** Stand-ins for the interpreter's builtins in cached namespaces (each analysis has its own builtins). */
const placeholders = new Map<string, Value & { k: 'builtin' }>();
function placeholderBuiltin(name: string): Value & { k: 'builtin' } {
  let p = placeholders.get(name);
  if (!p) placeholders.set(name, (p = { k: 'builtin', name, call: () => unknown(name) }));
  return p;
}
function isPlaceholderBuiltin(v: Value & { k: 'builtin' }): boolean {
  return placeholders.get(v.name) === v;
}

/** Names called anywhere inside `node` (`f(...)`), read from the source text. */
function calledNames(node: PyNode, text: string): Set<string> {
  const out = new Set<string>();
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'call') {
      const f = field(n, 'function');
      if (f?.type === 'identifier') out.add(text.slice(f.start, f.end));
    }
    for (const c of n.children) stack.push(c);
  }
  return out;
}

const STATEMENT_TYPES = new Set([
  'expression_statement', 'import_statement', 'import_from_statement', 'function_definition', 'decorated_definition',
  'class_definition', 'if_statement', 'for_statement', 'while_statement', 'return_statement', 'with_statement', 'try_statement',
]);

function isStatement(type: string): boolean {
  return STATEMENT_TYPES.has(type);
}

function arith(op: string, l: Value & { k: 'num' }, r: Value & { k: 'num' }): Value {
  const a = l.v;
  const b = r.v;
  const ints = l.int && r.int;
  switch (op) {
    case '+':
      return num(a + b, ints);
    case '-':
      return num(a - b, ints);
    case '*':
      return num(a * b, ints);
    case '/':
      return b === 0 ? unknown('division by zero') : num(a / b, false);
    case '//':
      return b === 0 ? unknown('division by zero') : num(Math.floor(a / b), ints);
    case '%':
      return b === 0 ? unknown('division by zero') : num(a - Math.floor(a / b) * b, ints);
    case '**':
      return num(a ** b, ints && b >= 0);
    case '<<':
      return num(a * 2 ** b, true);
    case '>>':
      return num(Math.floor(a / 2 ** b), true);
    case '&':
      return num(a & b, true);
    case '|':
      return num(a | b, true);
    case '^':
      return num(a ^ b, true);
    default:
      return unknown();
  }
}

function compareValues(op: string, l: Value, r: Value): boolean | null {
  switch (op) {
    case '==':
      return valuesEqual(l, r);
    case '!=': {
      const e = valuesEqual(l, r);
      return e === null ? null : !e;
    }
    case 'is':
      return l.k === 'none' || r.k === 'none' ? (l.k === 'unknown' || r.k === 'unknown' ? null : l.k === r.k) : valuesEqual(l, r);
    case 'is not': {
      const e = compareValues('is', l, r);
      return e === null ? null : !e;
    }
    case 'in':
    case 'not in': {
      let found: boolean | null = null;
      if (r.k === 'str' && l.k === 'str') found = r.v.includes(l.v);
      else if (r.k === 'dict') {
        const k = dictKey(l);
        found = k === null ? null : r.map.has(k);
      } else {
        const items = sequenceItems(r);
        if (items) {
          found = false;
          for (const x of items) {
            const e = valuesEqual(l, x);
            if (e === true) {
              found = true;
              break;
            }
            if (e === null) found = null;
          }
        }
      }
      return found === null ? null : op === 'in' ? found : !found;
    }
    default: {
      const a = l.k === 'num' || l.k === 'bool' ? Number(l.v) : l.k === 'str' ? l.v : null;
      const b = r.k === 'num' || r.k === 'bool' ? Number(r.v) : r.k === 'str' ? r.v : null;
      if (a === null || b === null || typeof a !== typeof b) return null;
      if (op === '<') return a < b;
      if (op === '>') return a > b;
      if (op === '<=') return a <= b;
      if (op === '>=') return a >= b;
      return null;
    }
  }
}

function pySlice<T>(items: T[], start: number | null, stop: number | null, step: number | null): T[] {
  const n = items.length;
  const st = step ?? 1;
  if (st === 0) return [];
  const norm = (i: number | null, def: number) => (i === null ? def : i < 0 ? Math.max(n + i, st > 0 ? 0 : -1) : Math.min(i, st > 0 ? n : n - 1));
  const out: T[] = [];
  if (st > 0) for (let i = norm(start, 0); i < norm(stop, n); i += st) out.push(items[i]);
  else for (let i = norm(start, n - 1); i > norm(stop, -1); i += st) out.push(items[i]);
  return out;
}

function decodeEscape(e: string): string {
  const map: Record<string, string> = { '\\n': '\n', '\\t': '\t', '\\\\': '\\', "\\'": "'", '\\"': '"', '\\r': '\r', '\\0': '\0' };
  return map[e] ?? e;
}

/** A subset of Python's format spec: `d`, `.2f`, `03d`, `>5`. */
function formatSpec(v: Value, spec: string): string | null {
  if (v.k !== 'num') return pyStr(v);
  const m = /^(0?)(\d*)(?:\.(\d+))?([dfe%s]?)$/.exec(spec);
  if (!m) return pyStr(v);
  let s = m[3] !== undefined ? v.v.toFixed(Number(m[3])) : m[4] === 'd' ? String(Math.trunc(v.v)) : pyStr(v) ?? '';
  if (m[4] === 'f' && m[3] === undefined) s = v.v.toFixed(6);
  const width = m[2] ? Number(m[2]) : 0;
  if (s.length < width) s = (m[1] ? '0' : ' ').repeat(width - s.length) + s;
  return s;
}

/** Python `'%s_%d' % (a, b)` formatting. */
function percentFormat(fmt: string, args: Value): Value {
  const items = args.k === 'tuple' ? args.items : [args];
  let i = 0;
  let ok = true;
  const out = fmt.replace(/%([-0 ]?\d*(?:\.\d+)?)([sdifr%])/g, (_m, flags: string, conv: string) => {
    if (conv === '%') return '%';
    const v = items[i++];
    if (!v) {
      ok = false;
      return '';
    }
    const s = conv === 'r' ? pyRepr(v) : conv === 's' ? pyStr(v) : formatSpec(v, `${flags}${conv === 'i' ? 'd' : conv}`);
    if (s === null) ok = false;
    return s ?? '';
  });
  return ok ? str(out) : unknown();
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
