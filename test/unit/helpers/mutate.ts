// Seeded source mutations and truncation points for the robustness suites (Python and JS/TS):
// the same operations and random-call order for both, each language adding its own vocabulary.

export { mulberry32 as prng } from './rng';

/** What a language contributes: tokens to insert, replacement numbers, and one language-specific edit. */
export interface Vocabulary {
  noise: string[];
  numbers: string[];
  languageOp(text: string, lines: string[], li: number, pick: <T>(xs: T[]) => T): { text: string; op: string } | null;
}

/** 1–3 random edits (delete / duplicate / swap lines, insert noise, change a number, break a bracket, delete a span, the language's own op). */
export function mutate(text: string, rnd: () => number, vocab: Vocabulary): { text: string; ops: string[] } {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const ops: string[] = [];
  const n = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < n; k++) {
    const lines = text.split('\n');
    const li = Math.floor(rnd() * lines.length);
    const pos = Math.floor(rnd() * (text.length + 1));
    switch (Math.floor(rnd() * 8)) {
      case 0:
        lines.splice(li, 1);
        text = lines.join('\n');
        ops.push(`delete line ${li + 1}`);
        break;
      case 1:
        lines.splice(li, 0, lines[li]);
        text = lines.join('\n');
        ops.push(`duplicate line ${li + 1}`);
        break;
      case 2: {
        const lj = Math.floor(rnd() * lines.length);
        [lines[li], lines[lj]] = [lines[lj], lines[li]];
        text = lines.join('\n');
        ops.push(`swap lines ${li + 1} and ${lj + 1}`);
        break;
      }
      case 3: {
        const noise = pick(vocab.noise);
        text = text.slice(0, pos) + noise + text.slice(pos);
        ops.push(`insert ${JSON.stringify(noise)} at ${pos}`);
        break;
      }
      case 4: {
        const nums = [...text.matchAll(/\b\d+(?:\.\d+)?\b/g)];
        if (nums.length === 0) break;
        const m = pick(nums);
        const rep = pick(vocab.numbers);
        text = text.slice(0, m.index) + rep + text.slice(m.index + m[0].length);
        ops.push(`number ${m[0]} at ${m.index} -> ${rep}`);
        break;
      }
      case 5: {
        const brackets = [...text.matchAll(/[()[\]{}]/g)];
        if (brackets.length === 0 || rnd() < 0.3) {
          const b = pick(['(', ')', '[', ']', '{', '}']);
          text = text.slice(0, pos) + b + text.slice(pos);
          ops.push(`insert bracket ${b} at ${pos}`);
        } else {
          const m = pick(brackets);
          text = text.slice(0, m.index) + text.slice(m.index + 1);
          ops.push(`delete bracket ${m[0]} at ${m.index}`);
        }
        break;
      }
      case 6: {
        const len = 1 + Math.floor(rnd() * 30);
        text = text.slice(0, pos) + text.slice(pos + len);
        ops.push(`delete ${len} chars at ${pos}`);
        break;
      }
      default: {
        // The language's own commonest half-edited state (re-indent a Python line, a JS keyword).
        const r = vocab.languageOp(text, lines, li, pick);
        if (r) {
          text = r.text;
          ops.push(r.op);
        }
      }
    }
  }
  return { text, ops };
}

/** Cut points: every line boundary and every 40 characters. */
export function cutPoints(text: string): number[] {
  const cuts = new Set<number>([0, text.length]);
  for (let i = 0; i < text.length; i += 40) cuts.add(i);
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') cuts.add(i).add(i + 1);
  return [...cuts].sort((a, b) => a - b);
}
