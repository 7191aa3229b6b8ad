// Python statements: blocks, assignments and their targets, if / for / while, loops Shape Lens cannot run.

import { BranchAssumption, LoopEffects, reportLoopBudget } from '../common/loops';
import { loseWeightsInLoop } from './custom-layers';
import { BreakSignal, ContinueSignal, ReturnSignal } from '../common/signals';
import { dictKey, list, NONE, truthy, tuple, unknown, valuesEqual, type Value } from '../common/values';
import { field, fields, namedChildren, type PyNode } from './ast';
import { Scope } from './modules';
import type { PythonInterpreter } from './interpreter';
import { execImport } from './imports';
import { defineFunction, defineClass, track } from './definitions';
import { evaluate, binary, getAttr } from './expressions';
import { iterate } from './methods';
import { KEEP_IN_LOOPS, LOOP_MUTATORS, isStatement } from './helpers';

// ---------------------------------------------------------------------------------------------
// Statements
export function execBlock(ip: PythonInterpreter, stmts: PyNode[], scope: Scope): void {
  for (const s of stmts) exec(ip, s, scope);
}

export function exec(ip: PythonInterpreter, node: PyNode, scope: Scope): void {
  ip.budget.step();
  switch (node.type) {
    case 'expression_statement': {
      const parts = namedChildren(node);
      for (const c of parts) evalTop(ip, c, scope);
      // `model.add` or `x` alone does nothing: most often a line being typed (`x = ...`, `model.add(...)`).
      if (parts.length === 1 && (parts[0].type === 'attribute' || parts[0].type === 'identifier')) ip.rt.failure(ip.range(node));
      return;
    }
    case 'import_statement':
    case 'import_from_statement':
    case 'future_import_statement':
      execImport(ip, node, scope);
      return;
    case 'function_definition':
      defineFunction(ip, node, scope);
      return;
    case 'decorated_definition': {
      const def = field(node, 'definition');
      if (def) exec(ip, def, scope);
      return;
    }
    case 'class_definition':
      defineClass(ip, node, scope);
      return;
    case 'match_statement':
      execMatch(ip, node, scope);
      return;
    case 'if_statement':
      execIf(ip, node, scope);
      return;
    case 'for_statement':
      execFor(ip, node, scope);
      return;
    case 'while_statement':
      execWhile(ip, node, scope);
      return;
    case 'return_statement': {
      const e = namedChildren(node)[0];
      throw new ReturnSignal(e ? evaluate(ip, e, scope) : NONE);
    }
    case 'break_statement':
      throw new BreakSignal();
    case 'continue_statement':
      throw new ContinueSignal();
    case 'block':
    case 'module':
      execBlock(ip, namedChildren(node), scope);
      return;
    case 'with_statement': {
      const body = field(node, 'body');
      for (const item of node.children.find((c) => c.type === 'with_clause')?.children.filter((c) => c.type === 'with_item') ?? []) {
        const v = field(item, 'value');
        if (v?.type === 'as_pattern') {
          evaluate(ip, namedChildren(v)[0], scope);
          const target = field(v, 'alias');
          // `with strategy.scope() as s:` and similar context managers give nothing model code relies on.
          if (target) assignTarget(ip, namedChildren(target)[0] ?? target, unknown('context manager'), scope);
        } else if (v) evaluate(ip, v, scope);
      }
      if (body) execBlock(ip, namedChildren(body), scope);
      return;
    }
    case 'try_statement': {
      const body = field(node, 'body');
      if (body) execBlock(ip, namedChildren(body), scope);
      for (const c of node.children) {
        if (c.type === 'else_clause' || c.type === 'finally_clause') {
          const b = field(c, 'body') ?? c.children.find((x) => x.type === 'block');
          if (b) execBlock(ip, namedChildren(b), scope);
        }
      }
      return;
    }
    case 'global_statement':
    case 'nonlocal_statement': {
      scope.globalNames ??= new Set();
      if (node.type === 'global_statement') for (const id of namedChildren(node)) scope.globalNames.add(ip.text(id));
      return;
    }
    case 'ERROR':
      // Error recovery: run whatever statements and expressions the parser could still read.
      for (const c of namedChildren(node)) {
        if (isStatement(c.type)) exec(ip, c, scope);
        else if (c.type === 'call' || c.type === 'assignment') evalTop(ip, c, scope);
      }
      return;
    default:
      return; // pass, assert, raise, delete, print, type aliases: nothing that builds a model
  }
}

/** Evaluates an expression statement; errors inside one statement never stop the next one. */
export function evalTop(ip: PythonInterpreter, node: PyNode, scope: Scope): void {
  if (node.type === 'assignment') execAssign(ip, node, scope);
  else if (node.type === 'augmented_assignment') execAugAssign(ip, node, scope);
  else evaluate(ip, node, scope);
}

