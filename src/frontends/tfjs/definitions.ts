// JS/TS functions and classes: functions, arrows and methods with closures and `this`, instantiation and fields, builders nothing called.

import type { TSESTree } from '@typescript-eslint/typescript-estree';
import type { SourceRange } from '../../core/diagnostics';
import { missingArgument, type UncalledEntry } from '../common/interpreter-core';
import { list, NONE, unknown, type Value } from '../common/values';
import { type JsInterpreter, type N, Scope, type FuncDef, type ClassDef } from './interpreter';
import { execBlock, bindPattern } from './statements';
import { evaluate } from './expressions';
import { calledIdentifiers } from './helpers';

// ---------------------------------------------------------------------------------------------
// Functions and classes
export function makeFunction(ip: JsInterpreter, node: FuncDef['node'], scope: Scope, name: string): Value & { k: 'func' } {
  const def: FuncDef = { node, closure: scope, file: ip.file, name };
  if (node.type === 'ArrowFunctionExpression') def.lexicalThis = scope.lookup('this');
  return { k: 'func', name, def };
}

export function makeClass(ip: JsInterpreter, node: TSESTree.ClassDeclaration | TSESTree.ClassExpression, scope: Scope): Value {
  const superClass = node.superClass ? evaluate(ip, node.superClass, scope) : null;
  const methods = new Map<string, Value & { k: 'func' }>();
  const getters = new Set<string>();
  if (superClass?.k === 'class') {
    for (const [k, f] of (superClass.def as ClassDef).methods) methods.set(k, f);
    for (const k of (superClass.def as ClassDef).getters) getters.add(k);
  }
  for (const el of node.body.body) {
    if (el.type === 'MethodDefinition' && !el.static && el.key.type === 'Identifier' && el.value.type === 'FunctionExpression' && el.kind !== 'set') {
      methods.set(el.kind === 'constructor' ? 'constructor' : el.key.name, makeFunction(ip, el.value, scope, el.key.name));
      if (el.kind === 'get') getters.add(el.key.name);
      else getters.delete(el.key.name);
    }
  }
  const name = node.id?.name ?? '<class>';
  const def: ClassDef = { node, closure: scope, file: ip.file, methods, getters, superClass };
  return { k: 'class', name, def, bases: superClass ? [superClass] : [] };
}

export function callFunction(ip: JsInterpreter, fn: Value & { k: 'func' }, args: Value[], thisValue: Value | null, range: SourceRange): Value {
  const def = fn.def as FuncDef;
  return ip.callFrame(def, range, () => {
    const scope = new Scope(def.closure, true);
    scope.vars.set('this', def.lexicalThis ?? thisValue ?? NONE);
    scope.vars.set('arguments', list(args));
    def.node.params.forEach((p, i) => {
      if (p.type === 'RestElement') bindPattern(ip, p.argument, list(args.slice(i)), scope, true);
      else bindPattern(ip, p, i < args.length ? args[i] : NONE, scope, true);
    });
    const body = def.node.body;
    if (!body) return unknown();
    if (body.type !== 'BlockStatement') return evaluate(ip, body, scope);
    execBlock(ip, body.body, scope);
    return NONE;
  });
}

export function instantiate(ip: JsInterpreter, cls: Value & { k: 'class' }, args: Value[], range: SourceRange): Value {
  const def = cls.def as ClassDef;
  ip.instantiatedClasses.add(def.node);
  const obj: Value & { k: 'object' } = { k: 'object', cls, attrs: new Map(), id: ip.nextObjectId++ };
  initFields(ip, def, obj);
  const ctor = def.methods.get('constructor');
  if (ctor) {
    // Constructor parameter properties (`constructor(private h = 28)`) become fields.
    const fn = ctor.def as FuncDef;
    fn.node.params.forEach((p, i) => {
      if (p.type === 'TSParameterProperty') {
        const param = p.parameter;
        const nameNode = param.type === 'AssignmentPattern' ? param.left : param;
        if (nameNode.type === 'Identifier') {
          const v = i < args.length && args[i].k !== 'none' ? args[i] : param.type === 'AssignmentPattern' ? evaluate(ip, param.right, fn.closure) : NONE;
          obj.attrs.set(nameNode.name, v);
        }
      }
    });
    callFunction(ip, ctor, args, obj, range);
  }
  return obj;
}

