// Products: `matmul` (batch broadcasting, 1-D operands), `dot`, `tensordot`, and `einsum` with
// general equations (implicit output, `...`).

import type { Cfg, ConfigValue } from '../config';
import type { RuleDim, RuleOutputShape, RuleShape } from '../shape';
import type { LayerRule, RuleContext } from '../layers/types';
import { broadcastShapes } from './elementwise';
import { argError, formatShape, opRule, shapeError } from './util';

/** Keras' `compute_matmul_output_shape`: 1-D operands promoted then dropped, leading dims broadcast. */
export function matmulShape(a: RuleShape, b: RuleShape, ctx: RuleContext): RuleShape | null {
  if (a.length === 0 || b.length === 0) return argError(ctx, 'matmul: Input operand does not have enough dimensions');
  const a1 = a.length === 1;
  const b1 = b.length === 1;
  const x = a1 ? [1, a[0]] : a;
  const y = b1 ? [b[0], 1] : b;
  const k1 = x[x.length - 1];
  const k2 = y[y.length - 2];
  if (k1 !== null && k2 !== null && k1 !== k2) {
    return shapeError(ctx, `Inner dimensions (\`x1.shape[-1]\` and \`x2.shape[-2]\`) must be equal, but received \`x1.shape=${formatShape(x)}\` and \`x2.shape=${formatShape(y)}\`.`);
  }
  const lead = broadcastShapes(x.slice(0, -2), y.slice(0, -2), ctx);
  if (!lead) return null;
  const out: RuleDim[] = [...lead, x[x.length - 2], y[y.length - 1]];
  if (a1) out.splice(out.length - 2, 1);
  if (b1) out.splice(out.length - 1, 1);
  return out;
}

/** `tf.matmul(a, b, transpose_a, transpose_b)` / `adjoint_*`: the last two dims swapped first. */
function matmul(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  let [a, b] = inputs;
  if (!a || !b) return null;
  const swap = (s: RuleShape, key: string, alt: string): RuleShape | null => {
    const t = cfg.bool(key, false);
    const u = cfg.bool(alt, false);
    if (t === null || u === null) return null;
    return (t || u) && s.length >= 2 ? [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]] : s;
  };
  const a2 = swap(a, 'transpose_a', 'adjoint_a');
  const b2 = swap(b, 'transpose_b', 'adjoint_b');
  if (!a2 || !b2) return null;
  [a, b] = [a2, b2];
  // tf.matmul (config `tf`) takes matrices only: a 1-D operand fails there (shape unknown, no guess).
  if (cfg.bool('tf', false) && (a.length < 2 || b.length < 2)) return null;
  return matmulShape(a, b, ctx);
}

/** NumPy's `dot`: 1-D·1-D a scalar; N-D·1-D sums the last axis; else the last of a with b's second-last. */
function dot(inputs: RuleShape[], _cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const [a, b] = inputs;
  if (!a || !b) return null;
  if (a.length === 0) return [...b];
  if (b.length === 0) return [...a];
  if (b.length <= 2 && a.length <= 2) return matmulShape(a, b, ctx);
  if (b.length === 1) return a.slice(0, -1);
  return [...a.slice(0, -1), ...b.slice(0, -2), b[b.length - 1]];
}

/** `tensordot(a, b, axes=2)`: an int (the last n of a with the first n of b) or two lists of axes. */
function tensordot(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const [a, b] = inputs;
  if (!a || !b) return null;
  const raw: ConfigValue | undefined = cfg.raw.axes;
  if (raw === undefined || typeof raw === 'number') {
    const n = raw ?? 2;
    if (!Number.isSafeInteger(n) || n < 0 || n > a.length || n > b.length) return null;
    return [...a.slice(0, a.length - n), ...b.slice(n)];
  }
  if (!Array.isArray(raw) || raw.length !== 2) return null;
  const list = (v: ConfigValue) => (Array.isArray(v) ? v : [v]);
  const [xa, xb] = [list(raw[0]), list(raw[1])];
  if (xa.length !== xb.length || ![...xa, ...xb].every((v) => typeof v === 'number' && Number.isSafeInteger(v))) return null;
  const na = (xa as number[]).map((v) => (v < 0 ? v + a.length : v));
  const nb = (xb as number[]).map((v) => (v < 0 ? v + b.length : v));
  if (na.some((v) => v < 0 || v >= a.length) || nb.some((v) => v < 0 || v >= b.length)) return null;
  void ctx;
  return [...a.filter((_, i) => !na.includes(i)), ...b.filter((_, i) => !nb.includes(i))];
}

