// JS/TS modules: ESM and CommonJS exports, relative imports of project files, the tfjs packages.

import type { TSESTree } from '@typescript-eslint/typescript-estree';
import { BreakSignal, ContinueSignal, ReturnSignal, ThrowSignal } from '../common/signals';
import { makeDict, str, unknown, type Value } from '../common/values';
import { isTfjsPackage, TF_ROOT } from './tfjs-api';
import { type JsInterpreter, type N, type Expr, Scope } from './interpreter';
import { hoist, exec } from './statements';
import { makeFunction, makeClass } from './definitions';
import { evaluate } from './expressions';
import { moduleExportName, declaredNames } from './helpers';

// ---------------------------------------------------------------------------------------------
// Modules

/** `module` and `exports` for CommonJS code. */
export function moduleObjects(ip: JsInterpreter, scope: Scope): Value & { k: 'dict' } {
  const exports = makeDict([]);
  scope.vars.set('exports', exports);
  scope.vars.set('module', makeDict([[str('exports'), exports]]));
  return exports;
}

export function runProgram(ip: JsInterpreter, program: TSESTree.Program, scope: Scope, esmExports: Value & { k: 'dict' }): void {
  hoist(ip, program.body, scope);
  for (const stmt of program.body) {
    ip.guard(() => {
      try {
        execTop(ip, stmt, scope, esmExports);
      } catch (e) {
        if (!(e instanceof ThrowSignal || e instanceof ReturnSignal || e instanceof BreakSignal || e instanceof ContinueSignal)) throw e;
      }
    });
  }
}

export function execTop(ip: JsInterpreter, stmt: N, scope: Scope, exports: Value & { k: 'dict' }): void {
  const setExport = (name: string, v: Value) => {
    exports.map.set(name, v);
    exports.keys.set(name, str(name));
  };
  switch (stmt.type) {
    case 'ImportDeclaration':
      execImport(ip, stmt, scope);
      return;
    case 'ExportNamedDeclaration': {
      if (stmt.declaration) {
        exec(ip, stmt.declaration, scope);
        for (const name of declaredNames(stmt.declaration)) setExport(name, scope.lookup(name) ?? unknown());
      }
      const from = stmt.source ? importModule(ip, stmt.source.value) : null;
      for (const spec of stmt.specifiers) {
        const local = moduleExportName(spec.local);
        const exported = moduleExportName(spec.exported);
        setExport(exported, from ? member(ip, from, local) : scope.lookup(local) ?? unknown());
      }
      return;
    }
    case 'ExportDefaultDeclaration': {
      const d = stmt.declaration;
      if (d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') {
        exec(ip, d, scope);
        setExport('default', d.id ? scope.lookup(d.id.name) ?? unknown() : d.type === 'FunctionDeclaration' ? makeFunction(ip, d, scope, 'default') : makeClass(ip, d, scope));
      } else if (d.type !== 'TSDeclareFunction' && d.type !== 'TSInterfaceDeclaration' && d.type !== 'TSEnumDeclaration' && d.type !== 'TSModuleDeclaration' && d.type !== 'TSTypeAliasDeclaration' && d.type !== 'VariableDeclaration') {
        setExport('default', evaluate(ip, d as Expr, scope));
      }
      return;
    }
    case 'ExportAllDeclaration': {
      const from = importModule(ip, stmt.source.value);
      if (stmt.exported) setExport(moduleExportName(stmt.exported), from);
      else if (from.k === 'module') for (const [k, v] of from.attrs) if (k !== 'default') setExport(k, v);
      return;
    }
    default:
      exec(ip, stmt, scope);
  }
}

export function execImport(ip: JsInterpreter, stmt: TSESTree.ImportDeclaration, scope: Scope): void {
  if (stmt.importKind === 'type') return;
  const mod = importModule(ip, stmt.source.value);
  for (const spec of stmt.specifiers) {
    if (spec.type === 'ImportNamespaceSpecifier') scope.vars.set(spec.local.name, mod);
    else if (spec.type === 'ImportDefaultSpecifier') scope.vars.set(spec.local.name, mod.k === 'api' ? mod : member(ip, mod, 'default'));
    else if (spec.importKind !== 'type') {
      const imported = moduleExportName(spec.imported);
      scope.vars.set(spec.local.name, member(ip, mod, imported));
    }
  }
}

/** A module's export (or a tfjs namespace member). */
export function member(ip: JsInterpreter, mod: Value, name: string): Value {
  if (mod.k === 'api') return { k: 'api', path: `${mod.path}.${name}` };
  if (mod.k === 'module') return mod.attrs.get(name) ?? unknown(`${name} is not exported`);
  return unknown();
}

/** tfjs packages are the `tf` namespace; relative specifiers are project files; anything else is Unknown. */
export function importModule(ip: JsInterpreter, spec: string): Value {
  if (isTfjsPackage(spec)) return { k: 'api', path: TF_ROOT };
  const host = ip.opts.host;
  const resolved = host?.resolve(ip.file.path, spec);
  if (!resolved) return unknown(`module ${spec}`);
  const cached = ip.modules.get(resolved.path);
  if (cached) return cached;
  const mod: Value & { k: 'module' } = { k: 'module', name: spec, attrs: new Map() };
  ip.modules.set(resolved.path, mod);
  const program = host!.parse(resolved.text, resolved.path);
  if (!program) return mod;
  const saved = ip.file;
  ip.file = { path: resolved.path, text: resolved.text, isMain: false };
  const scope = new Scope(null, true);
  const exports = moduleObjects(ip, scope);
  try {
    // Models built at import time belong to that module's own report, not this file's.
    ip.rt.isolated(() => runProgram(ip, program, scope, exports));
  } finally {
    ip.file = saved;
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
