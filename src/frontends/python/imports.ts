// Python imports as Python resolves them: project modules run once per analysis (and cached across analyses), Keras / TensorFlow API modules modelled.

import { str, unknown, type Value } from '../common/values';
import { field, fields, namedChildren, type PyNode } from './ast';
import { isExternalRoot, isLibraryModule, isModelledKerasModule, starImportNames } from './keras-api';
import { NamespaceCopier, Scope, volatileGlobals, type FileCtx, type ModuleRec } from './modules';
import type { ResolvedModule } from './resolve';
import { dirname } from 'node:path';
import type { PythonInterpreter, ImportGroup, Cluster } from './interpreter';
import { execBlock } from './statements';
import { moduleBaseName, namespaceChain, placeholderBuiltin, isPlaceholderBuiltin } from './helpers';

// ---------------------------------------------------------------------------------------------
// Imports
export function execImport(ip: PythonInterpreter, node: PyNode, scope: Scope): void {
  if (node.type === 'future_import_statement') return;
  if (node.type === 'import_statement') {
    for (const n of fields(node, 'name')) {
      if (n.type === 'aliased_import') {
        const mod = ip.text(field(n, 'name')!);
        const alias = ip.text(field(n, 'alias')!);
        scope.assign(alias, importModule(ip, mod, 0));
      } else {
        // `import a.b.c` runs a, a.b and a.b.c, and binds `a` (its attribute `b` is the package a.b).
        const mod = ip.text(n);
        const parts = mod.split('.');
        const full = importModule(ip, mod, 0);
        if (full.k !== 'module') {
          scope.assign(parts[0], full.k === 'api' ? { k: 'api', path: parts[0] } : full);
          continue;
        }
        const top = parts.length === 1 ? full : importModule(ip, parts[0], 0);
        scope.assign(parts[0], top.k === 'module' ? top : namespaceChain(parts, full));
      }
    }
    return;
  }
  // from X import a, b as c, *
  const modNode = field(node, 'module_name');
  if (!modNode) return;
  let level = 0;
  let modName = ip.text(modNode);
  if (modNode.type === 'relative_import') {
    const prefix = modNode.children.find((c) => c.type === 'import_prefix');
    level = prefix ? ip.text(prefix).length : 0;
    const dn = modNode.children.find((c) => c.type === 'dotted_name');
    modName = dn ? ip.text(dn) : '';
  }
  const mod = importModule(ip, modName, level);
  if (node.children.some((c) => c.type === 'wildcard_import')) {
    if (mod.k === 'module') for (const k of mod.attrs.keys()) if (!k.startsWith('_')) scope.assign(k, moduleAttr(ip, mod, k) ?? unknown());
    if (mod.k === 'api') for (const k of starImportNames(mod.path)) scope.assign(k, { k: 'api', path: `${mod.path}.${k}` });
    return;
  }
  for (const n of fields(node, 'name')) {
    const nameNode = n.type === 'aliased_import' ? field(n, 'name')! : n;
    const aliasNode = n.type === 'aliased_import' ? field(n, 'alias') : undefined;
    const name = ip.text(nameNode);
    const bound = aliasNode ? ip.text(aliasNode) : name.split('.')[0];
    scope.assign(bound, member(ip, mod, name, modName, level));
  }
}

