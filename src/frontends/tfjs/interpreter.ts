// An abstract interpreter for the JavaScript / TypeScript that builds tfjs models: modules (ESM and
// CommonJS), functions and arrows with defaults and closures, classes, loops, destructuring and
// spreads over the shared value domain, with Unknown where it cannot know, inside budgets. It
// never executes user code for real.

import type { TSESTree } from '@typescript-eslint/typescript-estree';
import type { SourceRange } from '../../core/diagnostics';
import type { Budget } from '../common/budget';
import { InterpreterCore, missingArgument, type UncalledEntry } from '../common/interpreter-core';
import type { KerasRuntime } from '../common/keras-runtime';
import { LoopEffects, reportLoopBudget } from '../common/loops';
import { ScopeBase, type ClassRecord, type FunctionRecord, type SourceFile } from '../common/scope';
import { BreakSignal, ContinueSignal, ReturnSignal, ThrowSignal } from '../common/signals';
import {
  bool, FALSE, list, makeDict, NONE, num, sequenceItems, str, TRUE, unknown, valuesEqual, type Value,
} from '../common/values';
import { callTfjsApi, isTfjsPackage, TF_ROOT } from './tfjs-api';

type N = TSESTree.Node;
type Expr = TSESTree.Expression;

/** Reads project modules for relative imports (the CLI reads disk, the extension the workspace). */
export interface JsModuleHost {
  resolve(fromFile: string, spec: string): { path: string; text: string } | undefined;
  /** Parses another module (null if it cannot). */
  parse(text: string, path: string): TSESTree.Program | null;
}

type FileCtx = SourceFile;

/** JS scopes: function and block scopes; `this` and `arguments` are bindings of function scopes. */
class Scope extends ScopeBase<Scope> {
  constructor(parent: Scope | null, readonly isFunction: boolean) {
    super(parent);
  }

  /** The scope holding `name`, if any. */
  owner(name: string): Scope | undefined {
    return this.vars.has(name) ? this : this.parent?.owner(name);
  }

  /** Assignment to an existing binding up the chain, else a new one here. */
  set(name: string, v: Value): void {
    (this.owner(name) ?? this).vars.set(name, v);
  }

  /** True if `name` resolves to a binding of the module scope (the root). */
  isModuleBinding(name: string): boolean {
    return (this.owner(name) ?? this).parent === null;
  }

  functionScope(): Scope {
    return this.isFunction || !this.parent ? this : this.parent.functionScope();
  }
}

interface FuncDef extends FunctionRecord<TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression, Scope, FileCtx> {
  /** Arrow functions keep the `this` of where they were made. */
  lexicalThis?: Value;
}

interface ClassDef extends ClassRecord<TSESTree.ClassDeclaration | TSESTree.ClassExpression, FileCtx> {
  closure: Scope;
  methods: Map<string, Value & { k: 'func' }>;
  /** `get name() {...}`: read as a property, computed on each read. */
  getters: Set<string>;
  superClass: Value | null;
}

export interface JsInterpreterOptions {
  budget: Budget;
  host?: JsModuleHost;
}

export class JsInterpreter extends InterpreterCore<N, FileCtx> {
  private readonly modules = new Map<string, Value & { k: 'module' }>();
  private readonly globals = new Map<string, Value>();

  constructor(rt: KerasRuntime, private readonly opts: JsInterpreterOptions) {
    super(rt, opts.budget);
    this.installGlobals();
  }

  runMain(program: TSESTree.Program, path: string, text: string): void {
    this.file = { path, text, isMain: true };
    const scope = new Scope(null, true);
    const exports = this.moduleObjects(scope);
    this.runProgram(program, scope, exports);
    this.analyseUncalled(program, scope);
  }

  // ---------------------------------------------------------------------------------------------
  // Modules

  /** `module` and `exports` for CommonJS code. */
  private moduleObjects(scope: Scope): Value & { k: 'dict' } {
    const exports = makeDict([]);
    scope.vars.set('exports', exports);
    scope.vars.set('module', makeDict([[str('exports'), exports]]));
    return exports;
  }

  private runProgram(program: TSESTree.Program, scope: Scope, esmExports: Value & { k: 'dict' }): void {
    this.hoist(program.body, scope);
    for (const stmt of program.body) {
      this.guard(() => {
        try {
          this.execTop(stmt, scope, esmExports);
        } catch (e) {
          if (!(e instanceof ThrowSignal || e instanceof ReturnSignal || e instanceof BreakSignal || e instanceof ContinueSignal)) throw e;
        }
      });
    }
  }

  private execTop(stmt: N, scope: Scope, exports: Value & { k: 'dict' }): void {
    const setExport = (name: string, v: Value) => {
      exports.map.set(name, v);
      exports.keys.set(name, str(name));
    };
    switch (stmt.type) {
      case 'ImportDeclaration':
        this.execImport(stmt, scope);
        return;
      case 'ExportNamedDeclaration': {
        if (stmt.declaration) {
          this.exec(stmt.declaration, scope);
          for (const name of declaredNames(stmt.declaration)) setExport(name, scope.lookup(name) ?? unknown());
        }
        const from = stmt.source ? this.importModule(stmt.source.value) : null;
        for (const spec of stmt.specifiers) {
          const local = moduleExportName(spec.local);
          const exported = moduleExportName(spec.exported);
          setExport(exported, from ? this.member(from, local) : scope.lookup(local) ?? unknown());
        }
        return;
      }
      case 'ExportDefaultDeclaration': {
        const d = stmt.declaration;
        if (d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') {
          this.exec(d, scope);
          setExport('default', d.id ? scope.lookup(d.id.name) ?? unknown() : d.type === 'FunctionDeclaration' ? this.makeFunction(d, scope, 'default') : this.makeClass(d, scope));
        } else if (d.type !== 'TSDeclareFunction' && d.type !== 'TSInterfaceDeclaration' && d.type !== 'TSEnumDeclaration' && d.type !== 'TSModuleDeclaration' && d.type !== 'TSTypeAliasDeclaration' && d.type !== 'VariableDeclaration') {
          setExport('default', this.eval(d as Expr, scope));
        }
        return;
      }
      case 'ExportAllDeclaration': {
        const from = this.importModule(stmt.source.value);
        if (stmt.exported) setExport(moduleExportName(stmt.exported), from);
        else if (from.k === 'module') for (const [k, v] of from.attrs) if (k !== 'default') setExport(k, v);
        return;
      }
      default:
        this.exec(stmt, scope);
    }
  }

  private execImport(stmt: TSESTree.ImportDeclaration, scope: Scope): void {
    if (stmt.importKind === 'type') return;
    const mod = this.importModule(stmt.source.value);
    for (const spec of stmt.specifiers) {
      if (spec.type === 'ImportNamespaceSpecifier') scope.vars.set(spec.local.name, mod);
      else if (spec.type === 'ImportDefaultSpecifier') scope.vars.set(spec.local.name, mod.k === 'api' ? mod : this.member(mod, 'default'));
      else if (spec.importKind !== 'type') {
        const imported = moduleExportName(spec.imported);
        scope.vars.set(spec.local.name, this.member(mod, imported));
      }
    }
  }

  /** A module's export (or a tfjs namespace member). */
  private member(mod: Value, name: string): Value {
    if (mod.k === 'api') return { k: 'api', path: `${mod.path}.${name}` };
    if (mod.k === 'module') return mod.attrs.get(name) ?? unknown(`${name} is not exported`);
    return unknown();
  }