/**
 * `einsum(subscripts, *operands)`: each letter's size is taken from the operands (sizes must agree,
 * 1 broadcasts), `...` stands for the leading dims the letters leave (broadcast across operands).
 * Without `->` the output is `...` then the letters used once, in alphabetical order.
 */
export function einsumShape(equation: string, inputs: RuleShape[], ctx: RuleContext): RuleShape | null {
  const eq = equation.replace(/\s+/g, '');
  const sides = eq.split('->');
  if (sides.length > 2) return argError(ctx, `At most one '->' is supported in \`einsum\` subscripts, but received ${equation}.`);
  const specs = sides[0].split(',');
  if (specs.length !== inputs.length) {
    return argError(ctx, `Number of operands (${inputs.length}) does not match the number of input specs (${specs.length}) in \`einsum\`, received subscripts=${equation}.`);
  }
  const sizes = new Map<string, RuleDim>();
  const counts = new Map<string, number>();
  let ellipsis: RuleShape = [];
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i];
    const shape = inputs[i];
    const parts = spec.split('...');
    if (parts.length > 2 || !/^[a-zA-Z]*$/.test(parts.join(''))) return null;
    const letters = parts.join('');
    const ellRank = shape.length - letters.length;
    if (parts.length === 1 ? ellRank !== 0 : ellRank < 0) {
      const dims = `[${shape.map((d) => (d === null ? -1 : d)).join(', ')}]`;
      return shapeError(ctx, `Number of dimensions in the subscript does not match the number of dimensions in the operand, received subscript \`${spec}\` and operand of shape ${dims}.`);
    }
    const lead = parts[0].length;
    if (parts.length === 2) {
      const e = broadcastShapes(ellipsis, shape.slice(lead, lead + ellRank), ctx);
      if (!e) return null;
      ellipsis = e;
    }
    const dims = [...shape.slice(0, lead), ...shape.slice(lead + ellRank)];
    for (let j = 0; j < letters.length; j++) {
      const c = letters[j];
      counts.set(c, (counts.get(c) ?? 0) + 1);
      const d = dims[j];
      if (!sizes.has(c)) sizes.set(c, d);
      else {
        const prev = sizes.get(c)!;
        if (prev === null || prev === 1) sizes.set(c, d === null && prev === 1 ? null : d);
        else if (d !== null && d !== 1 && d !== prev) {
          return shapeError(ctx, `einsum: size of label '${c}' for operand ${i} (${d}) does not match previous terms (${prev}).`);
        }
      }
    }
  }
  let out = sides[1];
  if (out === undefined) {
    const once = [...counts.keys()].filter((c) => counts.get(c) === 1).sort();
    out = (eq.includes('...') ? '...' : '') + once.join('');
  }
  const outParts = out.split('...');
  if (outParts.length > 2) return null;
  const result: RuleDim[] = [];
  for (let p = 0; p < outParts.length; p++) {
    if (p === 1) result.push(...ellipsis);
    for (const c of outParts[p]) {
      if (!sizes.has(c)) return argError(ctx, `einsum: output subscript '${c}' does not appear in the input subscripts of ${equation}.`);
      result.push(sizes.get(c)!);
    }
  }
  return result;
}

export const linalgRules: LayerRule[] = [
  opRule('matmul', matmul),
  opRule('dot', dot),
  opRule('tensordot', tensordot),
  opRule('einsum', (inputs, cfg, ctx) => {
    const eq = cfg.raw.subscripts;
    return typeof eq === 'string' ? einsumShape(eq, inputs, ctx) : null;
  }),
  opRule('outer', (inputs) => (inputs.length === 2 ? [inputs[0].reduce<RuleDim>((p, d) => (p === null || d === null ? null : p * d), 1), inputs[1].reduce<RuleDim>((p, d) => (p === null || d === null ? null : p * d), 1)] : null)),
];
