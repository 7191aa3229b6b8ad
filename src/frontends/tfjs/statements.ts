// JS/TS statements: blocks, declarations and destructuring, assignments, loops (labels, budgets, loops Shape Lens cannot run), switch.

import type { TSESTree } from '@typescript-eslint/typescript-estree';
import { BranchAssumption, LoopEffects, reportLoopBudget } from '../common/loops';
import { BreakSignal, ContinueSignal, ReturnSignal, ThrowSignal } from '../common/signals';
import { list, makeDict, NONE, num, str, unknown, valuesEqual, type Value } from '../common/values';
import { type JsInterpreter, type N, Scope } from './interpreter';
import { execTop } from './imports';
import { makeFunction, makeClass } from './definitions';
import { evaluate, propKey, keyOf, getProp } from './expressions';
import { iterate, keysOf } from './methods';
import { jsTruthy, isLoop, KEEP_IN_LOOPS, JS_MUTATORS, assignedIdentifiers, walkEstree, alwaysExits } from './helpers';
import { lineAt } from '../common/scope';

// ---------------------------------------------------------------------------------------------
// Statements

/** Function declarations are visible before their statement runs. */
export function hoist(ip: JsInterpreter, body: N[], scope: Scope): void {
  for (const s of body) {
    const d = s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration' ? s.declaration : s;
    if (d?.type === 'FunctionDeclaration' && d.id) scope.vars.set(d.id.name, makeFunction(ip, d, scope, d.id.name));
  }
}

export function execBlock(ip: JsInterpreter, body: N[], scope: Scope): void {
  hoist(ip, body, scope);
  for (const s of body) exec(ip, s, scope);
}

