// Formulas in named sizes (`H`, `latent_size`) for dims and weight counts the code leaves open:
// integer polynomials whose factors are symbols or floor / ceiling / exact divisions of other
// formulas by a positive integer, kept in one normal form so that equal arithmetic prints alike.
// Every symbol stands for an integer, so every factor is an integer and the rewrites below are
// exact: ⌊(d·a + b)/d⌋ = a + ⌊b/d⌋, ⌊(⌊x/a⌋ + c)/b⌋ = ⌊(x + c·a)/(a·b)⌋ (the same for ⌈⌉).

import { UNKNOWN_DIM, type UnknownDim } from './shape';

/**
 * One dim of a formula shape: a formula (a constant for a known size); null for Keras' None with
 * no formula (the batch dim); `?` for a size unknown to the analysis with no formula.
 */
export type FormulaDim = Formula | null | UnknownDim;
export type FormulaShape = FormulaDim[];

/** The dim's formula, or undefined when it has none. */
export function formulaOf(d: FormulaDim | undefined): Formula | undefined {
  return d === null || d === undefined || d === UNKNOWN_DIM ? undefined : d;
}

/** A formula shape of known sizes and Nones / `?` (no formulas). */
export function constantShape(shape: readonly (number | null | UnknownDim)[]): FormulaShape {
  return shape.map((d) => (typeof d === 'number' ? constant(d) : d));
}

/** Product of the dims' formulas; undefined when one has none or it grows too long. */
export function productOf(dims: readonly FormulaDim[]): Formula | undefined {
  let p: Formula | null = constant(1);
  for (const d of dims) {
    const f = formulaOf(d);
    if (!f) return undefined;
    p = mul(p, f);
    if (!p) return undefined;
  }
  return p;
}

/** Sum of the formulas; undefined when one is missing or it grows too long. */
export function sumOf(fs: readonly (Formula | undefined | null)[]): Formula | undefined {
  const nonzero: Formula[] = [];
  for (const f of fs) {
    if (!f) return undefined;
    if (f.terms.length > 0) nonzero.push(f);
  }
  if (nonzero.length === 0) return ZERO;
  if (nonzero.length === 1) return nonzero[0];
  // Two by `add` (a shown product plus a constant stays shown); more at once: one merge, not one per addend.
  if (nonzero.length === 2) return add(nonzero[0], nonzero[1]) ?? undefined;
  const terms: Term[] = [];
  for (const f of nonzero) for (const t of f.terms) terms.push(t);
  return safe(make(terms)) ?? undefined;
}

/** `a·b·…` of formulas and numbers; undefined when one is missing or it grows too long. */
export function times(...xs: (Formula | number | undefined | null)[]): Formula | undefined {
  return productOf(xs.map((x) => (typeof x === 'number' ? constant(x) : (x ?? UNKNOWN_DIM))));
}

/** `a + b + …` of formulas and numbers; undefined when one is missing or it grows too long. */
export function plus(...xs: (Formula | number | undefined | null)[]): Formula | undefined {
  return sumOf(xs.map((x) => (typeof x === 'number' ? constant(x) : x)));
}

/** A formula: a sum of terms. Immutable; build with the functions below. */
export interface Formula {
  readonly terms: readonly Term[];
  /** Canonical text, equal for equal formulas (also the sort key of a factor made from it). */
  readonly key: string;
  /**
   * How the formula was made, when that reads better than its expansion: a product with a sum
   * among its factors (`(⌊H/2⌋ − 1)·(⌊W/2⌋ − 1)·32`), kept for display only.
   */
  readonly shown?: { readonly factors: readonly Formula[]; readonly coeff: number; readonly plus?: Formula };
}

/** `coeff · factor₁ · factor₂ …`; factors sorted by key, repeated for powers. */
interface Term {
  readonly coeff: number;
  readonly factors: readonly Factor[];
}

type Factor =
  | { readonly kind: 'sym'; readonly name: string; readonly key: string }
  /** ⌊num/d⌋, ⌈num/d⌉, or num/d where the code makes it exact (a Reshape's −1). */
  | { readonly kind: 'floor' | 'ceil' | 'div'; readonly num: Formula; readonly d: number; readonly key: string; readonly depth: number };

/** Terms past this many make a formula nobody reads: operations give null instead. */
const MAX_TERMS = 24;
/** Floors and ceilings nested deeper than this likewise (alternating ⌊⌋ and ⌈⌉ do not merge). */
const MAX_NESTING = 24;

/** How deeply divisions nest in a formula. */
function nesting(f: Formula): number {
  let n = 0;
  for (const t of f.terms) for (const x of t.factors) if (x.kind !== 'sym') n = Math.max(n, x.depth);
  return n;
}

