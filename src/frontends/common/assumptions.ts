// `shape-lens:` comments that give open sizes a value (`# shape-lens: H=224, W=224, latent_size=64`
// in Python and notebooks, `// shape-lens: ...` or `/* shape-lens: ... */` in JS/TS): read before
// the run into `GraphBuilder.assumptions` (an input's None dims of those names take them; the
// interpreters' `openSize` gives them to builder parameters and argparse values), reported after it
// as `FileAnalysis.assumptions` with whether anything took each.

import type { Assumption } from '../../core/analysis';
import type { GraphBuilder } from '../../core/builder';
import { DiagnosticCode, type DiagnosticSink, type SourceRange } from '../../core/diagnostics';
import { inputDimNames } from '../../core/shape';
import { symbolsOf } from '../../core/formula';

/** One `NAME=VALUE` read from a comment. */
export interface Entry {
  name: string;
  value: number;
  range: SourceRange;
}

const COMMENTS: Record<'python' | 'js', RegExp> = {
  python: /#[ \t]*shape-lens:([^\n]*)/g,
  js: /\/\/[ \t]*shape-lens:([^\n]*)|\/\*[ \t]*shape-lens:([^*]*)\*\//g,
};

/** Bounds what one file can assume (a generated file cannot make the maps grow without limit). */
const MAX_ENTRIES = 200;

/** `# shape-lens: input_shape=(None, 28, 28, 1)` gives a subclassed model its input shape (python/definitions.ts), not sizes. */
function isInputShapeComment(body: string): boolean {
  return /^\s*input_shape\s*=/.test(body);
}

/** What a file's `shape-lens:` comments say: the entries read, and the malformed ones (`H=abc`) with where each is. */
export interface Assumed {
  entries: Entry[];
  invalid: { item: string; range: SourceRange }[];
  /** The values by name (a later entry of a name wins), as `GraphBuilder.assumptions` takes them. */
  values: Map<string, number>;
  /** Equal for comments that give the same values (what the analysis depends on besides where they are). */
  key: string;
}

/**
 * Reads the file's `shape-lens:` comments into `builder.assumptions` (a malformed entry is a
 * warning on it) and returns what was read, for `reportAssumptions` after the run.
 */
export function readAssumptions(text: string, lang: 'python' | 'js', builder: GraphBuilder): Assumed {
  const assumed = parseAssumptions(text, lang);
  applyAssumptions(assumed, builder);
  return assumed;
}

/** Gives the builder the values and reports the malformed entries (before the run, as `readAssumptions`). */
function applyAssumptions(assumed: Assumed, builder: GraphBuilder): void {
  reportInvalidAssumptions(assumed, builder.sink);
  builder.assumptions = assumed.values;
}

/** A warning on each malformed entry. */
export function reportInvalidAssumptions(assumed: Assumed, sink: DiagnosticSink): void {
  for (const { item, range } of assumed.invalid) {
    sink.warning(DiagnosticCode.invalidAssumption, `\`${item.slice(0, 60)}\` is not a size Shape Lens can assume: write NAME=VALUE with a whole number of 0 or more (\`H=224\`).`, range);
  }
}

/** The file's `shape-lens:` comments, read. */
export function parseAssumptions(text: string, lang: 'python' | 'js'): Assumed {
  const entries: Entry[] = [];
  const invalid: Assumed['invalid'] = [];
  const done = (): Assumed => {
    const values = new Map(entries.map((e) => [e.name, e.value]));
    return { entries, invalid, values, key: [...values].map(([n, v]) => `${n}=${v}`).join(',') };
  };
  if (!text.includes('shape-lens:')) return done();
  const re = new RegExp(COMMENTS[lang]);
  for (let m = re.exec(text); m && entries.length < MAX_ENTRIES; m = re.exec(text)) {
    const body = m[1] ?? m[2] ?? '';
    if (isInputShapeComment(body)) continue;
    let at = m.index + m[0].indexOf('shape-lens:') + 'shape-lens:'.length;
    for (const part of body.split(',')) {
      const lead = part.length - part.trimStart().length;
      const item = part.trim();
      const range = { start: at + lead, end: at + lead + item.length };
      at += part.length + 1;
      // `keras=2` chooses the Keras version (core/keras-version.ts), it is no size.
      if (!item || /^keras\s*=/.test(item)) continue;
      const e = /^([A-Za-z_]\w*)\s*=\s*(\d+)$/.exec(item);
      const value = e ? Number(e[2]) : NaN;
      if (!e || !Number.isSafeInteger(value)) {
        if (invalid.length < MAX_ENTRIES) invalid.push({ item, range });
        continue;
      }
      entries.push({ name: e[1], value, range });
      if (entries.length >= MAX_ENTRIES) break;
    }
  }
  return done();
}

/**
 * The file's assumptions after the run, each with whether something took it; an entry nothing took
 * is a note naming the open sizes the file's models have.
 */
export function reportAssumptions(assumed: Assumed | undefined, builder: GraphBuilder): Assumption[] {
  if (!assumed || assumed.entries.length === 0) return [];
  const out = assumed.entries.map((e) => ({ name: e.name, value: e.value, range: e.range, used: builder.usedAssumptions.has(e.name) }));
  if (out.every((a) => a.used)) return out;
  const open = new Set<string>();
  for (const m of builder.models) {
    for (const t of m.inputs) {
      for (const n of t.shape ? inputDimNames(t.shape) : []) if (n) open.add(n);
      for (const f of t.dimFormulas ?? []) if (f) symbolsOf(f).forEach((n) => open.add(n));
    }
    for (const l of m.layers) for (const f of Object.values(l.settingFormulas ?? {})) symbolsOf(f).forEach((n) => open.add(n));
  }
  const list = [...open].filter((n) => !builder.assumptions.has(n)).slice(0, 12);
  for (const a of out) {
    if (a.used) continue;
    const others = list.length > 0 ? `open sizes here: ${list.join(', ')}` : 'no size is left open here';
    builder.sink.info(DiagnosticCode.unusedAssumption, `No open size here is named \`${a.name}\` (${others}; a value the code gives, such as a default, is kept): this assumption changes nothing.`, a.range);
  }
  return out;
}