export function execAssign(ip: PythonInterpreter, node: PyNode, scope: Scope): Value {
  const right = field(node, 'right');
  const left = field(node, 'left');
  if (!right) return unknown(); // annotation only: `x: int`
  const value = right.type === 'assignment' ? execAssign(ip, right, scope) : evaluate(ip, right, scope);
  if (left) assignTarget(ip, left, value, scope);
  return value;
}

export function execAugAssign(ip: PythonInterpreter, node: PyNode, scope: Scope): void {
  const left = field(node, 'left');
  const right = field(node, 'right');
  const op = field(node, 'operator');
  if (!left || !right || !op) return;
  const cur = evaluate(ip, left, scope);
  const r = evaluate(ip, right, scope);
  const opText = ip.text(op).replace('=', '');
  if (opText === '+' && cur.k === 'list') {
    const items = iterate(ip, r);
    if (items) cur.items.push(...items);
    else assignTarget(ip, left, unknown(), scope);
    return;
  }
  assignTarget(ip, left, binary(ip, opText, cur, r, ip.layerRange(ip.range(node))), scope);
}

/** `InterpreterCore.dataSize` for a name bound once at the main file's module level, outside loops. */
function dataSize(ip: PythonInterpreter, name: string, value: Value, scope: Scope): Value {
  if (value.k !== 'unknown' || scope.kind !== 'module' || ip.loopDepth > 0 || ip.file !== ip.main) return value;
  if (ip.bindingsOf(name) !== 1 || scope.volatile?.has(name)) return value;
  return ip.dataSize(name, value);
}

export function assignTarget(ip: PythonInterpreter, target: PyNode, value: Value, scope: Scope): void {
  switch (target.type) {
    case 'identifier': {
      const name = ip.text(target);
      scope.assign(name, dataSize(ip, name, value, scope));
      ip.nameModel(value, name, scope.kind === 'module');
      return;
    }
    case 'attribute': {
      const obj = evaluate(ip, field(target, 'object')!, scope);
      const attrNode = field(target, 'attribute');
      if (!attrNode) return;
      const attr = ip.text(attrNode);
      if (ip.rt.setAttr(obj, attr, value)) return;
      if (obj.k === 'object') {
        obj.attrs.set(attr, value);
        track(ip, obj, value);
      } else if (obj.k === 'module') obj.attrs.set(attr, value);
      return;
    }
    case 'subscript': {
      const obj = evaluate(ip, field(target, 'value')!, scope);
      const sub = field(target, 'subscript');
      if (!sub) return;
      const key = evaluate(ip, sub, scope);
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
      const items = iterate(ip, value);
      const star = targets.findIndex((t) => t.type === 'list_splat_pattern');
      targets.forEach((t, i) => {
        if (!items) return assignTarget(ip, t.type === 'list_splat_pattern' ? namedChildren(t)[0] : t, unknown(), scope);
        if (star < 0) return assignTarget(ip, t, items[i] ?? unknown(), scope);
        if (i < star) return assignTarget(ip, t, items[i] ?? unknown(), scope);
        if (i === star) return assignTarget(ip, namedChildren(t)[0], list(items.slice(star, items.length - (targets.length - star - 1))), scope);
        return assignTarget(ip, t, items[items.length - (targets.length - i)] ?? unknown(), scope);
      });
      return;
    }
    case 'parenthesized_expression':
      for (const c of namedChildren(target)) assignTarget(ip, c, value, scope);
      return;
    default:
      return;
  }
}

export function execIf(ip: PythonInterpreter, node: PyNode, scope: Scope): void {
  const branches: { cond: PyNode | undefined; body: PyNode | undefined }[] = [
    { cond: field(node, 'condition'), body: field(node, 'consequence') },
  ];
  for (const alt of fields(node, 'alternative')) {
    if (alt.type === 'elif_clause') branches.push({ cond: field(alt, 'condition'), body: field(alt, 'consequence') });
    else branches.push({ cond: undefined, body: field(alt, 'body') ?? alt.children.find((c) => c.type === 'block') });
  }
  for (let i = 0; i < branches.length; i++) {
    const b = branches[i];
    const t = b.cond ? truthy(evaluate(ip, b.cond, scope)) : true;
    if (t === false) continue;
    if (t === null && b.cond) {
      // Code that runs does not take a branch that only raises (argument checks): no assumption.
      if (b.body && onlyRaises(b.body)) continue;
      const why = `Shape Lens cannot tell whether the condition at ${ip.rangeText(b.cond)} holds and assumed it does`;
      if (b.body) execBlock(ip, namedChildren(b.body), scope);
      assumeBranches(ip, branches.slice(i), scope, why, b.cond);
      return;
    }
    if (b.body) execBlock(ip, namedChildren(b.body), scope);
    return;
  }
}