const termKey = (fs: readonly Factor[]) => fs.map((f) => f.key).join('*');

function make(terms: Term[]): Formula {
  // Merge like terms, drop zeros, sort: higher degree first, then by key.
  if (terms.length === 1) {
    const t = terms[0];
    if (t.coeff === 0) return ZERO;
    const k = termKey(t.factors);
    return { terms, key: `${t.coeff}${k ? '*' + k : ''}` };
  }
  if (terms.length === 2) {
    // The common case (a sum and a constant, two sizes): no map.
    const [a, b] = terms;
    const ka = termKey(a.factors);
    const kb = termKey(b.factors);
    if (ka === kb) return make([{ coeff: a.coeff + b.coeff, factors: a.factors }]);
    if (a.coeff === 0) return make([b]);
    if (b.coeff === 0) return make([a]);
    const first = b.factors.length - a.factors.length || (ka < kb ? -1 : 1);
    const [x, kx, y, ky] = first < 0 ? [a, ka, b, kb] : [b, kb, a, ka];
    return { terms: [x, y], key: `${x.coeff}${kx ? '*' + kx : ''}+${y.coeff}${ky ? '*' + ky : ''}` };
  }
  const byKey = new Map<string, Term>();
  for (const t of terms) {
    const k = termKey(t.factors);
    const had = byKey.get(k);
    byKey.set(k, had ? { coeff: had.coeff + t.coeff, factors: t.factors } : t);
  }
  const kept: [string, Term][] = [];
  for (const [k, t] of byKey) if (t.coeff !== 0) kept.push([k, t]);
  kept.sort(([ka, a], [kb, b]) => b.factors.length - a.factors.length || (ka < kb ? -1 : ka > kb ? 1 : 0));
  return { terms: kept.map(([, t]) => t), key: kept.map(([k, t]) => `${t.coeff}${k ? '*' + k : ''}`).join('+') || '0' };
}

const ZERO: Formula = { terms: [], key: '0' };

function safe(f: Formula): Formula | null {
  if (f.terms.length > MAX_TERMS) return null;
  for (const t of f.terms) if (!Number.isSafeInteger(t.coeff)) return null;
  return f;
}

/** Constants made so far, shared (formulas are immutable); small sizes only, so the table stays small. */
const CONSTANTS = new Map<number, Formula>();

export function constant(n: number): Formula {
  let c = CONSTANTS.get(n);
  if (!c) {
    c = make([{ coeff: n, factors: [] }]);
    if (Number.isInteger(n) && n >= -4096 && n <= 65536) CONSTANTS.set(n, c);
  }
  return c;
}

export function symbol(name: string): Formula {
  return make([{ coeff: 1, factors: [{ kind: 'sym', name, key: name }] }]);
}

/** The number, when the formula has no symbol. */
export function constantValue(f: Formula): number | null {
  if (f.terms.length === 0) return 0;
  return f.terms.length === 1 && f.terms[0].factors.length === 0 ? f.terms[0].coeff : null;
}

export function add(a: Formula, b: Formula): Formula | null {
  if (b.terms.length === 0) return a;
  if (a.terms.length === 0) return b;
  const sum = safe(make([...a.terms, ...b.terms]));
  // A shown product plus a formula that is not one stays shown: `(⌊H/2⌋ − 1)·(⌊W/2⌋ − 1)·320 + 10`, `(n − 4)·(n − 4)·k·16 + k`.
  const [p, q] = a.shown && !b.shown ? [a, b] : b.shown && !a.shown ? [b, a] : [undefined, undefined];
  if (!sum || !p?.shown || !q) return sum;
  const plus = p.shown.plus ? add(p.shown.plus, q) : q;
  return plus ? { ...sum, shown: { ...p.shown, plus } } : sum;
}

export function sub(a: Formula, b: Formula): Formula | null {
  return safe(make([...a.terms, ...b.terms.map((t) => ({ coeff: -t.coeff, factors: t.factors }))]));
}

export function mul(a: Formula, b: Formula): Formula | null {
  if (a.terms.length * b.terms.length > MAX_TERMS * 4) return null;
  const terms: Term[] = [];
  for (const x of a.terms) {
    for (const y of b.terms) {
      const factors = [...x.factors, ...y.factors].sort((p, q) => (p.key < q.key ? -1 : p.key > q.key ? 1 : 0));
      terms.push({ coeff: x.coeff * y.coeff, factors });
    }
  }
  const product = safe(make(terms));
  if (!product) return product;
  // Keep the factors for display when a sum is among them (its expansion reads worse).
  const parts = (f: Formula) => {
    if (f.shown && !f.shown.plus) return f.shown;
    const c = constantValue(f);
    return { factors: c === null ? [f] : [], coeff: c ?? 1, plus: 0 };
  };
  const pa = parts(a);
  const pb = parts(b);
  const factors = [...pa.factors, ...pb.factors];
  const coeff = pa.coeff * pb.coeff;
  if (coeff > 0 && factors.some((f) => f.terms.length > 1) && product.terms.length > 1) return { ...product, shown: { factors, coeff } };
  return product;
}

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