export function exec(ip: JsInterpreter, node: N, scope: Scope): void {
  ip.budget.step();
  switch (node.type) {
    case 'ExpressionStatement':
      evaluate(ip, node.expression, scope);
      // A bare name or member (`model.add` before its call is typed) is unfinished code: it does nothing.
      if ((node.expression.type === 'Identifier' || node.expression.type === 'MemberExpression') && ip.file.isMain) ip.rt.failure(ip.range(node));
      return;
    case 'VariableDeclaration':
      for (const d of node.declarations) {
        let v = d.init ? evaluate(ip, d.init, scope) : NONE;
        // A top-level `const` of the main file is bound once: a size it holds from data is an open size of its name.
        if (node.kind === 'const' && scope.parent === null && d.id.type === 'Identifier' && ip.file.isMain) v = ip.dataSize(d.id.name, v);
        bindPattern(ip, d.id, v, node.kind === 'var' ? scope.functionScope() : scope, true);
      }
      return;
    case 'FunctionDeclaration':
      if (node.id && !scope.vars.has(node.id.name)) scope.vars.set(node.id.name, makeFunction(ip, node, scope, node.id.name));
      return;
    case 'ClassDeclaration':
      if (node.id) scope.vars.set(node.id.name, makeClass(ip, node, scope));
      return;
    case 'BlockStatement':
      execBlock(ip, node.body, new Scope(scope, false));
      return;
    case 'IfStatement': {
      const t = jsTruthy(evaluate(ip, node.test, scope));
      if (t === true) exec(ip, node.consequent, scope);
      else if (t === false) {
        if (node.alternate) exec(ip, node.alternate, scope);
      } else if (alwaysExits(node.consequent) && !node.alternate) {
        // A guard clause (`if (!valid) throw ...`) on an unknown condition: assume the code goes on.
      } else {
        exec(ip, node.consequent, scope);
        assumeBranches(ip, node.alternate ? [node.consequent, node.alternate] : [node.consequent], scope, node.test, `Shape Lens cannot tell whether the condition on line ${lineOf(ip, node.test)} holds and assumed it does`);
      }
      return;
    }
    case 'ForStatement':
      execFor(ip, node, scope);
      return;
    case 'ForOfStatement':
    case 'ForInStatement':
      execForOf(ip, node, scope);
      return;
    case 'WhileStatement':
    case 'DoWhileStatement':
      execWhile(ip, node, scope);
      return;
    case 'ReturnStatement':
      throw new ReturnSignal(node.argument ? evaluate(ip, node.argument, scope) : NONE);
    case 'BreakStatement':
      throw new BreakSignal(node.label?.name);
    case 'ContinueStatement':
      throw new ContinueSignal(node.label?.name);
    case 'ThrowStatement':
      throw new ThrowSignal();
    case 'TryStatement':
      try {
        exec(ip, node.block, scope);
      } catch (e) {
        if (!(e instanceof ThrowSignal)) throw e;
        if (node.handler) {
          const catchScope = new Scope(scope, false);
          if (node.handler.param) bindPattern(ip, node.handler.param, unknown('caught error'), catchScope, true);
          exec(ip, node.handler.body, catchScope);
        }
      } finally {
        if (node.finalizer) exec(ip, node.finalizer, scope);
      }
      return;
    case 'SwitchStatement':
      execSwitch(ip, node, scope);
      return;
    case 'LabeledStatement': {
      const labels = [node.label.name];
      let body: N = node.body;
      while (body.type === 'LabeledStatement') {
        labels.push(body.label.name);
        body = body.body;
      }
      if (isLoop(body)) {
        ip.loopLabels = labels;
        exec(ip, body, scope);
        return;
      }
      try {
        exec(ip, body, scope);
      } catch (e) {
        if (!(e instanceof BreakSignal && e.label !== undefined && labels.includes(e.label))) throw e;
      }
      return;
    }
    case 'ImportDeclaration':
    case 'ExportNamedDeclaration':
    case 'ExportDefaultDeclaration':
    case 'ExportAllDeclaration':
      execTop(ip, node, scope, makeDict([]));
      return;
    case 'TSEnumDeclaration': {
      const d = makeDict([]);
      let next = 0;
      for (const m of node.body?.members ?? (node as unknown as { members: TSESTree.TSEnumMember[] }).members ?? []) {
        const key = m.id.type === 'Identifier' ? m.id.name : String((m.id as TSESTree.StringLiteral).value);
        const v = m.initializer ? evaluate(ip, m.initializer, scope) : num(next);
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
export function loopGuard(ip: JsInterpreter, i: number, node: N, scope: Scope): boolean {
  if (i < ip.budget.limits.loopIterations) return true;
  reportLoopBudget(ip.rt, i, ip.range(node));
  for (const name of assignedIdentifiers(node)) if (scope.owner(name)) scope.set(name, unknown('loop budget'));
  return false;
}

/**
 * A loop Shape Lens cannot run: what it would change is unknown afterwards — variables it
 * assigns, properties it sets, arrays and maps it pushes to — and a model it adds layers to is
 * incomplete (its total is `?`). Said only when a model loses something.
 */
export function loseLoopEffects(ip: JsInterpreter, node: N, scope: Scope, why: string, at: N): void {
  const effects = new LoopEffects(ip.rt, why);
  const lost = effects.lost;
  const loseValue = (target: N): void => {
    effects.assigned(evalQuiet(ip, target, scope));
    if (target.type === 'Identifier') {
      if (scope.owner(target.name)) scope.set(target.name, lost);
    } else if (target.type === 'MemberExpression' && !target.computed && target.property.type === 'Identifier') {
      const obj = evalQuiet(ip, target.object, scope);
      if (obj?.k === 'object' || obj?.k === 'module') obj.attrs.set(target.property.name, lost);
      else if (obj?.k === 'dict') obj.map.set(target.property.name, lost);
    }
  };
  walkEstree(node, (n) => {
    if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression') return false;
    if (n.type === 'AssignmentExpression') loseValue(n.left);
    if (n.type === 'UpdateExpression') loseValue(n.argument);
    if (n.type === 'CallExpression' && n.callee.type === 'MemberExpression' && !n.callee.computed && n.callee.property.type === 'Identifier' && JS_MUTATORS.has(n.callee.property.name)) {
      if (effects.mutated(evalQuiet(ip, n.callee.object, scope), `on line ${lineOf(ip, node)}`, KEEP_IN_LOOPS)) loseValue(n.callee.object);
    }
    return true;
  });
  effects.finish(ip.range(at));
}

/** A name, `this` or property chain's value without side effects (no calls, no getters); undefined otherwise. */
/**
 * After running the branch it assumed, what either branch of an undecidable `if` sets is not
 * certain: plain values become unknown, tensors carry the assumption into the models built from
 * them, and a model a branch adds layers to or assigns is incomplete (totals ?). Said once, and only
 * when a model depends on it.
 */
function assumeBranches(ip: JsInterpreter, branches: N[], scope: Scope, at: N, why: string): void {
  const assumption = new BranchAssumption(ip.rt, why);
  const visit = (n: N): boolean => {
    if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression') return false;
    if (n.type === 'AssignmentExpression' && n.left.type === 'Identifier' && scope.owner(n.left.name)) {
      if (assumption.assigned(scope.lookup(n.left.name))) scope.set(n.left.name, assumption.unknown());
    }
    if (n.type === 'CallExpression' && n.callee.type === 'MemberExpression' && !n.callee.computed && n.callee.property.type === 'Identifier' && n.callee.property.name === 'add') {
      assumption.added(evalQuiet(ip, n.callee.object, scope));
    }
    return true;
  };
  for (const b of branches) walkEstree(b, visit);
  assumption.finish(ip.range(at));
}

export function evalQuiet(ip: JsInterpreter, node: N, scope: Scope): Value | undefined {
  if (node.type === 'Identifier') return scope.lookup(node.name);
  if (node.type === 'ThisExpression') return scope.lookup('this');
  if (node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier') {
    const obj = evalQuiet(ip, node.object, scope);
    if (obj?.k === 'object' || obj?.k === 'module') return obj.attrs.get(node.property.name);
    if (obj?.k === 'dict') return obj.map.get(node.property.name);
  }
  return undefined;
}

export function lineOf(ip: JsInterpreter, node: N): number {
  return lineAt(ip.file, node.range[0]);
}

export function takeLabels(ip: JsInterpreter): string[] {
  const l = ip.loopLabels;
  ip.loopLabels = [];
  return l;
}

/** Runs a loop body; returns false on `break` of this loop. Signals for an outer label go on up. */
export function runLoopBody(ip: JsInterpreter, stmt: N, scope: Scope, labels: string[]): boolean {
  try {
    exec(ip, stmt, scope);
  } catch (e) {
    const mine = (l?: string) => l === undefined || labels.includes(l);
    if (e instanceof BreakSignal && mine(e.label)) return false;
    if (!(e instanceof ContinueSignal && mine(e.label))) throw e;
  }
  return true;
}

/** A loop's condition: true to run the body again; false when it is false, or unknown (then what the loop changes is lost). */
function loopTestHolds(ip: JsInterpreter, loop: N, test: N, scope: Scope): boolean {
  const t = jsTruthy(evaluate(ip, test, scope));
  if (t === null) loseLoopEffects(ip, loop, scope, 'Shape Lens cannot tell how often this loop runs', test);
  return t === true;
}

export function execFor(ip: JsInterpreter, node: TSESTree.ForStatement, outer: Scope): void {
  const labels = takeLabels(ip);
  const scope = new Scope(outer, false);
  if (node.init) {
    if (node.init.type === 'VariableDeclaration') exec(ip, node.init, scope);
    else evaluate(ip, node.init, scope);
  }
  for (let i = 0; ; i++) {
    if (node.test && !loopTestHolds(ip, node, node.test, scope)) return;
    if (!loopGuard(ip, i, node, scope)) return;
    if (!runLoopBody(ip, node.body, new Scope(scope, false), labels)) return;
    if (node.update) evaluate(ip, node.update, scope);
  }
}

export function execForOf(ip: JsInterpreter, node: TSESTree.ForOfStatement | TSESTree.ForInStatement, outer: Scope): void {
  const labels = takeLabels(ip);
  const iterable = evaluate(ip, node.right, outer);
  const items = node.type === 'ForInStatement' ? keysOf(ip, iterable) : iterate(ip, iterable);
  if (!items) {
    loseLoopEffects(ip, node, outer, 'Shape Lens cannot tell what this loop iterates over', node.right);
    return;
  }
  for (let i = 0; i < items.length; i++) {
    if (!loopGuard(ip, i, node, outer)) return;
    const scope = new Scope(outer, false);
    const left = node.left;
    if (left.type === 'VariableDeclaration') bindPattern(ip, left.declarations[0].id, items[i], scope, true);
    else assignTo(ip, left as TSESTree.Expression, items[i], scope);
    if (!runLoopBody(ip, node.body, scope, labels)) return;
  }
}

export function execWhile(ip: JsInterpreter, node: TSESTree.WhileStatement | TSESTree.DoWhileStatement, scope: Scope): void {
  const labels = takeLabels(ip);
  for (let i = 0; ; i++) {
    if ((node.type === 'WhileStatement' || i > 0) && !loopTestHolds(ip, node, node.test, scope)) return;
    if (!loopGuard(ip, i, node, scope)) return;
    if (!runLoopBody(ip, node.body, new Scope(scope, false), labels)) return;
  }
}

export function execSwitch(ip: JsInterpreter, node: TSESTree.SwitchStatement, outer: Scope): void {
  const d = evaluate(ip, node.discriminant, outer);
  const scope = new Scope(outer, false);
  let matched = false;
  try {
    for (const c of node.cases) {
      if (!matched) {
        if (c.test === null) continue;
        const eq = valuesEqual(d, evaluate(ip, c.test, scope));
        if (eq === null) {
          assumeCase(ip, node, node.cases.indexOf(c), scope);
          return;
        }
        matched = eq;
      }
      if (matched) for (const s of c.consequent) exec(ip, s, scope);
    }
    if (!matched) {
      const def = node.cases.findIndex((c) => c.test === null);
      if (def >= 0) for (const c of node.cases.slice(def)) for (const s of c.consequent) exec(ip, s, scope);
    }
  } catch (e) {
    if (!(e instanceof BreakSignal)) throw e;
  }
}

/**
 * A `switch` whose case Shape Lens cannot decide from `first` on: like an undecidable `if`, it runs
 * the first of those cases that does not only throw (falling through as JS does) and marks what any
 * of them sets as assumed. A `break` ends the run (the caller catches it).
 */
function assumeCase(ip: JsInterpreter, node: TSESTree.SwitchStatement, first: number, scope: Scope): void {
  const rest = node.cases.slice(first);
  const throwsOnly = (c: TSESTree.SwitchCase) => c.consequent.length > 0 && c.consequent.every((s) => s.type === 'ThrowStatement' || s.type === 'BreakStatement') && c.consequent[0].type === 'ThrowStatement';
  const start = rest.findIndex((c) => c.consequent.length > 0 && !throwsOnly(c));
  if (start < 0) return;
  const chosen = rest[start];
  const label = chosen.test ? ip.text(chosen.test) : 'default';
  const why = `Shape Lens cannot tell which case of the switch on line ${lineOf(ip, node.discriminant)} applies and assumed case ${label}`;
  try {
    for (const c of rest.slice(start)) for (const s of c.consequent) exec(ip, s, scope);
  } finally {
    assumeBranches(ip, rest.flatMap((c) => c.consequent), scope, node.discriminant, why);
  }
}

// ---------------------------------------------------------------------------------------------
// Bindings

/** Binds a declaration pattern (`const {a, b: [c]} = v`). */
export function bindPattern(ip: JsInterpreter, p: TSESTree.Node, v: Value, scope: Scope, declare: boolean): void {
  const put = (name: string, value: Value) => {
    if (declare) scope.vars.set(name, value);
    else scope.set(name, value);
    ip.nameModel(value, name, scope.parent === null);
  };
  switch (p.type) {
    case 'Identifier':
      put(p.name, v);
      return;
    case 'AssignmentPattern':
      bindPattern(ip, p.left, v.k === 'none' ? evaluate(ip, p.right, scope) : v, scope, declare);
      return;
    case 'ArrayPattern': {
      const items = iterate(ip, v);
      p.elements.forEach((el, i) => {
        if (!el) return;
        if (el.type === 'RestElement') bindPattern(ip, el.argument, items ? list(items.slice(i)) : unknown(), scope, declare);
        else bindPattern(ip, el, items ? items[i] ?? NONE : unknown(), scope, declare);
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
          bindPattern(ip, prop.argument, v.k === 'dict' ? rest : unknown(), scope, declare);
          continue;
        }
        const key = propKey(ip, prop, scope);
        if (key === null) continue;
        used.add(key);
        // A missing argument (`build()` for `build({units = 10} = {})`, or analysed with defaults) leaves each default in force.
        bindPattern(ip, prop.value, v.k === 'none' ? NONE : getProp(ip, v, key), scope, declare);
      }
      return;
    }
    case 'RestElement':
      bindPattern(ip, p.argument, v, scope, declare);
      return;
    case 'TSParameterProperty':
      bindPattern(ip, p.parameter, v, scope, declare);
      return;
    default:
      if (p.type === 'MemberExpression') assignTo(ip, p, v, scope);
      return;
  }
}

/** Assignment to an identifier, a member, or a destructuring pattern. */
export function assignTo(ip: JsInterpreter, target: TSESTree.Node, v: Value, scope: Scope): void {
  if (target.type === 'Identifier') {
    scope.set(target.name, v);
    ip.nameModel(v, target.name, scope.isModuleBinding(target.name));
    return;
  }
  if (target.type === 'MemberExpression') {
    const obj = evaluate(ip, target.object, scope);
    const key = target.computed ? keyOf(ip, evaluate(ip, target.property, scope)) : (target.property as TSESTree.Identifier).name;
    if (key === null) return;
    if (ip.rt.setAttr(obj, key, v)) return;
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
    assignTo(ip, target.expression, v, scope);
    return;
  }
  bindPattern(ip, target, v, scope, false);
}