/** A block whose last statement is `raise`. */
function onlyRaises(body: PyNode): boolean {
  const stmts = namedChildren(body).filter((n) => n.type !== 'comment');
  return stmts.length > 0 && stmts[stmts.length - 1].type === 'raise_statement';
}

/**
 * After running the branch it assumed, what any branch of an undecidable `if` sets is not certain:
 * plain values become unknown, tensors carry the assumption into the models built from them (their
 * totals become ?, with why), and a model a branch adds layers to or assigns is incomplete. Said
 * once, and only when a model depends on it.
 */
function assumeBranches(ip: PythonInterpreter, branches: { body: PyNode | undefined }[], scope: Scope, why: string, at: PyNode): void {
  const assumption = new BranchAssumption(ip.rt, why);
  const consider = (target: PyNode): void => {
    if (assumption.assigned(evalQuiet(ip, target, scope)) && target.type === 'identifier') scope.assign(ip.text(target), assumption.unknown());
  };
  const stack = branches.flatMap((b) => (b.body ? namedChildren(b.body) : []));
  let steps = 0;
  while (stack.length > 0 && ++steps < 20000) {
    const n = stack.pop()!;
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') continue;
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = field(n, 'left');
      for (const t of left?.type === 'pattern_list' || left?.type === 'tuple_pattern' ? namedChildren(left) : left ? [left] : []) consider(t);
    }
    if (n.type === 'call') {
      loseWeightsInLoop(ip, n, scope.lookup('self'), why);
      const fn = field(n, 'function');
      const method = fn?.type === 'attribute' ? field(fn, 'attribute') : undefined;
      if (fn && method && ip.text(method) === 'add') assumption.added(evalQuiet(ip, field(fn, 'object'), scope));
    }
    for (const c of n.children) stack.push(c);
  }
  assumption.finish(ip.range(at));
}

/**
 * `match`: literal, value (`Color.RED`), capture, wildcard and `|` patterns with guards are decided
 * like Python does; a case Shape Lens cannot decide (a class or sequence pattern, an unknown
 * subject) is handled like an undecidable `if`: the first such case that does not only raise runs,
 * and what any remaining case sets is marked assumed.
 */
export function execMatch(ip: PythonInterpreter, node: PyNode, scope: Scope): void {
  const subjects = fields(node, 'subject');
  if (subjects.length === 0) return;
  const values = subjects.map((s) => evaluate(ip, s, scope));
  const subject = values.length === 1 ? values[0] : tuple(values);
  const body = field(node, 'body');
  const clauses = body ? namedChildren(body).filter((c) => c.type === 'case_clause') : [];
  for (let i = 0; i < clauses.length; i++) {
    const c = clauses[i];
    const pattern = namedChildren(c).find((n) => n.type === 'case_pattern');
    const consequence = field(c, 'consequence');
    let m = pattern ? matchPattern(ip, pattern, subject, scope) : null;
    const guard = field(c, 'guard');
    const cond = guard && namedChildren(guard)[0];
    if (m === true && cond) m = truthy(evaluate(ip, cond, scope));
    if (m === false) continue;
    if (m === null) {
      if (consequence && onlyRaises(consequence)) continue;
      const why = `Shape Lens cannot tell which case of the match on ${ip.rangeText(subjects[0])} applies and assumed \`case ${pattern ? ip.text(pattern) : '?'}\``;
      if (consequence) execBlock(ip, namedChildren(consequence), scope);
      assumeBranches(ip, clauses.slice(i).map((x) => ({ body: field(x, 'consequence') })), scope, why, subjects[0]);
      return;
    }
    if (consequence) execBlock(ip, namedChildren(consequence), scope);
    return;
  }
}

/** True / false when Python's pattern matching is certain, null when Shape Lens cannot tell. */
function matchPattern(ip: PythonInterpreter, pattern: PyNode, subject: Value, scope: Scope): boolean | null {
  const inner = namedChildren(pattern).filter((n) => n.type !== 'comment');
  if (inner.length === 0) return true; // `case _:`
  if (inner.length > 1) return null;
  const p = inner[0];
  switch (p.type) {
    case 'union_pattern': {
      let result: boolean | null = false;
      for (const alt of namedChildren(p)) {
        const m = alt.type === 'case_pattern' ? matchPattern(ip, alt, subject, scope) : matchLiteral(ip, alt, subject, scope);
        if (m === true) return true;
        if (m === null) result = null;
      }
      return result;
    }
    case 'dotted_name': {
      const names = namedChildren(p);
      if (names.length === 1) {
        scope.assign(ip.text(names[0]), subject); // a capture pattern binds and always matches
        return true;
      }
      // A value pattern (`Color.RED`): the dotted name's value.
      let v: Value = evaluate(ip, names[0], scope);
      for (const n of names.slice(1)) v = getAttr(ip, v, ip.text(n), n);
      return valuesEqual(subject, v);
    }
    default:
      return matchLiteral(ip, p, subject, scope);
  }
}