/** ⌊f/d⌋ (`floor`), ⌈f/d⌉ (`ceil`) or f/d known to divide (`div`), d a positive integer; null when d is not. */
export function divide(f: Formula, d: number, kind: 'floor' | 'ceil' | 'div'): Formula | null {
  if (!Number.isSafeInteger(d) || d <= 0) return null;
  if (d === 1) return f;
  // Terms whose coefficient d divides come out whole; the constant comes out by its quotient.
  const whole: Term[] = [];
  const rest: Term[] = [];
  let c = 0;
  for (const t of f.terms) {
    if (t.factors.length === 0) c = t.coeff;
    else if (t.coeff % d === 0) whole.push({ coeff: t.coeff / d, factors: t.factors });
    else rest.push(t);
  }
  if (rest.length === 0) {
    // An integer plus c/d.
    if (kind === 'div' && c % d !== 0) return null;
    const q = kind === 'ceil' ? Math.ceil(c / d) : Math.floor(c / d);
    return safe(make([...whole, { coeff: q, factors: [] }]));
  }
  if (kind === 'div') {
    const g = [...rest, { coeff: c, factors: [] }].reduce((x, t) => gcd(x, t.coeff), d);
    const num = make([...rest.map((t) => ({ coeff: t.coeff / g, factors: t.factors })), { coeff: c / g, factors: [] }]);
    return safe(make([...whole, ...(d / g === 1 ? num.terms : [{ coeff: 1, factors: [factor('div', num, d / g)] }])]));
  }
  // Keep the constant left inside in (−d, 0] for ⌊⌋ and [0, d) for ⌈⌉: ⌊(H − 2)/2⌋ + 1 is ⌊H/2⌋.
  const q = kind === 'floor' ? Math.ceil(c / d) : Math.floor(c / d);
  let r = c - q * d;
  let inner: Term[] = rest;
  let dd = d;
  // ⌊(⌊x/a⌋ + r)/d⌋ = ⌊(x + r·a)/(a·d)⌋, and the same for ⌈⌉.
  if (rest.length === 1 && rest[0].coeff === 1 && rest[0].factors.length === 1) {
    const only = rest[0].factors[0];
    if (only.kind === kind && Number.isSafeInteger(only.d * d)) {
      const merged = add(only.num, constant(r * only.d));
      const outer = merged && divide(merged, only.d * d, kind);
      return outer && add(outer, make([...whole, { coeff: q, factors: [] }]));
    }
  }
  // Common factor of everything inside and d.
  const g = [...inner, { coeff: r, factors: [] }].reduce((x, t) => gcd(x, t.coeff), d);
  if (g > 1) {
    inner = inner.map((t) => ({ coeff: t.coeff / g, factors: t.factors }));
    r /= g;
    dd = d / g;
  }
  const num = make([...inner, { coeff: r, factors: [] }]);
  if (dd > 1 && nesting(num) >= MAX_NESTING) return null;
  const out = dd === 1 ? num.terms : [{ coeff: 1, factors: [factor(kind, num, dd)] }];
  return safe(make([...whole, ...out, { coeff: q, factors: [] }]));
}

function factor(kind: 'floor' | 'ceil' | 'div', num: Formula, d: number): Factor {
  return { kind, num, d, key: `${kind}(${num.key})/${d}`, depth: nesting(num) + 1 };
}

/** The symbols a formula mentions, in first-seen order. */
export function symbolsOf(f: Formula, out: string[] = []): string[] {
  for (const t of f.terms) {
    for (const x of t.factors) {
      if (x.kind === 'sym') {
        if (!out.includes(x.name)) out.push(x.name);
      } else symbolsOf(x.num, out);
    }
  }
  return out;
}

/**
 * The value with `values` for the symbols; null when a symbol has none, an exact division does
 * not divide, or a number stops being exact.
 */
export function evaluate(f: Formula, values: ReadonlyMap<string, number>): number | null {
  let sum = 0;
  for (const t of f.terms) {
    let p = t.coeff;
    for (const x of t.factors) {
      let v: number | null;
      if (x.kind === 'sym') v = values.get(x.name) ?? null;
      else {
        const n = evaluate(x.num, values);
        if (n === null) return null;
        if (x.kind === 'div' && n % x.d !== 0) return null;
        v = x.kind === 'ceil' ? Math.ceil(n / x.d) : Math.floor(n / x.d);
      }
      if (v === null) return null;
      p *= v;
    }
    sum += p;
    if (!Number.isSafeInteger(sum) || !Number.isSafeInteger(p)) return null;
  }
  return sum;
}

