// Which module-level names one top-level JS/TS statement reads and binds, read from its syntax
// alone: what the incremental analysis (incremental.ts) needs to tell which statements can affect
// each other. Every answer errs on the side of "more": a name counted as read that is not, or a
// binding counted as conditional that is certain, only makes the analysis redo more work; the
// reverse would be wrong. The rules follow what the interpreter does (statements.ts): function
// declarations are hoisted to the top of their block, `var` is not (it binds when run, in the
// function's scope), a name not bound in a function yet reads the module's.

import type { TSESTree } from '@typescript-eslint/typescript-estree';
import type { ModuleNames } from '../common/incremental-groups';
import { isTfjsPackage } from './tfjs-api';

type N = TSESTree.Node;

/** What one top-level statement does to module-level names. */
export interface JsNames extends ModuleNames {
  // Built up while the statement is read (the grouping only reads them).
  reads: Set<string>;
  lateReads: Set<string>;
  writes: Set<string>;
  certain: Set<string>;
  lateWrites: Set<string>;
  mutates: Set<string>;
  escapes: Set<string>;
  /** Something no name list can describe (`with`): the file is analysed whole. */
  dynamic: boolean;
  /** It imports a project file (a relative specifier): its results depend on that file. */
  project: boolean;
  /** It defines a function, arrow or class at top level (an uncalled builder if its name keeps it). */
  definition: boolean;
}

/** The sets of `JsNames`, and the one empty set every empty one is once read (never added to). */
const SET_KEYS = ['reads', 'lateReads', 'writes', 'certain', 'lateWrites', 'mutates', 'escapes'] as const;
const NONE: Set<string> = new (class extends Set<string> {
  override add(): this {
    throw new Error('the shared empty set of JsNames added to');
  }
})();

/**
 * Names the interpreter binds for the module itself, or that reach every module (`module.exports`,
 * `globalThis.x`): a statement touching one joins every other statement touching it.
 */
const AMBIENT = new Set(['module', 'exports', 'globalThis', 'global', 'window', 'self']);

/** Keys of a node that hold types, labels or other things the interpreter never evaluates. */
const SKIP = new Set(['parent', 'range', 'loc', 'typeAnnotation', 'typeParameters', 'typeArguments', 'returnType', 'superTypeArguments', 'superTypeParameters', 'implements', 'label']);

/** A scope of a function being read: its names bound so far, innermost block last. */
type Locals = Set<string>[];

