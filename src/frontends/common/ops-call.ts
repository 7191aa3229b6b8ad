// Calling a tensor op from interpreted code, for both languages: each front end keeps a table from
// its API spellings to an `OpSpec` (the core op and the parameters in order); this binds a call's
// arguments to the op's tensor inputs and config and runs it through the runtime.

import type { ConfigValue, LayerConfig } from '../../core/config';
import type { SourceRange } from '../../core/diagnostics';
import type { SymbolicTensor } from '../../core/graph';
import type { Dim } from '../../core/shape';
import type { KerasRuntime } from './keras-runtime';
import { makeDict, sequenceItems, str, type CallArgs, type Value } from './values';

/**
 * How one API function binds to an op: `sig` lists its parameters in order — `x*` a tensor
 * operand, `xs**` a list of tensors, `...xs` the remaining positional tensors, `name=key` a
 * parameter read into the op's config as `key`, `name` one read as itself. `defaults` are config
 * values this spelling defaults differently (`K.concatenate` joins on axis -1). `result` names
 * the outputs of an op returning an object (tfjs' `topk` → `{values, indices}`).
 */
export interface OpSpec {
  op: string;
  sig: string;
  defaults?: LayerConfig;
  result?: string[];
}

interface Param {
  name: string;
  key: string;
  kind: 'tensor' | 'tensors' | 'rest' | 'arg';
}

const parsed = new Map<string, Param[]>();

function params(sig: string): Param[] {
  let p = parsed.get(sig);
  if (!p) {
    p = sig.split(' ').map((tok): Param => {
      if (tok.startsWith('...')) return { name: tok.slice(3), key: tok.slice(3), kind: 'rest' };
      if (tok.endsWith('**')) return { name: tok.slice(0, -2), key: tok.slice(0, -2), kind: 'tensors' };
      if (tok.endsWith('*')) return { name: tok.slice(0, -1), key: tok.slice(0, -1), kind: 'tensor' };
      const [name, key = name] = tok.split('=');
      return { name, key, kind: 'arg' };
    });
    parsed.set(sig, p);
  }
  return p;
}

/** Ops that return several tensors. */
const SEVERAL = new Set(['split', 'unstack', 'top_k', 'moments']);

/**
 * Runs `spec` on a call's arguments. Undefined when no operand is a tensor (an op on constants,
 * which the caller handles as before). An operand Shape Lens cannot follow makes the result
 * unknown while keeping the graph connected.
 */
export function callOp(spec: OpSpec, args: CallArgs, range: SourceRange, rt: KerasRuntime, nameBase: string | undefined, argConfig: (v: Value) => ConfigValue): Value | undefined {
  const inputs: SymbolicTensor[] = [];
  const config: LayerConfig = { ...spec.defaults };
  let sawTensor = false;
  const operand = (v: Value): boolean => {
    if (v.k === 'tensor') {
      sawTensor = true;
      inputs.push(v.t);
    } else if (v.k === 'num' || v.k === 'bool') inputs.push(rt.builder.looseTensor([]));
    else if (v.k === 'tuple' || v.k === 'list') {
      // A nested list of numbers is a constant of that shape; anything else cannot be followed.
      const shape: Dim[] = [];
      let x: Value = v;
      while ((x.k === 'tuple' || x.k === 'list') && shape.length < 8) {
        shape.push(x.items.length);
        if (x.items.length === 0) break;
        x = x.items[0];
      }
      if (x.k !== 'num' && x.k !== 'bool' && x.k !== 'list' && x.k !== 'tuple') return false;
      inputs.push(rt.builder.looseTensor(shape));
    } else return false;
    return true;
  };
  const lost = () => opaque(rt, inputs, args, range, nameBase ?? `ops.${spec.op}`);
  let pos = 0;
  for (const p of params(spec.sig)) {
    if (p.kind === 'rest') {
      for (const v of args.positional.slice(pos)) if (!operand(v)) return lost();
      pos = args.positional.length;
      continue;
    }
    const v = args.keywords.get(p.name) ?? args.positional[pos];
    pos++;
    if (v === undefined) continue;
    if (p.kind === 'tensor') {
      if (v.k === 'none') continue;
      if (!operand(v)) return lost();
    } else if (p.kind === 'tensors') {
      const items = sequenceItems(v);
      if (!items || !items.every((x) => operand(x))) return lost();
    } else config[p.key] = argConfig(v);
  }
  if (!sawTensor) return undefined;
  const r = rt.operation(spec.op, inputs, range, config, nameBase, SEVERAL.has(spec.op));
  if (spec.result && r.k === 'tuple') return makeDict(spec.result.map((k, i) => [str(k), r.items[i]] as [Value, Value]).filter(([, v]) => v !== undefined));
  return r;
}

/** An op applied to something Shape Lens cannot follow as a tensor: the result is unknown, the graph stays connected. */
function opaque(rt: KerasRuntime, inputs: SymbolicTensor[], args: CallArgs, range: SourceRange, label: string): Value | undefined {
  const real = [...args.positional, ...args.keywords.values()].flatMap((v) => rt.tensors(v) ?? []);
  if (real.length === 0) return undefined;
  const all = [...inputs, ...real];
  return rt.operation('identity', [rt.builder.looseTensor(null), ...all.filter((t, i, a) => a.indexOf(t) === i)], range, {}, label);
}