/** Replaces the symbols `values` gives a number (others stay); null if the result grows too large. */
export function substitute(f: Formula, values: ReadonlyMap<string, number>): Formula | null {
  let out: Formula | null = constant(0);
  for (const t of f.terms) {
    let p: Formula | null = constant(t.coeff);
    for (const x of t.factors) {
      let v: Formula | null;
      if (x.kind === 'sym') v = values.has(x.name) ? constant(values.get(x.name) as number) : symbol(x.name);
      else {
        const n = substitute(x.num, values);
        v = n && divide(n, x.d, x.kind);
      }
      p = v && p && mul(p, v);
      if (!p) return null;
    }
    out = out && add(out, p);
    if (!out) return null;
  }
  return out;
}

const MINUS = '−';

/**
 * Display text: `⌊H/2⌋`, `⌊(H − 1)/2⌋ + 3`, `latent_size·3456 + 3456`, `H·W·32/3` — a term's
 * factors first, then its coefficient; the constant last.
 */
export function formatFormula(f: Formula): string {
  if (f.shown) {
    const { factors, coeff, plus } = f.shown;
    const body = [...powers(factors.map((x) => [x.key, printsAsOne(x) ? formatFormula(x) : `(${formatFormula(x)})`])), ...(coeff === 1 ? [] : [String(coeff)])].join('·');
    if (!plus || plus.terms.length === 0) return body;
    const rest = formatFormula(plus);
    return rest.startsWith(MINUS) ? `${body} ${MINUS} ${rest.slice(MINUS.length)}` : `${body} + ${rest}`;
  }
  if (f.terms.length === 0) return '0';
  const one = asOneFactor(f);
  if (one) return formatFactor(one);
  let s = '';
  f.terms.forEach((t, i) => {
    const neg = t.coeff < 0;
    const abs = Math.abs(t.coeff);
    const body = t.factors.length === 0 ? String(abs) : [...powers(t.factors.map((x) => [x.key, formatFactor(x)])), ...(abs === 1 ? [] : [String(abs)])].join('·');
    s += i === 0 ? (neg ? MINUS : '') + body : ` ${neg ? MINUS : '+'} ${body}`;
  });
  return s;
}

/**
 * `⌊(H − 2)/2⌋ + 1` written as the one factor it equals, `⌊H/2⌋` (a floor or ceiling plus k is
 * the same with k·d added inside), as Keras writes its arithmetic; undefined for other formulas.
 */
function asOneFactor(f: Formula): Factor | undefined {
  if (f.shown) return undefined;
  const [t, rest] = f.terms;
  // One factor, plus a constant or nothing (terms are sorted: a constant comes last).
  const c = f.terms.length === 1 ? 0 : f.terms.length === 2 && rest.factors.length === 0 ? rest.coeff : undefined;
  if (!t || c === undefined || t.coeff !== 1 || t.factors.length !== 1) return undefined;
  const x = t.factors[0];
  if (x.kind !== 'floor' && x.kind !== 'ceil') return undefined;
  if (c === 0) return x;
  const num = add(x.num, constant(c * x.d));
  return num ? factor(x.kind, num, x.d) : undefined;
}

/** True when the formula prints as one factor or term (no parentheses needed around it in a product). */
function printsAsOne(f: Formula): boolean {
  return f.terms.length <= 1 || (!f.shown && asOneFactor(f) !== undefined);
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** Texts of factors (by key) with equal neighbours written as a power: `T·T` → `T²`. */
function powers(factors: [key: string, text: string][]): string[] {
  const out: string[] = [];
  for (let i = 0; i < factors.length; ) {
    let j = i + 1;
    while (j < factors.length && factors[j][0] === factors[i][0]) j++;
    const n = j - i;
    out.push(n === 1 ? factors[i][1] : factors[i][1] + [...String(n)].map((c) => SUPERSCRIPT[Number(c)]).join(''));
    i = j;
  }
  return out;
}

function formatFactor(x: Factor): string {
  if (x.kind === 'sym') return x.name;
  const inner = formatFormula(x.num);
  const simple = (x.num.terms.length === 1 && x.num.terms[0].coeff > 0) || (x.num.terms.length > 1 && printsAsOne(x.num));
  const num = simple ? inner : `(${inner})`;
  if (x.kind === 'div') return `(${num}/${x.d})`;
  return x.kind === 'floor' ? `⌊${num}/${x.d}⌋` : `⌈${num}/${x.d}⌉`;
}