  /** tfjs packages are the `tf` namespace; relative specifiers are project files; anything else is Unknown. */
  private importModule(spec: string): Value {
    if (isTfjsPackage(spec)) return { k: 'api', path: TF_ROOT };
    const host = this.opts.host;
    const resolved = host?.resolve(this.file.path, spec);
    if (!resolved) return unknown(`module ${spec}`);
    const cached = this.modules.get(resolved.path);
    if (cached) return cached;
    const mod: Value & { k: 'module' } = { k: 'module', name: spec, attrs: new Map() };
    this.modules.set(resolved.path, mod);
    const program = host!.parse(resolved.text, resolved.path);
    if (!program) return mod;
    const saved = this.file;
    this.file = { path: resolved.path, text: resolved.text, isMain: false };
    const scope = new Scope(null, true);
    const exports = this.moduleObjects(scope);
    try {
      // Models built at import time belong to that module's own report, not this file's.
      this.rt.isolated(() => this.runProgram(program, scope, exports));
    } finally {
      this.file = saved;
    }
    // ESM exports, then whatever CommonJS put on module.exports.
    for (const [k, v] of exports.map) mod.attrs.set(k, v);
    const cjs = scope.vars.get('module');
    const cjsExports = cjs?.k === 'dict' ? cjs.map.get('exports') : undefined;
    if (cjsExports && cjsExports !== exports) {
      if (cjsExports.k === 'dict') for (const [k, v] of cjsExports.map) mod.attrs.set(k, v);
      mod.attrs.set('default', cjsExports);
    } else if (!mod.attrs.has('default')) mod.attrs.set('default', exports);
    return mod;
  }

  // ---------------------------------------------------------------------------------------------
  // Statements

  /** Function declarations are visible before their statement runs. */
  private hoist(body: N[], scope: Scope): void {
    for (const s of body) {
      const d = s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration' ? s.declaration : s;
      if (d?.type === 'FunctionDeclaration' && d.id) scope.vars.set(d.id.name, this.makeFunction(d, scope, d.id.name));
    }
  }

  private execBlock(body: N[], scope: Scope): void {
    this.hoist(body, scope);
    for (const s of body) this.exec(s, scope);
  }

  private exec(node: N, scope: Scope): void {
    this.budget.step();
    switch (node.type) {
      case 'ExpressionStatement':
        this.eval(node.expression, scope);
        return;
      case 'VariableDeclaration':
        for (const d of node.declarations) {
          const v = d.init ? this.eval(d.init, scope) : NONE;
          this.bindPattern(d.id, v, node.kind === 'var' ? scope.functionScope() : scope, true);
        }
        return;
      case 'FunctionDeclaration':
        if (node.id && !scope.vars.has(node.id.name)) scope.vars.set(node.id.name, this.makeFunction(node, scope, node.id.name));
        return;
      case 'ClassDeclaration':
        if (node.id) scope.vars.set(node.id.name, this.makeClass(node, scope));
        return;
      case 'BlockStatement':
        this.execBlock(node.body, new Scope(scope, false));
        return;
      case 'IfStatement': {
        const t = jsTruthy(this.eval(node.test, scope));
        if (t === true) this.exec(node.consequent, scope);
        else if (t === false) {
          if (node.alternate) this.exec(node.alternate, scope);
        } else if (alwaysExits(node.consequent) && !node.alternate) {
          // A guard clause (`if (!valid) throw ...`) on an unknown condition: assume the code goes on.
        } else {
          this.rt.sink.info('unknown-condition', 'Shape Lens cannot tell whether this condition holds; it assumes this branch runs.', this.range(node.test));
          this.exec(node.consequent, scope);
        }
        return;
      }
      case 'ForStatement':
        this.execFor(node, scope);
        return;
      case 'ForOfStatement':
      case 'ForInStatement':
        this.execForOf(node, scope);
        return;
      case 'WhileStatement':
      case 'DoWhileStatement':
        this.execWhile(node, scope);
        return;
      case 'ReturnStatement':
        throw new ReturnSignal(node.argument ? this.eval(node.argument, scope) : NONE);
      case 'BreakStatement':
        throw new BreakSignal(node.label?.name);
      case 'ContinueStatement':
        throw new ContinueSignal(node.label?.name);
      case 'ThrowStatement':
        throw new ThrowSignal();
      case 'TryStatement':
        try {
          this.exec(node.block, scope);
        } catch (e) {
          if (!(e instanceof ThrowSignal)) throw e;
          if (node.handler) {
            const catchScope = new Scope(scope, false);
            if (node.handler.param) this.bindPattern(node.handler.param, unknown('caught error'), catchScope, true);
            this.exec(node.handler.body, catchScope);
          }
        } finally {
          if (node.finalizer) this.exec(node.finalizer, scope);
        }
        return;
      case 'SwitchStatement':
        this.execSwitch(node, scope);
        return;
      case 'LabeledStatement': {
        const labels = [node.label.name];
        let body: N = node.body;
        while (body.type === 'LabeledStatement') {
          labels.push(body.label.name);
          body = body.body;
        }
        if (isLoop(body)) {
          this.loopLabels = labels;
          this.exec(body, scope);
          return;
        }
        try {
          this.exec(body, scope);
        } catch (e) {
          if (!(e instanceof BreakSignal && e.label !== undefined && labels.includes(e.label))) throw e;
        }
        return;
      }
      case 'ImportDeclaration':
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration':
      case 'ExportAllDeclaration':
        this.execTop(node, scope, makeDict([]));
        return;
      case 'TSEnumDeclaration': {
        const d = makeDict([]);
        let next = 0;
        for (const m of node.body?.members ?? (node as unknown as { members: TSESTree.TSEnumMember[] }).members ?? []) {
          const key = m.id.type === 'Identifier' ? m.id.name : String((m.id as TSESTree.StringLiteral).value);
          const v = m.initializer ? this.eval(m.initializer, scope) : num(next);
          if (v.k === 'num') next = v.v + 1;
          d.map.set(key, v);
          d.keys.set(key, str(key));
        }
        scope.vars.set(node.id.name, d);
        return;
      }
      default:
        return; // TS declarations, debugger, empty statements: nothing that builds a model
    }
  }

  /**
   * Stops a loop at the iteration budget. Variables the loop was still changing are then unknown:
   * their last values are not what the program would compute.
   */
  private loopGuard(i: number, node: N, scope: Scope): boolean {
    if (i < this.budget.limits.loopIterations) return true;
    reportLoopBudget(this.rt, i, this.range(node));
    for (const name of assignedIdentifiers(node)) if (scope.owner(name)) scope.set(name, unknown('loop budget'));
    return false;
  }

  /**
   * A loop Shape Lens cannot run: what it would change is unknown afterwards — variables it
   * assigns, properties it sets, arrays and maps it pushes to — and a model it adds layers to is
   * incomplete (its total is `?`). Said only when a model loses something.
   */
  private loseLoopEffects(node: N, scope: Scope, why: string, at: N): void {
    const effects = new LoopEffects(this.rt, why);
    const lost = effects.lost;
    const loseValue = (target: N): void => {
      effects.assigned(this.evalQuiet(target, scope));
      if (target.type === 'Identifier') {
        if (scope.owner(target.name)) scope.set(target.name, lost);
      } else if (target.type === 'MemberExpression' && !target.computed && target.property.type === 'Identifier') {
        const obj = this.evalQuiet(target.object, scope);
        if (obj?.k === 'object' || obj?.k === 'module') obj.attrs.set(target.property.name, lost);
        else if (obj?.k === 'dict') obj.map.set(target.property.name, lost);
      }
    };
    walkEstree(node, (n) => {
      if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression') return false;
      if (n.type === 'AssignmentExpression') loseValue(n.left);
      if (n.type === 'UpdateExpression') loseValue(n.argument);
      if (n.type === 'CallExpression' && n.callee.type === 'MemberExpression' && !n.callee.computed && n.callee.property.type === 'Identifier' && JS_MUTATORS.has(n.callee.property.name)) {
        if (effects.mutated(this.evalQuiet(n.callee.object, scope), `on line ${this.lineOf(node)}`, KEEP_IN_LOOPS)) loseValue(n.callee.object);
      }
      return true;
    });
    effects.finish(this.range(at));
  }