export function initFields(ip: JsInterpreter, def: ClassDef, obj: Value & { k: 'object' }): void {
  if (def.superClass?.k === 'class') initFields(ip, def.superClass.def as ClassDef, obj);
  const scope = new Scope(def.closure, true);
  scope.vars.set('this', obj);
  for (const el of def.node.body.body) {
    if (el.type === 'PropertyDefinition' && !el.static && el.key.type === 'Identifier' && el.value) {
      obj.attrs.set(el.key.name, evaluate(ip, el.value, scope));
    }
  }
}

/**
 * Top-level functions, arrows and classes nothing called: run them with their defaults (classes:
 * constructed, then each uncalled method). Those no other function calls go first; a run that
 * builds no model is rolled back so it leaves no names or diagnostics behind.
 */
export function analyseUncalled(ip: JsInterpreter, program: TSESTree.Program, scope: Scope): void {
  const entries: UncalledEntry<N>[] = [];
  for (const s of program.body) {
    const d = s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration' ? s.declaration : s;
    if (!d) continue;
    if (d.type === 'FunctionDeclaration' && d.id) entryFor(ip, d.id.name, d, scope, entries);
    if (d.type === 'ClassDeclaration' && d.id) entryFor(ip, d.id.name, d, scope, entries);
    if (d.type === 'VariableDeclaration') {
      for (const decl of d.declarations) {
        if (decl.id.type === 'Identifier' && decl.init && (decl.init.type === 'ArrowFunctionExpression' || decl.init.type === 'FunctionExpression')) {
          entryFor(ip, decl.id.name, decl.init, scope, entries);
        }
      }
    }
  }
  ip.runUncalled(entries);
}

export function entryFor(ip: JsInterpreter, name: string, node: N, scope: Scope, entries: UncalledEntry<N>[]): void {
  const v = scope.vars.get(name);
  const range = ip.range(node);
  const calls = (): Set<string> => calledIdentifiers(node);
  if (v?.k === 'func' && (v.def as FuncDef).node === node) {
    entries.push({ name, node, calls, isClass: false, speculative: true, run: () => void callFunction(ip, v, unknownArgs(ip, v), null, range) });
  } else if (v?.k === 'class' && (v.def as ClassDef).node === node) {
    entries.push({
      name,
      node,
      calls,
      isClass: true,
      speculative: true,
      run: () => {
        const ctor = (v.def as ClassDef).methods.get('constructor');
        const obj = instantiate(ip, v, ctor ? unknownArgs(ip, ctor) : [], range);
        for (const [mname, m] of (v.def as ClassDef).methods) {
          // Each method on its own: a helper method run alone must not use up names `build()` will need.
          if (mname !== 'constructor' && !ip.calledFunctions.has((m.def as FuncDef).node)) ip.rt.speculative(() => ip.guard(() => void callFunction(ip, m, unknownArgs(ip, m), obj, range)));
        }
      },
    });
  }
}

/**
 * Arguments for a function nothing calls, run to see what it builds: a parameter with a default
 * gets it (undefined), one without is unknown — a caller would pass something, not undefined.
 */
export function unknownArgs(ip: JsInterpreter, fn: Value & { k: 'func' }): Value[] {
  return (fn.def as FuncDef).node.params.map((p) => {
    const param = p.type === 'TSParameterProperty' ? p.parameter : p;
    if (param.type === 'AssignmentPattern' || param.type === 'RestElement') return NONE;
    // `({ units = 10, classes = 3 })`, React props: every field has a default, so those stand.
    if (param.type === 'ObjectPattern' && param.properties.every((q) => q.type === 'Property' && q.value.type === 'AssignmentPattern')) return NONE;
    return missingArgument(param.type === 'Identifier' ? param.name : undefined);
  });
}