export function jsNames(stmt: N): JsNames {
  const out: JsNames = { reads: new Set(), lateReads: new Set(), writes: new Set(), certain: new Set(), lateWrites: new Set(), mutates: new Set(), escapes: new Set(), constant: false, dynamic: false, project: false, definition: false };

  /** `locals` null: module level (the statement runs now); else inside a function (runs when called). */
  const read = (name: string, locals: Locals | null): void => {
    if (AMBIENT.has(name)) out.lateWrites.add(name);
    if (!locals) out.reads.add(name);
    else if (!locals.some((s) => s.has(name))) out.lateReads.add(name);
  };
  const write = (name: string, locals: Locals | null): void => {
    if (AMBIENT.has(name)) out.lateWrites.add(name);
    if (!locals) out.writes.add(name);
    else if (!locals.some((s) => s.has(name))) out.lateWrites.add(name);
  };
  /** The name a member chain starts from (`a` in `a.b[0].c`). */
  const root = (n: N): string | undefined => {
    let cur: N = n;
    while (cur.type === 'MemberExpression' || cur.type === 'TSNonNullExpression' || cur.type === 'TSAsExpression') cur = cur.type === 'MemberExpression' ? cur.object : cur.expression;
    return cur.type === 'Identifier' ? cur.name : undefined;
  };

  /** Assignment targets: names are bound, members change the object they hang on. */
  const target = (n: N, locals: Locals | null, compound: boolean): void => {
    switch (n.type) {
      case 'Identifier':
        if (compound) read(n.name, locals);
        write(n.name, locals);
        return;
      case 'MemberExpression': {
        const r = root(n);
        if (r) {
          out.mutates.add(r);
          // A change in place reaches whoever holds the object: every statement touching the name.
          if (!locals || !locals.some((s) => s.has(r))) out.lateWrites.add(r);
        }
        visit(n, locals);
        return;
      }
      case 'ObjectPattern':
      case 'ArrayPattern':
      case 'RestElement':
      case 'AssignmentPattern':
        // A destructuring assignment binds as a declaration does (its members change their objects).
        declare(n, locals, null);
        return;
      case 'TSNonNullExpression':
      case 'TSAsExpression':
      case 'TSTypeAssertion':
      case 'TSSatisfiesExpression':
        target(n.expression, locals, compound);
        return;
      default:
        visit(n, locals);
    }
  };

  /** Names a declaration pattern binds (defaults visited as reads). */
  const declare = (n: N, locals: Locals | null, into: Set<string> | null): void => {
    switch (n.type) {
      case 'Identifier':
        if (into) into.add(n.name);
        else write(n.name, locals);
        return;
      case 'ObjectPattern':
        for (const p of n.properties) {
          if (p.type === 'RestElement') declare(p.argument, locals, into);
          else {
            if (p.computed) visit(p.key, locals);
            declare(p.value, locals, into);
          }
        }
        return;
      case 'ArrayPattern':
        for (const e of n.elements) if (e) declare(e, locals, into);
        return;
      case 'RestElement':
        declare(n.argument, locals, into);
        return;
      case 'AssignmentPattern':
        visit(n.right, locals);
        declare(n.left, locals, into);
        return;
      case 'TSParameterProperty':
        declare(n.parameter, locals, into);
        return;
      default:
        target(n, locals, false);
    }
  };

  /** A function: its parameters bound in order (defaults read before), then its body. */
  const visitFunction = (f: TSESTree.FunctionLike, locals: Locals | null): void => {
    const own = new Set<string>(['arguments']);
    const inner: Locals = [...(locals ?? []), own];
    if (f.id && f.type === 'FunctionExpression') own.add(f.id.name);
    for (const p of f.params) declare(p, inner, own);
    if (f.body) {
      if (f.body.type === 'BlockStatement') visitBlock(f.body.body, inner, own);
      else visit(f.body, inner);
    }
  };

  /** A block's statements in order: function declarations first (hoisted), each declaration bound after its statement. */
  const visitBlock = (body: readonly N[], locals: Locals | null, own?: Set<string>): void => {
    if (!locals) {
      for (const s of body) visit(s, null);
      return;
    }
    const scope = own ?? new Set<string>();
    const inner = own ? locals : [...locals, scope];
    for (const s of body) if (s.type === 'FunctionDeclaration' && s.id) scope.add(s.id.name);
    for (const s of body) {
      visit(s, inner);
      if (s.type === 'ClassDeclaration' && s.id) scope.add(s.id.name);
    }
  };

  const visitClass = (c: TSESTree.ClassDeclaration | TSESTree.ClassExpression, locals: Locals | null): void => {
    if (c.superClass) visit(c.superClass, locals);
    // Members run when the class is instantiated or a method called: late, as in a function.
    const inner: Locals = [...(locals ?? []), new Set(c.type === 'ClassExpression' && c.id ? [c.id.name] : [])];
    for (const el of c.body.body) {
      if ((el.type === 'MethodDefinition' || el.type === 'PropertyDefinition' || el.type === 'AccessorProperty' || el.type === 'TSAbstractMethodDefinition' || el.type === 'TSAbstractPropertyDefinition') && el.computed) visit(el.key, inner);
      if ('decorators' in el && el.decorators) for (const d of el.decorators) visit(d, inner);
      if (el.type === 'MethodDefinition' || el.type === 'TSAbstractMethodDefinition') visitFunction(el.value, inner);
      else if ((el.type === 'PropertyDefinition' || el.type === 'AccessorProperty') && el.value) visit(el.value, inner);
      else if (el.type === 'StaticBlock') visitBlock(el.body, inner);
    }
    for (const d of c.decorators ?? []) visit(d, inner);
  };

  function visit(n: N, locals: Locals | null): void {
    switch (n.type) {
      case 'Identifier':
      case 'JSXIdentifier':
        read(n.name, locals);
        return;
      case 'FunctionDeclaration':
        // Bound by the block it is in (module level: by `jsNames` itself).
        visitFunction(n, locals ?? []);
        return;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        visitFunction(n, locals ?? []);
        return;
      case 'ClassDeclaration':
      case 'ClassExpression':
        visitClass(n, locals);
        return;
      case 'VariableDeclaration':
        for (const d of n.declarations) {
          if (d.init) visit(d.init, locals);
          // At module level only `var` reaches the module's scope from inside a block (`let`, `const` stay in it).
          // In a function: a local of the block it is in, from here on.
          if (locals) declare(d.id, locals, locals[locals.length - 1]);
          else if (n.kind === 'var') declare(d.id, null, null);
          else declare(d.id, [new Set()], new Set());
        }
        return;
      case 'AssignmentExpression':
        visit(n.right, locals);
        target(n.left, locals, n.operator !== '=');
        return;
      case 'UpdateExpression':
        target(n.argument, locals, true);
        return;
      case 'UnaryExpression':
        if (n.operator === 'delete') target(n.argument, locals, true);
        else visit(n.argument, locals);
        return;
      case 'MemberExpression':
        visit(n.object, locals);
        if (n.computed) visit(n.property, locals);
        return;
      case 'Property':
        if (n.computed) visit(n.key, locals);
        visit(n.value, locals);
        return;
      case 'BlockStatement':
      case 'StaticBlock':
        visitBlock(n.body, locals);
        return;
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        // The loop's own declarations are the loop's (a block of their own).
        const scope = new Set<string>();
        const inner = locals ? [...locals, scope] : locals;
        const init = n.type === 'ForStatement' ? n.init : n.left;
        if (n.type !== 'ForStatement') visit(n.right, locals);
        if (init?.type === 'VariableDeclaration') {
          for (const d of init.declarations) if (d.init) visit(d.init, inner);
          for (const d of init.declarations) {
            if (locals) declare(d.id, inner, scope);
            else if (init.kind === 'var') declare(d.id, null, null);
            else declare(d.id, [new Set()], new Set());
          }
        } else if (init) {
          if (n.type === 'ForStatement') visit(init, inner);
          else target(init, inner, false);
        }
        if (n.type === 'ForStatement') {
          if (n.test) visit(n.test, inner);
          if (n.update) visit(n.update, inner);
        }
        visit(n.body, inner);
        return;
      }
      case 'CatchClause': {
        const scope = new Set<string>();
        if (n.param) declare(n.param, locals ?? [new Set()], scope);
        visitBlock(n.body.body, locals ? [...locals, scope] : null);
        return;
      }
      case 'SwitchStatement':
        visit(n.discriminant, locals);
        // Each case as a block of its own: a jump into a later case skips the bindings before it.
        for (const c of n.cases) {
          if (c.test) visit(c.test, locals);
          visitBlock(c.consequent, locals);
        }
        return;
      case 'WithStatement':
        out.dynamic = true;
        return;
      case 'MetaProperty':
      case 'ThisExpression':
      case 'Super':
      case 'Literal':
      case 'PrivateIdentifier':
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'TSInterfaceDeclaration':
      case 'TSTypeAliasDeclaration':
      case 'TSDeclareFunction':
      case 'TSModuleDeclaration':
      case 'TSImportEqualsDeclaration':
        return;
      default:
        visitChildren(n, locals);
    }
  }

  function visitChildren(n: N, locals: Locals | null): void {
    const rec = n as unknown as Record<string, unknown>;
    for (const k in rec) {
      if (SKIP.has(k)) continue;
      const v = rec[k];
      if (Array.isArray(v)) {
        for (const x of v) if (isNode(x)) visit(x, locals);
      } else if (isNode(v)) visit(v, locals);
    }
  }

  // Module level.
  const projectSpec = (spec: unknown): void => {
    if (typeof spec === 'string' && !isTfjsPackage(spec) && /^[./]/.test(spec)) out.project = true;
  };
  const bindNow = (name: string): void => {
    write(name, null);
    out.certain.add(name);
  };
  const top = (s: N): void => {
    switch (s.type) {
      case 'ImportDeclaration':
        if (s.importKind === 'type') return;
        projectSpec(s.source.value);
        for (const spec of s.specifiers) if (spec.type !== 'ImportSpecifier' || spec.importKind !== 'type') bindNow(spec.local.name);
        out.constant = true;
        return;
      case 'ExportNamedDeclaration':
        if (s.source) projectSpec(s.source.value);
        if (s.declaration) top(s.declaration);
        else if (!s.source) for (const spec of s.specifiers) if (spec.local.type === 'Identifier') read(spec.local.name, null);
        return;
      case 'ExportAllDeclaration':
        projectSpec(s.source.value);
        return;
      case 'ExportDefaultDeclaration': {
        const d = s.declaration;
        if ((d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') && d.id) top(d);
        else visit(d, null);
        return;
      }
      case 'FunctionDeclaration':
        visitFunction(s, []);
        if (s.id) {
          bindNow(s.id.name);
          // Hoisted: statements before it see it too.
          out.lateWrites.add(s.id.name);
          out.definition = true;
        }
        return;
      case 'ClassDeclaration':
        visitClass(s, null);
        if (s.id) {
          bindNow(s.id.name);
          out.definition = true;
        }
        return;
      case 'TSEnumDeclaration':
        visitChildren(s, null);
        bindNow(s.id.name);
        return;
      case 'VariableDeclaration':
        for (const d of s.declarations) {
          if (d.init) visit(d.init, null);
          if (d.id.type === 'Identifier') {
            bindNow(d.id.name);
            if (d.init && (d.init.type === 'ArrowFunctionExpression' || d.init.type === 'FunctionExpression')) out.definition = true;
          } else declare(d.id, null, null);
        }
        out.constant = s.declarations.every((d) => d.id.type === 'Identifier' && (!d.init || isLiteral(d.init)));
        return;
      case 'ExpressionStatement':
        visit(s.expression, null);
        if (s.expression.type === 'AssignmentExpression' && s.expression.operator === '=' && s.expression.left.type === 'Identifier') out.certain.add(s.expression.left.name);
        return;
      default:
        visit(s, null);
    }
  };
  top(stmt);
  walkCalls(stmt, (name, call) => {
    // The uncalled builders' order (roots first) goes by the names they call, shadowed or not.
    if (!AMBIENT.has(name)) out.lateReads.add(name);
    // `require('./x')` anywhere reads a project file.
    if (name === 'require' && call.arguments[0]?.type === 'Literal') projectSpec(call.arguments[0].value);
  });
  // Kept for every top-level statement of an open document: most of its sets are empty.
  for (const k of SET_KEYS) if (out[k].size === 0) out[k] = NONE;
  return out;
}

/** A primitive literal: a number, string, boolean or null (signed numbers, templates without substitutions). */
function isLiteral(n: N): boolean {
  if (n.type === 'Literal') return !('regex' in n && n.regex) && !('bigint' in n && n.bigint);
  if (n.type === 'UnaryExpression') return (n.operator === '-' || n.operator === '+') && n.argument.type === 'Literal' && typeof n.argument.value === 'number';
  if (n.type === 'TemplateLiteral') return n.expressions.length === 0;
  return false;
}

function isNode(x: unknown): x is N {
  return typeof x === 'object' && x !== null && typeof (x as { type?: unknown }).type === 'string';
}

/** Every call or `new` of a plain name under `n`. */
function walkCalls(n: N, visit: (name: string, call: TSESTree.CallExpression | TSESTree.NewExpression) => void): void {
  const stack: unknown[] = [n];
  while (stack.length > 0) {
    const o = stack.pop();
    if (Array.isArray(o)) {
      for (const x of o) if (typeof x === 'object' && x !== null) stack.push(x);
      continue;
    }
    if (!isNode(o)) continue;
    if ((o.type === 'CallExpression' || o.type === 'NewExpression') && o.callee.type === 'Identifier') visit(o.callee.name, o);
    const rec = o as unknown as Record<string, unknown>;
    for (const k in rec) if (k !== 'parent' && k !== 'range' && k !== 'loc') stack.push(rec[k]);
  }
}