function matchLiteral(ip: PythonInterpreter, p: PyNode, subject: Value, scope: Scope): boolean | null {
  if (!['string', 'concatenated_string', 'integer', 'float', 'none', 'true', 'false', 'unary_operator'].includes(p.type)) return null;
  if (subject.k === 'unknown') return null;
  return valuesEqual(subject, evaluate(ip, p, scope));
}

export function execFor(ip: PythonInterpreter, node: PyNode, scope: Scope): void {
  const left = field(node, 'left');
  const right = field(node, 'right');
  const body = field(node, 'body');
  if (!left || !right || !body) return;
  const iterable = evaluate(ip, right, scope);
  const items = iterate(ip, iterable);
  if (!items) {
    loseLoopEffects(ip, node, scope, 'Shape Lens cannot tell what this loop iterates over', right);
    return;
  }
  let broke = false;
  ip.loopDepth++;
  try {
    for (let i = 0; i < items.length; i++) {
      if (i >= ip.budget.limits.loopIterations) {
        stopLoop(ip, node, i, scope);
        break;
      }
      assignTarget(ip, left, items[i], scope);
      try {
        execBlock(ip, namedChildren(body), scope);
      } catch (e) {
        if (e instanceof BreakSignal) {
          broke = true;
          break;
        }
        if (!(e instanceof ContinueSignal)) throw e;
      }
    }
  } finally {
    ip.loopDepth--;
  }
  const alt = field(node, 'alternative');
  if (!broke && alt) {
    const b = alt.children.find((c) => c.type === 'block');
    if (b) execBlock(ip, namedChildren(b), scope);
  }
}

export function execWhile(ip: PythonInterpreter, node: PyNode, scope: Scope): void {
  const cond = field(node, 'condition');
  const body = field(node, 'body');
  if (!cond || !body) return;
  for (let i = 0; ; i++) {
    const t = truthy(evaluate(ip, cond, scope));
    if (t === false) return;
    if (t === null) {
      loseLoopEffects(ip, node, scope, 'Shape Lens cannot tell how often this loop runs', cond);
      return;
    }
    if (i >= ip.budget.limits.loopIterations) {
      stopLoop(ip, node, i, scope);
      return;
    }
    ip.loopDepth++;
    try {
      execBlock(ip, namedChildren(body), scope);
    } catch (e) {
      if (e instanceof BreakSignal) return;
      if (!(e instanceof ContinueSignal)) throw e;
    } finally {
      ip.loopDepth--;
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
export function loseLoopEffects(ip: PythonInterpreter, node: PyNode, scope: Scope, why: string, at: PyNode): void {
  const effects = new LoopEffects(ip.rt, why);
  const lost = effects.lost;
  const loseValue = (target: PyNode): void => {
    effects.assigned(evalQuiet(ip, target, scope));
    if (target.type === 'identifier') scope.assign(ip.text(target), lost);
    else if (target.type === 'attribute') {
      const obj = evalQuiet(ip, field(target, 'object'), scope);
      const attr = field(target, 'attribute');
      if (attr && (obj?.k === 'object' || obj?.k === 'module')) obj.attrs.set(ip.text(attr), lost);
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
      loseWeightsInLoop(ip, n, scope.lookup('self'), why);
      const fn = field(n, 'function');
      const method = fn?.type === 'attribute' ? field(fn, 'attribute') : undefined;
      if (fn && method && LOOP_MUTATORS.has(ip.text(method))) {
        const recvNode = field(fn, 'object')!;
        if (effects.mutated(evalQuiet(ip, recvNode, scope), `at ${ip.rangeText(node)}`, KEEP_IN_LOOPS)) loseValue(recvNode);
      }
    }
    for (const c of n.children) stack.push(c);
  }
  effects.finish(ip.range(at));
}

/** A name or attribute chain's value without side effects (no calls); undefined for anything else. */
export function evalQuiet(ip: PythonInterpreter, node: PyNode | undefined, scope: Scope): Value | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return scope.lookup(ip.text(node));
  if (node.type === 'attribute') {
    const obj = evalQuiet(ip, field(node, 'object'), scope);
    const attr = field(node, 'attribute');
    if (!obj || !attr) return undefined;
    if (obj.k === 'object' || obj.k === 'module') return obj.attrs.get(ip.text(attr));
  }
  return undefined;
}

export function stopLoop(ip: PythonInterpreter, node: PyNode, iterations: number, scope: Scope): void {
  reportLoopBudget(ip.rt, iterations, ip.range(node));
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') continue;
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = field(n, 'left');
      if (left?.type === 'identifier') scope.assign(ip.text(left), unknown('loop budget'));
    }
    for (const c of n.children) stack.push(c);
  }
}