/** `from mod import name`: an attribute of the module, else its submodule `name` (imported now, as Python does). */
export function member(ip: PythonInterpreter, mod: Value, name: string, modName: string, level: number): Value {
  const sub = modName ? `${modName}.${name}` : name;
  if (mod.k === 'api' || (level === 0 && isApiModule(ip, sub))) return { k: 'api', path: `${modName}.${name}` };
  const v = mod.k === 'module' ? moduleAttr(ip, mod, name) : undefined;
  if (v) return v;
  // `from . import x` where the folder is not a package (no __init__.py): x beside the file.
  if (mod.k === 'module' || (level > 0 && !modName)) {
    const m = importModule(ip, sub, level);
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
export function isApiModule(ip: PythonInterpreter, name: string): boolean {
  const keras = isExternalRoot(name);
  if (!keras && !isLibraryModule(name)) return false;
  if (mainPackage(ip) !== name.split('.')[0]) return true;
  return keras && isModelledKerasModule(name);
}

/** The top package the main file belongs to ('' for a file outside packages). */
export function mainPackage(ip: PythonInterpreter): string {
  if (ip.mainTop === undefined) {
    const r = ip.opts.host?.resolver;
    const parts = r ? r.moduleName(ip.main.path).parts : [];
    ip.mainTop = parts.length > 1 || r?.isPackage(dirname(ip.main.path)) ? parts[0] : '';
  }
  return ip.mainTop;
}

export function importModule(ip: PythonInterpreter, name: string, level: number): Value {
  const host = ip.opts.host;
  if (level === 0 && (!host || isApiModule(ip, name))) return { k: 'api', path: name };
  const target = host?.resolver.resolve(ip.file.path, name, level);
  if (!target) return level === 0 ? { k: 'api', path: name } : unknown(`module ${'.'.repeat(level)}${name} not found`);
  return loadModule(ip, target).value;
}

/** A module variable as other code reads it (`mod.x`, `from mod import x`). */
export function moduleAttr(ip: PythonInterpreter, mod: Value & { k: 'module' }, name: string): Value | undefined {
  const v = mod.attrs.get(name);
  const rec = ip.moduleRecs.get(mod);
  return v && rec ? rec.scope.read(name, v) : v;
}

/**
 * A project module, run once per analysis: its enclosing packages' `__init__.py` first (outermost
 * first), each bound as an attribute of its parent once it has run, as Python does. The outermost
 * import is one group: taken from the module cache when the files it read are unchanged, else run
 * and offered to the cache.
 */
export function loadModule(ip: PythonInterpreter, target: ResolvedModule): ModuleRec {
  const known = ip.modules.get(target.path);
  if (known) return touch(ip, known);
  const chain = [...ip.opts.host!.resolver.parentPackages(target.path), target];
  if (ip.group) return loadChain(ip, chain);
  // Packages already loaded stay outside the new group (`from pkg import sub`): the first new
  // module is bound on its package once the group has run, as Python binds it once it has run.
  const first = chain.findIndex((m) => !ip.modules.has(m.path));
  const rest = chain.slice(first);
  const rec = fromCache(ip, rest[0].path, target.path) ?? runGroup(ip, rest[0].path, () => loadChain(ip, rest));
  const parent = first > 0 ? ip.modules.get(chain[first - 1].path) : undefined;
  const child = ip.modules.get(rest[0].path);
  if (parent && child) parent.value.attrs.set(moduleBaseName(child.path), child.value);
  return rec;
}

export function loadChain(ip: PythonInterpreter, chain: ResolvedModule[]): ModuleRec {
  let parent: ModuleRec | undefined;
  let rec: ModuleRec | undefined;
  for (const m of chain) {
    const known = ip.modules.get(m.path);
    rec = known ? touch(ip, known) : execModule(ip, m);
    if (parent && parent.value.attrs.get(moduleBaseName(m.path)) !== rec.value) {
      touch(ip, parent);
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
export function touch(ip: PythonInterpreter, rec: ModuleRec): ModuleRec {
  const group = ip.group;
  if (!group || group.recs.includes(rec) || group.absorbed.includes(rec)) return rec;
  const cluster = ip.dirty ? undefined : ip.clusters.get(rec);
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
export function execModule(ip: PythonInterpreter, m: ResolvedModule): ModuleRec {
  const host = ip.opts.host!;
  const root = host.parse(m.text);
  const file: FileCtx = { path: m.path, text: m.text, isMain: false, volatile: root ? volatileGlobals(root, m.text) : new Set() };
  const scope = new Scope(null, null, 'module');
  scope.volatile = file.volatile;
  const value: Value & { k: 'module' } = { k: 'module', name: moduleBaseName(m.path), attrs: scope.vars };
  scope.vars.set('__name__', str(moduleBaseName(m.path)));
  const rec: ModuleRec = { path: m.path, value, scope, file };
  ip.modules.set(m.path, rec);
  ip.moduleRecs.set(value, rec);
  ip.group?.recs.push(rec);
  if (host.cache) host.cache.stats.interpreted++;
  if (!root) return rec;
  const saved = ip.file;
  const savedDepth = ip.budget.depth;
  const savedFn = ip.rt.functionName;
  // A module's top level runs the same wherever it is imported from (call depth, enclosing function).
  ip.budget.depth = 0;
  ip.rt.functionName = null;
  ip.file = file;
  try {
    ip.rt.isolated(() => ip.guard(() => execBlock(ip, namedChildren(root), scope)));
  } finally {
    ip.file = saved;
    ip.budget.depth = savedDepth;
    ip.rt.functionName = savedFn;
  }
  return rec;
}

export function runGroup(ip: PythonInterpreter, entry: string, load: () => ModuleRec): ModuleRec {
  const resolver = ip.opts.host!.resolver;
  const group: ImportGroup = {
    entry, recs: [], absorbed: [], reads: new Map(), external: false, steps: ip.budget.steps, absorbedSteps: 0, names: ip.rt.builder.saveNames(), caught: ip.caught,
  };
  ip.group = group;
  resolver.onRead = (p, text) => {
    if (!group.reads.has(p)) group.reads.set(p, text);
  };
  let done = false;
  try {
    const rec = load();
    done = true;
    return rec;
  } finally {
    ip.group = null;
    resolver.onRead = undefined;
    if (done) offerToCache(ip, group);
  }
}

/** Caches a group's namespaces if they depend on its files alone. */
export function offerToCache(ip: PythonInterpreter, group: ImportGroup): void {
  const cache = ip.opts.host?.cache;
  if (!cache || group.external || group.caught !== ip.caught) return;
  // Layers made (and dropped) at a module's top level moved Keras' automatic-name counters.
  if (ip.rt.builder.namesMovedSince(group.names)) return;
  const copier = new NamespaceCopier((b) => (ip.builtins.get(b.name) === b ? placeholderBuiltin(b.name) : b), (v) => ip.kerasState.has(v));
  const members = [...group.recs, ...group.absorbed];
  const modules = members.map((r) => copier.rec(r));
  if (copier.failed) return;
  // The modules' own texts were read before the group started (resolving the import).
  for (const r of group.recs) group.reads.set(r.path, r.file.text);
  const steps = ip.budget.steps - group.steps;
  const cluster: Cluster = { recs: members, reads: group.reads, steps: steps + group.absorbedSteps };
  for (const r of members) ip.clusters.set(r, cluster);
  cache.add({ entry: group.entry, modules, reads: group.reads, steps, absorbedSteps: group.absorbedSteps, size: modules.reduce((n, m) => n + m.file.text.length, 0) });
}

/** A copy of a cached group that started at `entry` and holds `target`, if the files it read are unchanged. */
export function fromCache(ip: PythonInterpreter, entry: string, target: string): ModuleRec | undefined {
  const host = ip.opts.host!;
  const cache = host.cache;
  if (!cache) return undefined;
  for (const image of cache.candidates(entry)) {
    if (!image.modules.some((m) => m.path === target)) continue;
    const loaded = image.modules.filter((m) => ip.modules.has(m.path));
    // Modules of the image this analysis already has must be in the state the image saw them in.
    if (loaded.length > 0 && ip.dirty) continue;
    let valid = true;
    for (const [p, text] of image.reads) {
      if (host.resolver.read(p) !== text) {
        valid = false;
        break;
      }
    }
    if (!valid) continue;
    const copier = new NamespaceCopier((b) => (isPlaceholderBuiltin(b) ? ip.builtins.get(b.name) ?? b : b));
    if (!loaded.every((m) => copier.seed(m, ip.modules.get(m.path)!))) continue;
    const recs = image.modules.map((m) => {
      const live = ip.modules.get(m.path);
      if (live) return live;
      const rec = copier.rec(m);
      ip.modules.set(rec.path, rec);
      ip.moduleRecs.set(rec.value, rec);
      return rec;
    });
    const cluster: Cluster = { recs, reads: image.reads, steps: image.steps + image.absorbedSteps };
    for (const r of recs) ip.clusters.set(r, cluster);
    cache.stats.reused += image.modules.length - loaded.length;
    ip.budget.charge(loaded.length > 0 ? image.steps : image.steps + image.absorbedSteps);
    return ip.modules.get(target);
  }
  return undefined;
}