  /** A name, `this` or property chain's value without side effects (no calls, no getters); undefined otherwise. */
  private evalQuiet(node: N, scope: Scope): Value | undefined {
    if (node.type === 'Identifier') return scope.lookup(node.name);
    if (node.type === 'ThisExpression') return scope.lookup('this');
    if (node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier') {
      const obj = this.evalQuiet(node.object, scope);
      if (obj?.k === 'object' || obj?.k === 'module') return obj.attrs.get(node.property.name);
      if (obj?.k === 'dict') return obj.map.get(node.property.name);
    }
    return undefined;
  }

  private lineOf(node: N): number {
    let line = 1;
    const text = this.file.text;
    for (let i = 0; i < node.range[0] && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
    return line;
  }

  /** Labels of the loop statement about to run (set by its LabeledStatement). */
  private loopLabels: string[] = [];

  private takeLabels(): string[] {
    const l = this.loopLabels;
    this.loopLabels = [];
    return l;
  }

  /** Runs a loop body; returns false on `break` of this loop. Signals for an outer label go on up. */
  private body(stmt: N, scope: Scope, labels: string[]): boolean {
    try {
      this.exec(stmt, scope);
    } catch (e) {
      const mine = (l?: string) => l === undefined || labels.includes(l);
      if (e instanceof BreakSignal && mine(e.label)) return false;
      if (!(e instanceof ContinueSignal && mine(e.label))) throw e;
    }
    return true;
  }

  private execFor(node: TSESTree.ForStatement, outer: Scope): void {
    const labels = this.takeLabels();
    const scope = new Scope(outer, false);
    if (node.init) {
      if (node.init.type === 'VariableDeclaration') this.exec(node.init, scope);
      else this.eval(node.init, scope);
    }
    for (let i = 0; ; i++) {
      if (node.test) {
        const t = jsTruthy(this.eval(node.test, scope));
        if (t === false) return;
        if (t === null) {
          this.loseLoopEffects(node, scope, 'Shape Lens cannot tell how often this loop runs', node.test);
          return;
        }
      }
      if (!this.loopGuard(i, node, scope)) return;
      if (!this.body(node.body, new Scope(scope, false), labels)) return;
      if (node.update) this.eval(node.update, scope);
    }
  }

  private execForOf(node: TSESTree.ForOfStatement | TSESTree.ForInStatement, outer: Scope): void {
    const labels = this.takeLabels();
    const iterable = this.eval(node.right, outer);
    const items = node.type === 'ForInStatement' ? this.keysOf(iterable) : this.iterate(iterable);
    if (!items) {
      this.loseLoopEffects(node, outer, 'Shape Lens cannot tell what this loop iterates over', node.right);
      return;
    }
    for (let i = 0; i < items.length; i++) {
      if (!this.loopGuard(i, node, outer)) return;
      const scope = new Scope(outer, false);
      const left = node.left;
      if (left.type === 'VariableDeclaration') this.bindPattern(left.declarations[0].id, items[i], scope, true);
      else this.assign(left as TSESTree.Expression, items[i], scope);
      if (!this.body(node.body, scope, labels)) return;
    }
  }

  private execWhile(node: TSESTree.WhileStatement | TSESTree.DoWhileStatement, scope: Scope): void {
    const labels = this.takeLabels();
    for (let i = 0; ; i++) {
      if (node.type === 'WhileStatement' || i > 0) {
        const t = jsTruthy(this.eval(node.test, scope));
        if (t === false) return;
        if (t === null) {
          this.loseLoopEffects(node, scope, 'Shape Lens cannot tell how often this loop runs', node.test);
          return;
        }
      }
      if (!this.loopGuard(i, node, scope)) return;
      if (!this.body(node.body, new Scope(scope, false), labels)) return;
    }
  }

  private execSwitch(node: TSESTree.SwitchStatement, outer: Scope): void {
    const d = this.eval(node.discriminant, outer);
    const scope = new Scope(outer, false);
    let matched = false;
    try {
      for (const c of node.cases) {
        if (!matched) {
          if (c.test === null) continue;
          const eq = valuesEqual(d, this.eval(c.test, scope));
          if (eq === null) return;
          matched = eq;
        }
        if (matched) for (const s of c.consequent) this.exec(s, scope);
      }
      if (!matched) {
        const def = node.cases.findIndex((c) => c.test === null);
        if (def >= 0) for (const c of node.cases.slice(def)) for (const s of c.consequent) this.exec(s, scope);
      }
    } catch (e) {
      if (!(e instanceof BreakSignal)) throw e;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Bindings

  /** Binds a declaration pattern (`const {a, b: [c]} = v`). */
  private bindPattern(p: TSESTree.Node, v: Value, scope: Scope, declare: boolean): void {
    const put = (name: string, value: Value) => {
      if (declare) scope.vars.set(name, value);
      else scope.set(name, value);
      this.nameModel(value, name, scope.parent === null);
    };
    switch (p.type) {
      case 'Identifier':
        put(p.name, v);
        return;
      case 'AssignmentPattern':
        this.bindPattern(p.left, v.k === 'none' ? this.eval(p.right, scope) : v, scope, declare);
        return;
      case 'ArrayPattern': {
        const items = this.iterate(v);
        p.elements.forEach((el, i) => {
          if (!el) return;
          if (el.type === 'RestElement') this.bindPattern(el.argument, items ? list(items.slice(i)) : unknown(), scope, declare);
          else this.bindPattern(el, items ? items[i] ?? NONE : unknown(), scope, declare);
        });
        return;
      }
      case 'ObjectPattern': {
        const used = new Set<string>();
        for (const prop of p.properties) {
          if (prop.type === 'RestElement') {
            const rest = makeDict([]);
            if (v.k === 'dict') for (const [k, val] of v.map) if (!used.has(k)) {
              rest.map.set(k, val);
              rest.keys.set(k, v.keys.get(k)!);
            }
            this.bindPattern(prop.argument, v.k === 'dict' ? rest : unknown(), scope, declare);
            continue;
          }
          const key = this.propKey(prop, scope);
          if (key === null) continue;
          used.add(key);
          // A missing argument (`build()` for `build({units = 10} = {})`, or analysed with defaults) leaves each default in force.
          this.bindPattern(prop.value, v.k === 'none' ? NONE : this.getProp(v, key), scope, declare);
        }
        return;
      }
      case 'RestElement':
        this.bindPattern(p.argument, v, scope, declare);
        return;
      case 'TSParameterProperty':
        this.bindPattern(p.parameter, v, scope, declare);
        return;
      default:
        if (p.type === 'MemberExpression') this.assign(p, v, scope);
        return;
    }
  }

  /** Assignment to an identifier, a member, or a destructuring pattern. */
  private assign(target: TSESTree.Node, v: Value, scope: Scope): void {
    if (target.type === 'Identifier') {
      scope.set(target.name, v);
      this.nameModel(v, target.name, scope.isModuleBinding(target.name));
      return;
    }
    if (target.type === 'MemberExpression') {
      const obj = this.eval(target.object, scope);
      const key = target.computed ? this.keyOf(this.eval(target.property, scope)) : (target.property as TSESTree.Identifier).name;
      if (key === null) return;
      if (this.rt.setAttr(obj, key, v)) return;
      if (obj.k === 'dict') {
        obj.map.set(key, v);
        obj.keys.set(key, str(key));
      } else if (obj.k === 'object') obj.attrs.set(key, v);
      else if (obj.k === 'module') obj.attrs.set(key, v);
      else if (obj.k === 'list') {
        const i = Number(key);
        if (Number.isInteger(i) && i >= 0 && i < 100000) obj.items[i] = v;
      }
      return;
    }
    if (target.type === 'TSAsExpression' || target.type === 'TSNonNullExpression' || target.type === 'TSTypeAssertion' || target.type === 'TSSatisfiesExpression') {
      this.assign(target.expression, v, scope);
      return;
    }
    this.bindPattern(target, v, scope, false);
  }

  // ---------------------------------------------------------------------------------------------
  // Functions and classes

  private makeFunction(node: FuncDef['node'], scope: Scope, name: string): Value & { k: 'func' } {
    const def: FuncDef = { node, closure: scope, file: this.file, name };
    if (node.type === 'ArrowFunctionExpression') def.lexicalThis = scope.lookup('this');
    return { k: 'func', name, def };
  }

  private makeClass(node: TSESTree.ClassDeclaration | TSESTree.ClassExpression, scope: Scope): Value {
    const superClass = node.superClass ? this.eval(node.superClass, scope) : null;
    const methods = new Map<string, Value & { k: 'func' }>();
    const getters = new Set<string>();
    if (superClass?.k === 'class') {
      for (const [k, f] of (superClass.def as ClassDef).methods) methods.set(k, f);
      for (const k of (superClass.def as ClassDef).getters) getters.add(k);
    }
    for (const el of node.body.body) {
      if (el.type === 'MethodDefinition' && !el.static && el.key.type === 'Identifier' && el.value.type === 'FunctionExpression' && el.kind !== 'set') {
        methods.set(el.kind === 'constructor' ? 'constructor' : el.key.name, this.makeFunction(el.value, scope, el.key.name));
        if (el.kind === 'get') getters.add(el.key.name);
        else getters.delete(el.key.name);
      }
    }
    const name = node.id?.name ?? '<class>';
    const def: ClassDef = { node, closure: scope, file: this.file, methods, getters, superClass };
    return { k: 'class', name, def, bases: superClass ? [superClass] : [] };
  }

  private callFunction(fn: Value & { k: 'func' }, args: Value[], thisValue: Value | null, range: SourceRange): Value {
    const def = fn.def as FuncDef;
    return this.callFrame(def, range, () => {
      const scope = new Scope(def.closure, true);
      scope.vars.set('this', def.lexicalThis ?? thisValue ?? NONE);
      scope.vars.set('arguments', list(args));
      def.node.params.forEach((p, i) => {
        if (p.type === 'RestElement') this.bindPattern(p.argument, list(args.slice(i)), scope, true);
        else this.bindPattern(p, i < args.length ? args[i] : NONE, scope, true);
      });
      const body = def.node.body;
      if (!body) return unknown();
      if (body.type !== 'BlockStatement') return this.eval(body, scope);
      this.execBlock(body.body, scope);
      return NONE;
    });
  }

  private instantiate(cls: Value & { k: 'class' }, args: Value[], range: SourceRange): Value {
    const def = cls.def as ClassDef;
    this.instantiatedClasses.add(def.node);
    const obj: Value & { k: 'object' } = { k: 'object', cls, attrs: new Map(), id: this.nextObjectId++ };
    this.initFields(def, obj);
    const ctor = def.methods.get('constructor');
    if (ctor) {
      // Constructor parameter properties (`constructor(private h = 28)`) become fields.
      const fn = ctor.def as FuncDef;
      fn.node.params.forEach((p, i) => {
        if (p.type === 'TSParameterProperty') {
          const param = p.parameter;
          const nameNode = param.type === 'AssignmentPattern' ? param.left : param;
          if (nameNode.type === 'Identifier') {
            const v = i < args.length && args[i].k !== 'none' ? args[i] : param.type === 'AssignmentPattern' ? this.eval(param.right, fn.closure) : NONE;
            obj.attrs.set(nameNode.name, v);
          }
        }
      });
      this.callFunction(ctor, args, obj, range);
    }
    return obj;
  }

  private initFields(def: ClassDef, obj: Value & { k: 'object' }): void {
    if (def.superClass?.k === 'class') this.initFields(def.superClass.def as ClassDef, obj);
    const scope = new Scope(def.closure, true);
    scope.vars.set('this', obj);
    for (const el of def.node.body.body) {
      if (el.type === 'PropertyDefinition' && !el.static && el.key.type === 'Identifier' && el.value) {
        obj.attrs.set(el.key.name, this.eval(el.value, scope));
      }
    }
  }

  /**
   * Top-level functions, arrows and classes nothing called: run them with their defaults (classes:
   * constructed, then each uncalled method). Those no other function calls go first; a run that
   * builds no model is rolled back so it leaves no names or diagnostics behind.
   */
  private analyseUncalled(program: TSESTree.Program, scope: Scope): void {
    const entries: UncalledEntry<N>[] = [];
    for (const s of program.body) {
      const d = s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration' ? s.declaration : s;
      if (!d) continue;
      if (d.type === 'FunctionDeclaration' && d.id) this.entryFor(d.id.name, d, scope, entries);
      if (d.type === 'ClassDeclaration' && d.id) this.entryFor(d.id.name, d, scope, entries);
      if (d.type === 'VariableDeclaration') {
        for (const decl of d.declarations) {
          if (decl.id.type === 'Identifier' && decl.init && (decl.init.type === 'ArrowFunctionExpression' || decl.init.type === 'FunctionExpression')) {
            this.entryFor(decl.id.name, decl.init, scope, entries);
          }
        }
      }
    }
    this.runUncalled(entries);
  }

  private entryFor(name: string, node: N, scope: Scope, entries: UncalledEntry<N>[]): void {
    const v = scope.vars.get(name);
    const range = this.range(node);
    const calls = (): Set<string> => calledIdentifiers(node);
    if (v?.k === 'func' && (v.def as FuncDef).node === node) {
      entries.push({ name, node, calls, isClass: false, speculative: true, run: () => void this.callFunction(v, this.unknownArgs(v), null, range) });
    } else if (v?.k === 'class' && (v.def as ClassDef).node === node) {
      entries.push({
        name,
        node,
        calls,
        isClass: true,
        speculative: true,
        run: () => {
          const ctor = (v.def as ClassDef).methods.get('constructor');
          const obj = this.instantiate(v, ctor ? this.unknownArgs(ctor) : [], range);
          for (const [mname, m] of (v.def as ClassDef).methods) {
            // Each method on its own: a helper method run alone must not use up names `build()` will need.
            if (mname !== 'constructor' && !this.calledFunctions.has((m.def as FuncDef).node)) this.rt.speculative(() => this.guard(() => void this.callFunction(m, this.unknownArgs(m), obj, range)));
          }
        },
      });
    }
  }

  /**
   * Arguments for a function nothing calls, run to see what it builds: a parameter with a default
   * gets it (undefined), one without is unknown — a caller would pass something, not undefined.
   */
  private unknownArgs(fn: Value & { k: 'func' }): Value[] {
    return (fn.def as FuncDef).node.params.map((p) => {
      const param = p.type === 'TSParameterProperty' ? p.parameter : p;
      if (param.type === 'AssignmentPattern' || param.type === 'RestElement') return NONE;
      // `({ units = 10, classes = 3 })`, React props: every field has a default, so those stand.
      if (param.type === 'ObjectPattern' && param.properties.every((q) => q.type === 'Property' && q.value.type === 'AssignmentPattern')) return NONE;
      return missingArgument(param.type === 'Identifier' ? param.name : undefined);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions

  private eval(node: N, scope: Scope): Value {
    this.budget.step();
    switch (node.type) {
      case 'Literal': {
        const v = node.value;
        if (typeof v === 'number') return num(v);
        if (typeof v === 'string') return str(v);
        if (typeof v === 'boolean') return bool(v);
        if (v === null) return NONE;
        return unknown();
      }
      case 'Identifier': {
        if (node.name === 'undefined') return NONE;
        return scope.lookup(node.name) ?? this.globals.get(node.name) ?? unknown(`name ${node.name}`);
      }
      case 'ThisExpression':
        return scope.lookup('this') ?? NONE;
      case 'TemplateLiteral': {
        let s = '';
        for (let i = 0; i < node.quasis.length; i++) {
          s += node.quasis[i].value.cooked ?? '';
          if (i < node.expressions.length) {
            const part = jsString(this.eval(node.expressions[i], scope));
            if (part === null) return unknown();
            s += part;
          }
        }
        return str(s);
      }
      case 'ArrayExpression': {
        const items: Value[] = [];
        for (const el of node.elements) {
          if (!el) items.push(NONE);
          else if (el.type === 'SpreadElement') {
            const spread = this.iterate(this.eval(el.argument, scope));
            if (!spread) return unknown();
            items.push(...spread);
          } else items.push(this.eval(el, scope));
        }
        return list(items);
      }
      case 'ObjectExpression': {
        const d = makeDict([]);
        for (const p of node.properties) {
          if (p.type === 'SpreadElement') {
            const src = this.eval(p.argument, scope);
            if (src.k === 'dict') for (const [k, v] of src.map) {
              d.map.set(k, v);
              d.keys.set(k, src.keys.get(k)!);
            }
            continue;
          }
          const key = this.propKey(p, scope);
          if (key === null) continue;
          const value = p.value.type === 'FunctionExpression' || p.value.type === 'ArrowFunctionExpression'
            ? this.makeFunction(p.value, scope, key)
            : this.eval(p.value as Expr, scope);
          d.map.set(key, value);
          d.keys.set(key, str(key));
        }
        return d;
      }
      case 'FunctionExpression':
        return this.makeFunction(node, scope, node.id?.name ?? '<function>');
      case 'ArrowFunctionExpression':
        return this.makeFunction(node, scope, '<arrow>');
      case 'ClassExpression':
        return this.makeClass(node, scope);
      case 'UnaryExpression':
        return this.unary(node, scope);
      case 'UpdateExpression': {
        const cur = this.eval(node.argument, scope);
        if (cur.k !== 'num') {
          this.assign(node.argument, unknown(), scope);
          return unknown();
        }
        const next = num(cur.v + (node.operator === '++' ? 1 : -1));
        this.assign(node.argument, next, scope);
        return node.prefix ? next : cur;
      }
      case 'BinaryExpression':
        if (node.left.type === 'PrivateIdentifier') return unknown();
        return binary(node.operator, this.eval(node.left, scope), this.eval(node.right, scope));
      case 'LogicalExpression': {
        const l = this.eval(node.left, scope);
        if (node.operator === '??') return l.k === 'none' ? this.eval(node.right, scope) : l.k === 'unknown' ? unknown() : l;
        const t = jsTruthy(l);
        if (t === null) return unknown();
        if (node.operator === '&&') return t ? this.eval(node.right, scope) : l;
        return t ? l : this.eval(node.right, scope);
      }
      case 'ConditionalExpression': {
        const t = jsTruthy(this.eval(node.test, scope));
        if (t === null) return unknown();
        return this.eval(t ? node.consequent : node.alternate, scope);
      }
      case 'AssignmentExpression': {
        let v = this.eval(node.right, scope);
        if (node.operator !== '=') {
          const cur = this.eval(node.left as Expr, scope);
          const op = node.operator.slice(0, -1);
          if (op === '&&' || op === '||' || op === '??') {
            const t = op === '??' ? cur.k !== 'none' : jsTruthy(cur);
            if (t === null) v = unknown();
            else v = (op === '&&' ? t : !t) ? v : cur;
          } else v = binary(op, cur, v);
        }
        this.assign(node.left, v, scope);
        return v;
      }
      case 'SequenceExpression': {
        let v: Value = NONE;
        for (const e of node.expressions) v = this.eval(e, scope);
        return v;
      }
      case 'MemberExpression': {
        const obj = this.eval(node.object, scope);
        if (node.optional && obj.k === 'none') return NONE;
        const key = node.computed ? this.keyOf(this.eval(node.property, scope)) : node.property.type === 'Identifier' ? node.property.name : null;
        return key === null ? unknown() : this.getProp(obj, key);
      }
      case 'ChainExpression':
        return this.eval(node.expression, scope);
      case 'CallExpression':
        return this.evalCall(node, scope);
      case 'NewExpression': {
        const callee = this.eval(node.callee, scope);
        const args = this.evalArgs(node.arguments, scope);
        if (!args) return unknown();
        if (callee.k === 'class') return this.instantiate(callee, args, this.range(node));
        if (callee.k === 'builtin' && callee.name === 'Array') return callee.call({ positional: args, keywords: new Map() }, this.range(node));
        return unknown();
      }
      case 'AwaitExpression':
        return this.eval(node.argument, scope);
      case 'TSAsExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
      case 'TSSatisfiesExpression':
      case 'TSInstantiationExpression':
        return this.eval(node.expression, scope);
      case 'SpreadElement':
        return this.eval(node.argument, scope);
      default:
        return unknown();
    }
  }

  private unary(node: TSESTree.UnaryExpression, scope: Scope): Value {
    const v = this.eval(node.argument, scope);
    switch (node.operator) {
      case '-':
        return v.k === 'num' ? num(-v.v) : unknown();
      case '+':
        return v.k === 'num' ? v : v.k === 'str' && v.v.trim() !== '' && !Number.isNaN(Number(v.v)) ? num(Number(v.v)) : unknown();
      case '!': {
        const t = jsTruthy(v);
        return t === null ? unknown() : bool(!t);
      }
      case '~':
        return v.k === 'num' ? num(~v.v) : unknown();
      case 'typeof':
        return v.k === 'unknown' ? unknown() : str(v.k === 'num' ? 'number' : v.k === 'str' ? 'string' : v.k === 'bool' ? 'boolean' : v.k === 'none' ? 'undefined' : v.k === 'func' || v.k === 'builtin' || v.k === 'class' ? 'function' : 'object');
      case 'void':
        return NONE;
      default:
        return unknown();
    }
  }

  private propKey(p: TSESTree.Property, scope: Scope): string | null {
    if (!p.computed && p.key.type === 'Identifier') return p.key.name;
    if (p.key.type === 'Literal') return String(p.key.value);
    return this.keyOf(this.eval(p.key, scope));
  }

  private keyOf(v: Value): string | null {
    if (v.k === 'str') return v.v;
    if (v.k === 'num') return String(v.v);
    return null;
  }

  private evalArgs(nodes: TSESTree.CallExpressionArgument[], scope: Scope): Value[] | null {
    const out: Value[] = [];
    for (const a of nodes) {
      if (a.type === 'SpreadElement') {
        const items = this.iterate(this.eval(a.argument, scope));
        if (!items) return null;
        out.push(...items);
      } else out.push(this.eval(a, scope));
    }
    return out;
  }

  private evalCall(node: TSESTree.CallExpression, scope: Scope): Value {
    const range = this.range(node);
    // `require('x')`
    if (node.callee.type === 'Identifier' && node.callee.name === 'require' && !scope.lookup('require') && node.arguments[0]?.type === 'Literal' && typeof node.arguments[0].value === 'string') {
      return this.importModule(node.arguments[0].value);
    }
    let receiver: Value | null = null;
    let callee: Value;
    let methodName = '';
    if (node.callee.type === 'MemberExpression') {
      receiver = this.eval(node.callee.object, scope);
      if (node.callee.optional && receiver.k === 'none') return NONE;
      const key = node.callee.computed ? this.keyOf(this.eval(node.callee.property, scope)) : node.callee.property.type === 'Identifier' ? node.callee.property.name : null;
      if (key === null) return unknown();
      methodName = key;
      callee = this.getProp(receiver, key);
    } else callee = this.eval(node.callee, scope);
    if (node.optional && callee.k === 'none') return NONE;
    const args = this.evalArgs(node.arguments, scope);
    if (!args) return unknown();
    const result = this.callValue(callee, receiver, methodName, args, range);
    if (result.k === 'unknown' && (callee.k === 'unknown' || callee.k === 'api')) {
      // Callbacks handed to code we cannot follow (`useMemo(() => createModel())`, `.then(m => ...)`)
      // are run once, speculatively: kept only if they build a model.
      for (const a of args) {
        if (a.k === 'func' && !this.calledFunctions.has((a.def as FuncDef).node)) this.rt.speculative(() => this.guard(() => void this.callFunction(a, [], null, range)));
      }
      // An unknown callable applied to tensors: an opaque layer keeps the graph connected.
      const tensors = args.flatMap((a) => this.rt.tensors(a) ?? []);
      const label = this.text(node.callee).replace(/\s+/g, '').slice(0, 60);
      if (tensors.length > 0 && methodName !== 'apply') return this.rt.opaque(label, tensors, this.layerRange(range));
      if (!result.why?.startsWith('call:')) return unknown(`call:${label}`, this.layerRange(range));
    }
    return result;
  }

  private callValue(callee: Value, receiver: Value | null, methodName: string, args: Value[], range: SourceRange): Value {
    switch (callee.k) {
      case 'func':
        return this.callFunction(callee, args, receiver, range);
      case 'builtin':
        return callee.call({ positional: args, keywords: new Map() }, range);
      case 'api':
        return callTfjsApi(callee.path, { positional: args, keywords: new Map() }, this.layerRange(range), this.rt) ?? unknown();
      case 'class':
        return unknown('class called without new');
      default:
        break;
    }
    // Methods of layers, models and tensors (`layer.apply(x)`, `model.add(l)`, `model.summary()`).
    if (receiver && (receiver.k === 'layer' || receiver.k === 'model' || receiver.k === 'tensor')) {
      return this.rt.method(receiver, methodName, args, this.layerRange(range)) ?? unknown();
    }
    return unknown();
  }

  // ---------------------------------------------------------------------------------------------
  // Properties and built-in methods

  private getProp(obj: Value, key: string): Value {
    switch (obj.k) {
      case 'api':
        return { k: 'api', path: `${obj.path}.${key}` };
      case 'module':
        return obj.attrs.get(key) ?? unknown();
      case 'dict':
        return obj.map.get(key) ?? this.dictMethod(obj, key) ?? NONE;
      case 'list':
      case 'tuple':
        if (key === 'length') return num(obj.items.length);
        if (/^\d+$/.test(key)) return obj.items[Number(key)] ?? NONE;
        return this.arrayMethod(obj, key);
      case 'str':
        if (key === 'length') return num(obj.v.length);
        if (/^\d+$/.test(key)) return str(obj.v[Number(key)] ?? '');
        return this.stringMethod(obj, key);
      case 'object': {
        const v = obj.attrs.get(key);
        if (v) return v;
        const def = obj.cls.def as ClassDef;
        const m = def.methods.get(key);
        if (m && def.getters.has(key)) return this.callFunction(m, [], obj, { start: 0, end: 0 });
        return m ?? unknown();
      }
      case 'class': {
        for (const el of (obj.def as ClassDef).node.body.body) {
          if (el.type === 'PropertyDefinition' && el.static && el.key.type === 'Identifier' && el.key.name === key && el.value) {
            return this.eval(el.value, (obj.def as ClassDef).closure);
          }
        }
        return unknown();
      }
      case 'builtin':
        return this.globals.get(`${obj.name}.${key}`) ?? unknown();
      case 'layer':
      case 'model':
      case 'tensor': {
        const v = this.rt.attr(obj, key);
        if (v) return v.k === 'tuple' ? list(v.items) : v;
        return unknown();
      }
      default:
        return unknown();
    }
  }

  private fn(name: string, call: (args: Value[]) => Value): Value {
    return { k: 'builtin', name, call: (a) => call(a.positional) };
  }

  private callable(f: Value | undefined, args: Value[]): Value {
    if (!f) return unknown();
    if (f.k === 'func') return this.callFunction(f, args, null, { start: 0, end: 0 });
    if (f.k === 'builtin') return f.call({ positional: args, keywords: new Map() }, { start: 0, end: 0 });
    return unknown();
  }

  private arrayMethod(arr: Value & { k: 'list' | 'tuple' }, key: string): Value {
    const items = arr.items;
    const cap = (n: number) => n <= this.budget.limits.loopIterations;
    switch (key) {
      case 'push':
        return this.fn(key, (a) => {
          items.push(...a);
          return num(items.length);
        });
      case 'pop':
        return this.fn(key, () => items.pop() ?? NONE);
      case 'shift':
        return this.fn(key, () => items.shift() ?? NONE);
      case 'unshift':
        return this.fn(key, (a) => {
          items.unshift(...a);
          return num(items.length);
        });
      case 'concat':
        return this.fn(key, (a) => {
          const out = [...items];
          for (const x of a) {
            const xs = sequenceItems(x);
            if (xs) out.push(...xs);
            else out.push(x);
          }
          return list(out);
        });
      case 'slice':
        return this.fn(key, (a) => {
          const s = a[0]?.k === 'num' ? a[0].v : 0;
          const e = a[1]?.k === 'num' ? a[1].v : undefined;
          return list(items.slice(s, e));
        });
      case 'map':
      case 'forEach':
      case 'filter':
        return this.fn(key, (a) => {
          if (!cap(items.length)) return unknown();
          const out: Value[] = [];
          for (let i = 0; i < items.length; i++) {
            const r = this.callable(a[0], [items[i], num(i), arr]);
            if (key === 'map') out.push(r);
            else if (key === 'filter') {
              const t = jsTruthy(r);
              if (t === null) return unknown();
              if (t) out.push(items[i]);
            }
          }
          return key === 'forEach' ? NONE : list(out);
        });
      case 'reduce':
        return this.fn(key, (a) => {
          if (!cap(items.length)) return unknown();
          let acc = a.length > 1 ? a[1] : items[0];
          for (let i = a.length > 1 ? 0 : 1; i < items.length; i++) acc = this.callable(a[0], [acc, items[i], num(i), arr]);
          return acc ?? unknown();
        });
      case 'includes':
        return this.fn(key, (a) => {
          const r = items.map((x) => valuesEqual(x, a[0] ?? NONE));
          return r.includes(true) ? TRUE : r.includes(null) ? unknown() : FALSE;
        });
      case 'indexOf':
        return this.fn(key, (a) => num(items.findIndex((x) => valuesEqual(x, a[0] ?? NONE) === true)));
      case 'join':
        return this.fn(key, (a) => {
          const parts = items.map(jsString);
          if (parts.some((p) => p === null)) return unknown();
          return str(parts.join(a[0]?.k === 'str' ? a[0].v : ','));
        });
      case 'reverse':
        return this.fn(key, () => {
          items.reverse();
          return arr;
        });
      case 'fill':
        return this.fn(key, (a) => {
          items.fill(a[0] ?? NONE);
          return arr;
        });
      case 'keys':
        return this.fn(key, () => list(items.map((_, i) => num(i))));
      case 'entries':
        return this.fn(key, () => list(items.map((x, i) => list([num(i), x]))));
      case 'flat':
        return this.fn(key, () => list(items.flatMap((x) => sequenceItems(x) ?? [x])));
      default:
        return unknown();
    }
  }

  private stringMethod(s: Value & { k: 'str' }, key: string): Value {
    switch (key) {
      case 'toUpperCase':
        return this.fn(key, () => str(s.v.toUpperCase()));
      case 'toLowerCase':
        return this.fn(key, () => str(s.v.toLowerCase()));
      case 'trim':
        return this.fn(key, () => str(s.v.trim()));
      case 'repeat':
        return this.fn(key, (a) => (a[0]?.k === 'num' && a[0].v * s.v.length <= 100000 && a[0].v >= 0 ? str(s.v.repeat(a[0].v)) : unknown('repeat too large')));
      case 'padStart':
      case 'padEnd':
        return this.fn(key, (a) => (a[0]?.k === 'num' && a[0].v <= 10000 ? str(key === 'padStart' ? s.v.padStart(a[0].v, a[1]?.k === 'str' ? a[1].v : ' ') : s.v.padEnd(a[0].v, a[1]?.k === 'str' ? a[1].v : ' ')) : unknown()));
      case 'split':
        return this.fn(key, (a) => (a[0]?.k === 'str' ? list(s.v.split(a[0].v).map(str)) : unknown()));
      case 'startsWith':
        return this.fn(key, (a) => (a[0]?.k === 'str' ? bool(s.v.startsWith(a[0].v)) : unknown()));
      case 'endsWith':
        return this.fn(key, (a) => (a[0]?.k === 'str' ? bool(s.v.endsWith(a[0].v)) : unknown()));
      case 'includes':
        return this.fn(key, (a) => (a[0]?.k === 'str' ? bool(s.v.includes(a[0].v)) : unknown()));
      case 'replace':
        return this.fn(key, (a) => (a[0]?.k === 'str' && a[1]?.k === 'str' ? str(s.v.replace(a[0].v, a[1].v)) : unknown()));
      default:
        return unknown();
    }
  }

  private dictMethod(d: Value & { k: 'dict' }, key: string): Value | undefined {
    if (key === 'hasOwnProperty') return this.fn(key, (a) => (a[0]?.k === 'str' ? bool(d.map.has(a[0].v)) : unknown()));
    return undefined;
  }

  /** Items of an iterable (arrays, strings), or null if not known. */
  private iterate(v: Value): Value[] | null {
    if (v.k === 'list' || v.k === 'tuple') return v.items;
    if (v.k === 'str') return [...v.v].map(str);
    return null;
  }

  private keysOf(v: Value): Value[] | null {
    if (v.k === 'dict') return [...v.map.keys()].map(str);
    if (v.k === 'list' || v.k === 'tuple') return v.items.map((_, i) => str(String(i)));
    return null;
  }

  private installGlobals(): void {
    const g = (name: string, call: (a: Value[]) => Value) => this.globals.set(name, this.fn(name, call));
    const nums = (a: Value[]) => (a.every((x) => x.k === 'num') ? a.map((x) => (x as { v: number }).v) : null);
    for (const ns of ['Math', 'Object', 'Array', 'Number', 'JSON', 'console', 'String', 'Boolean', 'process']) this.globals.set(ns, { k: 'builtin', name: ns, call: () => unknown() });
    const math1: Record<string, (x: number) => number> = { floor: Math.floor, ceil: Math.ceil, round: Math.round, sqrt: Math.sqrt, abs: Math.abs, trunc: Math.trunc, log2: Math.log2, log: Math.log, exp: Math.exp, sign: Math.sign };
    for (const [k, f] of Object.entries(math1)) g(`Math.${k}`, (a) => (a[0]?.k === 'num' ? num(f(a[0].v)) : unknown()));
    g('Math.max', (a) => {
      const n = nums(a);
      return n ? num(Math.max(...n)) : unknown();
    });
    g('Math.min', (a) => {
      const n = nums(a);
      return n ? num(Math.min(...n)) : unknown();
    });
    g('Math.pow', (a) => {
      const n = nums(a);
      return n && n.length === 2 ? num(n[0] ** n[1]) : unknown();
    });
    g('Math.random', () => unknown('random'));
    this.globals.set('Math.PI', num(Math.PI));
    g('Number.isInteger', (a) => (a[0]?.k === 'num' ? bool(Number.isInteger(a[0].v)) : a[0]?.k === 'unknown' ? unknown() : FALSE));
    g('Number', (a) => (a[0]?.k === 'num' ? a[0] : a[0]?.k === 'str' && !Number.isNaN(Number(a[0].v)) ? num(Number(a[0].v)) : unknown()));
    g('parseInt', (a) => (a[0]?.k === 'str' && /^\s*-?\d+/.test(a[0].v) ? num(parseInt(a[0].v, 10)) : a[0]?.k === 'num' ? num(Math.trunc(a[0].v)) : unknown()));
    g('parseFloat', (a) => (a[0]?.k === 'str' && !Number.isNaN(parseFloat(a[0].v)) ? num(parseFloat(a[0].v)) : unknown()));
    g('String', (a) => {
      const s = a[0] ? jsString(a[0]) : '';
      return s === null ? unknown() : str(s);
    });
    g('Boolean', (a) => {
      const t = a[0] ? jsTruthy(a[0]) : false;
      return t === null ? unknown() : bool(t);
    });
    g('Object.keys', (a) => (a[0]?.k === 'dict' ? list([...a[0].map.keys()].map(str)) : unknown()));
    g('Object.values', (a) => (a[0]?.k === 'dict' ? list([...a[0].map.values()]) : unknown()));
    g('Object.entries', (a) => (a[0]?.k === 'dict' ? list([...a[0].map].map(([k, v]) => list([str(k), v]))) : unknown()));
    g('Object.assign', (a) => {
      const target = a[0];
      if (target?.k !== 'dict') return unknown();
      for (const src of a.slice(1)) if (src.k === 'dict') for (const [k, v] of src.map) {
        target.map.set(k, v);
        target.keys.set(k, src.keys.get(k)!);
      }
      return target;
    });
    g('Object.freeze', (a) => a[0] ?? NONE);
    g('Array.isArray', (a) => bool(a[0]?.k === 'list' || a[0]?.k === 'tuple'));
    g('Array.from', (a) => {
      const src = a[0];
      let items: Value[] | null = null;
      if (src?.k === 'list' || src?.k === 'tuple') items = src.items;
      else if (src?.k === 'str') items = [...src.v].map(str);
      else if (src?.k === 'dict') {
        const n = src.map.get('length');
        if (n?.k === 'num' && n.v >= 0 && n.v <= this.budget.limits.loopIterations) items = Array.from({ length: n.v }, () => NONE);
      }
      if (!items) return unknown();
      if (a[1]) return list(items.map((x, i) => this.callable(a[1], [x, num(i)])));
      return list([...items]);
    });
    g('Array', (a) => {
      if (a.length === 1 && a[0].k === 'num') return a[0].v >= 0 && a[0].v <= this.budget.limits.loopIterations ? list(Array.from({ length: a[0].v }, () => NONE)) : unknown('array too large');
      return list(a);
    });
    g('JSON.stringify', () => unknown());
    for (const k of ['log', 'info', 'warn', 'error', 'debug']) g(`console.${k}`, () => NONE);
    this.globals.set('NaN', num(NaN, false));
    // A page that loads tfjs with <script src=".../tfjs"> uses the global `tf` without importing it.
    this.globals.set('tf', { k: 'api', path: TF_ROOT });
    this.globals.set('Infinity', num(Infinity, false));
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private text(node: N): string {
    return this.file.text.slice(node.range[0], node.range[1]);
  }

  private range(node: N): SourceRange {
    return this.file.isMain ? { start: node.range[0], end: node.range[1] } : { start: node.range[0], end: node.range[1], file: this.file.path };
  }

  /** Layers created while running another file's code are placed at the main file's call site. */
}

// -----------------------------------------------------------------------------------------------
// Pure helpers

/** `export { a as "b" }`: names may be identifiers or string literals. */
function moduleExportName(n: TSESTree.Identifier | TSESTree.StringLiteral): string {
  return n.type === 'Identifier' ? n.name : n.value;
}

/** JS truthiness; null when it cannot be known. */
function jsTruthy(v: Value): boolean | null {
  switch (v.k) {
    case 'num':
      return v.v !== 0 && !Number.isNaN(v.v);
    case 'str':
      return v.v.length > 0;
    case 'bool':
      return v.v;
    case 'none':
      return false;
    case 'unknown':
      return null;
    default:
      return true;
  }
}

/** JS `String(v)` for values that have a known one. */
function jsString(v: Value): string | null {
  switch (v.k) {
    case 'str':
      return v.v;
    case 'num':
      return String(v.v);
    case 'bool':
      return String(v.v);
    case 'none':
      return 'undefined';
    case 'list':
    case 'tuple': {
      const parts = v.items.map((x) => (x.k === 'none' ? '' : jsString(x)));
      return parts.some((p) => p === null) ? null : parts.join(',');
    }
    default:
      return null;
  }
}

function binary(op: string, l: Value, r: Value): Value {
  if (op === '+' && (l.k === 'str' || r.k === 'str')) {
    const a = jsString(l);
    const b = jsString(r);
    return a === null || b === null ? unknown() : str(a + b);
  }
  if (op === '===' || op === '==' || op === '!==' || op === '!=') {
    const e = valuesEqual(l, r);
    if (e === null) return unknown();
    return bool(op.startsWith('!') ? !e : e);
  }
  const lb = l.k === 'bool' ? num(Number(l.v)) : l;
  const rb = r.k === 'bool' ? num(Number(r.v)) : r;
  if (lb.k !== 'num' || rb.k !== 'num') {
    if ((op === '<' || op === '>' || op === '<=' || op === '>=') && l.k === 'str' && r.k === 'str') {
      return bool(op === '<' ? l.v < r.v : op === '>' ? l.v > r.v : op === '<=' ? l.v <= r.v : l.v >= r.v);
    }
    return unknown();
  }
  const a = lb.v;
  const b = rb.v;
  switch (op) {
    case '+':
      return num(a + b);
    case '-':
      return num(a - b);
    case '*':
      return num(a * b);
    case '/':
      return num(a / b);
    case '%':
      return num(a % b);
    case '**':
      return num(a ** b);
    case '<':
      return bool(a < b);
    case '>':
      return bool(a > b);
    case '<=':
      return bool(a <= b);
    case '>=':
      return bool(a >= b);
    case '&':
      return num(a & b);
    case '|':
      return num(a | b);
    case '^':
      return num(a ^ b);
    case '<<':
      return num(a << b);
    case '>>':
      return num(a >> b);
    case '>>>':
      return num(a >>> b);
    default:
      return unknown();
  }
}

function isLoop(n: N): boolean {
  return n.type === 'ForStatement' || n.type === 'ForOfStatement' || n.type === 'ForInStatement' || n.type === 'WhileStatement' || n.type === 'DoWhileStatement';
}

/** Identifiers a statement assigns to (`x = ...`, `x += ...`, `x++`), not counting nested functions. */
/** Methods that change their receiver: a loop Shape Lens cannot run leaves the receiver unknown. */
/** Receivers a mutating call in an unrunnable loop leaves alone (API namespaces, builtins, what is unknown already). */
const KEEP_IN_LOOPS: ReadonlySet<Value['k']> = new Set(['api', 'unknown', 'builtin']);
const JS_MUTATORS = new Set(['push', 'unshift', 'splice', 'pop', 'shift', 'sort', 'reverse', 'fill', 'set', 'add', 'delete', 'clear']);

function assignedIdentifiers(node: N): Set<string> {
  const out = new Set<string>();
  walkEstree(node, (o) => {
    if (o.type === 'AssignmentExpression' && o.left.type === 'Identifier') out.add(o.left.name);
    if (o.type === 'UpdateExpression' && o.argument.type === 'Identifier') out.add(o.argument.name);
    return !(o.type === 'FunctionDeclaration' || o.type === 'FunctionExpression' || o.type === 'ArrowFunctionExpression');
  });
  return out;
}

/**
 * Visits every ESTree node under `node` (iteratively, bounded); `visit` returning false skips
 * that node's children.
 */
function walkEstree(node: N, visit: (n: N) => boolean | void): void {
  const stack: unknown[] = [node];
  let steps = 0;
  while (stack.length && steps++ < 200000) {
    const n = stack.pop();
    if (!n || typeof n !== 'object') continue;
    if (Array.isArray(n)) {
      for (const x of n) stack.push(x);
      continue;
    }
    const o = n as Record<string, unknown>;
    if (typeof o.type === 'string' && visit(n as N) === false) continue;
    for (const k in o) if (k !== 'parent' && k !== 'range' && k !== 'loc') stack.push(o[k]);
  }
}

/** True if a statement always leaves its block (throw/return), so an unknown `if` guarding it is a guard clause. */
function alwaysExits(stmt: N): boolean {
  if (stmt.type === 'ThrowStatement' || stmt.type === 'ReturnStatement') return true;
  if (stmt.type === 'BlockStatement') return stmt.body.length > 0 && alwaysExits(stmt.body[stmt.body.length - 1]);
  return false;
}

/** Names a declaration introduces (for `export const a = 1, b = 2`). */
function declaredNames(d: N): string[] {
  if ((d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration' || d.type === 'TSEnumDeclaration') && d.id) return [d.id.name];
  if (d.type === 'VariableDeclaration') return d.declarations.flatMap((x) => patternNames(x.id));
  return [];
}

function patternNames(p: N): string[] {
  switch (p.type) {
    case 'Identifier':
      return [p.name];
    case 'ObjectPattern':
      return p.properties.flatMap((x) => (x.type === 'RestElement' ? patternNames(x.argument) : patternNames(x.value)));
    case 'ArrayPattern':
      return p.elements.flatMap((x) => (x ? patternNames(x) : []));
    case 'AssignmentPattern':
      return patternNames(p.left);
    case 'RestElement':
      return patternNames(p.argument);
    default:
      return [];
  }
}

/** Identifiers called anywhere inside a node (`f(...)`, `new F()`). */
function calledIdentifiers(node: N): Set<string> {
  const out = new Set<string>();
  walkEstree(node, (o) => {
    if ((o.type === 'CallExpression' || o.type === 'NewExpression') && o.callee.type === 'Identifier') out.add(o.callee.name);
  });
  return out;
}

