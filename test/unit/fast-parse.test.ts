// The hand-written Python parser (fast-parse.ts) must give exactly tree-sitter's tree as toAst copies
// it (comments left out) or refuse (null): on the fixtures, hand-written edge cases, and thousands
// of randomly edited texts; and analyses must not change with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initPythonParser, parsePython, treeSitterModule } from '../../src/frontends/python/parser';
import { toAst, type PyNode } from '../../src/frontends/python/ast';
import { parseFast } from '../../src/frontends/python/fast-parse';
import { analyzeNotebook, analyzePython, setFastParse } from '../../src/frontends/python/analyze';
import { joinCells, parseNotebook } from '../../src/frontends/python/notebook';
import { analysisToJson } from '../../src/core/analysis';
import { mulberry32, type Rng } from './helpers/rng';
import { fixtureSources } from './helpers/paths';

type Shape = [string, number, number, boolean, string | null, boolean, boolean, Shape[]];

function shape(n: PyNode): Shape {
  return [n.type, n.start, n.end, n.named, n.field, n.hasError, n.missing, n.children.filter((c) => c.type !== 'comment').map(shape)];
}

/** tree-sitter's tree as toAst copies it, comments removed, and whether it has an error. */
function reference(text: string): { shape: Shape; error: boolean } {
  const tree = parsePython(text)!;
  try {
    const root = toAst(tree, undefined, treeSitterModule()).root;
    return { shape: shape(root), error: root.hasError };
  } finally {
    tree.delete();
  }
}

/** Whether parseFast accepted `text`; asserts its tree equals tree-sitter's whenever it does. */
function check(text: string, label: string): boolean {
  const fast = parseFast(text);
  if (!fast) return false;
  const ref = reference(text);
  assert.equal(ref.error, false, `${label}: parseFast gave a tree where tree-sitter has an error`);
  assert.deepEqual(shape(fast), ref.shape, label);
  return true;
}

/** The Python texts of the fixtures: .py files and the notebooks' joined code cells. */
function fixtureTexts(): [string, string][] {
  const out = fixtureSources('python', '.py');
  for (const [name, json] of fixtureSources('notebooks', '.ipynb')) {
    const nb = parseNotebook(json);
    if (nb.ok) out.push([name, joinCells(nb.cells, { ipython: true }).text]);
  }
  return out;
}

test('fixtures: every file tree-sitter parses without error is accepted, with the same tree', async () => {
  await initPythonParser();
  const texts = fixtureTexts();
  assert.ok(texts.length >= 20);
  const refused: string[] = [];
  for (const [name, text] of texts) {
    if (!check(text, name) && !reference(text).error) refused.push(name);
  }
  assert.deepEqual(refused, []);
});

/** Hand-written texts parseFast must accept (each compared with tree-sitter's tree). */
const ACCEPTED: string[] = [
  '',
  '\n\n',
  '   ',
  '# only a comment\n',
  '# a\n\n# b',
  'x = 1',
  'x = 1  # no final newline',
  `s = 'a' "b" '''c\nd''' """e"""\n`,
  `s = r'\\d' R"\\n" b'\\x00' B"x" br'\\1' Rb"y" u'z' U"w" rb'\\''\n`,
  `s = f'{a}' F"{b!r}" fr'{c}\\d' rf"{d:>10}" f'{e:{w}.{p}f}' f'{{}}' f'{x=}' f"{x = }" f'{a}{b}c{d!s:^5}'\n`,
  `s = f"outer {f'inner {x}'} end"\ny = f'{a["k"]}' f"{a, b}" f'{a if b else c}'\n`,
  `s = '\\N{BULLET} \\u00e9 \\U0001F600 \\x41 \\101 \\7 \\q \\\\ \\' \\"'\nt = b'\\N{x}\\u1234\\n'\n`,
  `s = '😀 é 中文'\nt = "a😀b" + x\nu = f"😀{x}😀"\n`,
  'x = """\n  multi\n  line with \'quotes\' and "double" \\n\n"""\ny = 1\n',
  '@decorator\n@decorator.attr(1, k=2)\nclass A(B, metaclass=M):\n    @property\n    def f(self): return 1\n',
  '@dec  # comment on a decorator line\ndef f():\n    pass\n',
  'f = lambda: 0\ng = lambda a, b=1, *c, d, e=2, **f: a\nh = lambda *, k: k\ni = lambda a, /, b: a\n',
  'a = [x for x in y]\nb = {k: v for k, v in d.items() if v}\nc = {x for x in y}\nd = (x for x in y)\ne = [x for y in z for x in y if x if not x]\nf(x for x in y)\n',
  'a[1]\na[1:2]\na[::2]\na[:, 0]\na[..., None]\na[1:2, ::3, :]\na[i, j]\na[(1, 2)]\na[-1:]\na[1,]\n',
  "f(*args, **kwargs)\nf(a, *b, c=1, *d, **e)\nprint(*a, sep='')\nf(*a.b, *c[0])\ng(x(), *a.b)\nt = (*a.b, c)\n[*a, *b]\n{**a, 'b': 1}\n{*a, *b}\na, *b = c\n*a, b = c\n(a, *b) = c\nfor a, *b in c: pass\nx = *a, *b\n",
  'if (n := len(a)) > 10: pass\nwhile (chunk := f.read()):\n    pass\n[y for x in z if (y := f(x))]\n',
  'a < b < c\na == b != c\na <= b >= c\na is b\na is not b\na in b\na not in b\nnot a\nnot not a\na and not b or c\n',
  'x = a if b else c\ny = a if b else c if d else e\nz = (lambda: a) if b else c\nw = lambda: a if b else c\n',
  'def f():\n    global a, b\n    nonlocal c\n',
  'try:\n    pass\nexcept A:\n    pass\nexcept (B, C) as e:\n    pass\nexcept:\n    pass\nelse:\n    pass\nfinally:\n    pass\ntry:\n    pass\nfinally:\n    pass\n',
  'try:\n    # only a comment: an empty block\nexcept E:\n    pass\nif x:  # c\n\n  # d\ny = 1\n',
  'with a:\n    pass\nwith a as b:\n    pass\nwith a as b, c as d, e:\n    pass\nwith open(f) as (a, b):\n    pass\n',
  'x = 1 + \\\n    2\nif a and \\\n   b:\n    pass\nassert x, \\\n    "msg"\nfrom a import b, \\\n    c\ndef f(): \\\n  pass\nx = "a" \\\n    "b"\n',
  'if x:\n\ty = 1\n\tif y:\n\t\tz = 2\n',
  'x = 1\r\ny = 2\r\nif x:\r\n    y\r\n# c\r\n',
  'ä = 1\n名前 = ä + 1\nπ = 3.14\n',
  'def f(a, b):\n    # leading\n    x = 1  # trailing\n    # between\n    y = 2\n    # end of block\n# after\nz = 3\n',
  'class A:\n    def f(self):\n        if x:\n            pass\n        # inner end\n    # outer end\n# module\n',
  'if x: y  # a one-line block ends at its comment\nz\n',
  'x = 0x1F + 0o17 + 0b101 + 1_000 + 1.5 + .5 + 5. + 1e10 + 1.5e-3 + 1j + 1.5J + 0XAB\n',
  'x = a ** -b ** c\ny = -a ** b\nz = ~a + +b - -c\nw = a & b ^ c | d << e >> f\nv = a @ b // c % d\n',
  'x += 1\nx -= 1\nx *= 2\nx /= 2\nx //= 2\nx %= 2\nx **= 2\nx >>= 1\nx <<= 1\nx &= 1\nx |= 1\nx ^= 1\nx @= y\n',
  'x: int\ny: List[int] = []\nz: Dict[str, Tuple[int, ...]] = {}\nw: "Foo" = None\ndef f(a: int = 1, *b: str, **c: float) -> Optional[int]: pass\n',
  'def f(x: List[int], y: a.B, w: int | None = 1) -> Dict[str, int]: pass\n',
  // a generic type then `|`: union_type, left to right while generic types follow
  'a: List[int] | None\nb: int | List[int]\nd: List[int] | None | int\ne: A[x] | B[y] | C[z]\ng: Optional[List[int] | None]\nh: x.y[int] | None\n',
  'def f(a: list[int] | None = None) -> dict[str, int] | None: pass\n',
  'import a\nimport a.b.c\nimport a as b, c.d as e\nfrom . import a\nfrom .. import b\nfrom .a.b import c as d\nfrom a import (b, c,)\nfrom a import *\nfrom __future__ import annotations\n',
  'del a, b[0], c.d\nraise\nraise E\nraise E from e\nreturn\n',
  'def g():\n    return 1, 2\n    yield\n    yield 1\n    yield from g\n    x = yield\n    x = yield a, b\n    return (yield)\n',
  "x = [\n    1,\n    2,\n]\ny = {\n    'a': 1,\n    'b': 2,\n}\nz = (\n    1\n)\n",
  'for i in range(10):\n    if i:\n        continue\n    else:\n        break\nelse:\n    pass\nwhile x:\n    pass\nelse:\n    pass\n',
  'if a:\n    pass\nelif b:\n    pass\nelif c:\n    pass\nelse:\n    pass\n',
  'x = 1; y = 2; z = 3\nif x: y = 1; z = 2\n',
  'x = (1,)\ny = ()\nz = []\nw = {}\n',
  'print("hello")\nprint(a, b)\ntype(x)\nx.type = 1\nx.print()\nmatch = 1\nre.match(a)\n',
  'a = b = c = 1\na.b = c[0] = d\n(a), b = c\nfor (a), b in c: pass\n',
  'x = ...\nx[...]\n',
  "s = ('a'\n     'b')\n",
  'def f(\n    a,\n    b,\n):\n    pass\n',
  'class A(): pass\nclass B(object,): pass\n',
  'x = f(a,  # comment inside brackets\n      b)\n',
  // tree-sitter reads a block that is not indented as an empty block, without an error
  'def f():\nreturn 1\n',
  // nor is indentation where no block opens an error to it
  '  x = 1\ny = 2\n',
  'if x:\n    a\n\tb\nc\nif x:\n\ta\n    b\nc\n',
  // a last `;` belongs to the module (and a block)
  'df.plot();\nif a: b;\ndef f():\n    a;\n    b; c;\nx = 1;',
];

/** Texts parseFast refuses (tree-sitter gives them shapes it does not build, or an error). */
const REFUSED: string[] = [
  'match x:\n    case 1:\n        pass\n',
  'async def f():\n    await g()\n',
  'print x\n',
  'exec "code"\n',
  'type X = int\n',
  'def f[T](x: T): pass\n',
  'with (a as b, c):\n    pass\n',
  'x = f"""{\na}"""\n',
  "x = t'{a}'\n",
  'x = (\n',
  'x = 1 +\n',
  'x = a <> b\n',
  'history,\ne = f()\n',
  'def f():\n    x = g(a +\n# c\nb)\n',
  // tree-sitter reads `*x.y()` as a splat of the call here and as a call of `*x.y` there, and
  // `*a.b` outside argument lists and tuples as `(*a).b`
  'print("==", a(), *b.c())\n',
  'y = {*k()}\n',
  'y = [*a.b]\n',
  'y = {*a.b}\n',
  '*a.b = c\n',
  'x = *a.b, c\n',
  // `as` goes inside a conditional or lambda
  'with a if b else c as f:\n    pass\n',
  'with lambda: x as f:\n    pass\n',
];

test('hand-written edge cases: accepted with the same tree, or refused', async () => {
  await initPythonParser();
  for (const [i, text] of ACCEPTED.entries()) assert.ok(check(text, `accepted #${i}: ${JSON.stringify(text.slice(0, 60))}`), `refused #${i}: ${JSON.stringify(text)}`);
  for (const text of REFUSED) assert.equal(parseFast(text), null, JSON.stringify(text));
});

test('deep nesting and the node bound give null, never a stack overflow', async () => {
  await initPythonParser();
  assert.equal(parseFast(`x = ${'('.repeat(5000)}1${')'.repeat(5000)}\n`), null);
  assert.equal(parseFast(`x = ${'-'.repeat(5000)}1\n`), null);
  assert.equal(parseFast(`x = ${'not '.repeat(5000)}1\n`), null);
  assert.equal(parseFast(`x = ${'a if b else '.repeat(3000)}c\n`), null);
  assert.equal(parseFast(`x = ${'lambda: '.repeat(3000)}c\n`), null);
  let nested = '';
  for (let d = 0; d < 200; d++) nested += `${'    '.repeat(d)}if x:\n`;
  nested += `${'    '.repeat(200)}pass\n`;
  assert.equal(parseFast(nested), null);
  const big = 'x = [' + '1, '.repeat(1000) + ']\n';
  assert.ok(parseFast(big));
  assert.equal(parseFast(big, 500), null);
});

const NOISE = ['(', ')', '[', ']', '{', '}', ':', ',', '.', '=', '\n', '\n    ', '    ', '#', '\\', '"', "'", '"""', 'f"{', ' if ', ' else ', 'lambda ', ' not ', ' in ', ' is ', '*', '**', '@', 'x', '1', '0x1', '1.5', ' and ', 'r"', 'b"', '\t', '\r\n', ':=', ' for ', 'yield ', 'print ', 'async ', ' as ', 'é', '😀', ';', '\\\n', 'else:\n', 'try:\n', '    # c\n', '# c\n'];

/** 1–3 edits: delete characters, delete or duplicate a line, copy a span elsewhere, insert a token. */
function edit(text: string, rnd: Rng): string {
  const n = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rnd() * (text.length + 1));
    const op = rnd();
    const ls = text.lastIndexOf('\n', at - 1) + 1;
    let le = text.indexOf('\n', at);
    if (le < 0) le = text.length;
    if (op < 0.3) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 4));
    else if (op < 0.45) text = text.slice(0, ls) + text.slice(Math.min(text.length, le + 1));
    else if (op < 0.55) text = text.slice(0, le + 1) + text.slice(ls, le + 1) + text.slice(le + 1);
    else if (op < 0.65) {
      const from = Math.floor(rnd() * text.length);
      text = text.slice(0, at) + text.slice(from, from + 1 + Math.floor(rnd() * 10)) + text.slice(at);
    } else text = text.slice(0, at) + NOISE[Math.floor(rnd() * NOISE.length)] + text.slice(at);
  }
  return text;
}

test('random edits of the fixtures: whenever parseFast gives a tree, tree-sitter gives the same and no error', async () => {
  await initPythonParser();
  const sources = [...fixtureTexts().map(([, t]) => t), ...ACCEPTED.filter((t) => t.length > 20)];
  const rnd = mulberry32(0x5eed);
  let accepted = 0;
  let errors = 0;
  const runs = 3000;
  for (let i = 0; i < runs; i++) {
    let text = sources[Math.floor(rnd() * sources.length)];
    if (text.length > 4000) {
      const from = text.lastIndexOf('\n', Math.floor(rnd() * (text.length - 2000))) + 1;
      text = text.slice(from, from + 2000);
    }
    text = edit(text, rnd);
    if (check(text, `edit #${i}: ${JSON.stringify(text)}`)) accepted++;
    else if (reference(text).error) errors++;
  }
  // Both kinds occur: texts it accepts and texts tree-sitter finds an error in (which it must refuse).
  assert.ok(accepted > runs / 4, `accepted only ${accepted} of ${runs}`);
  assert.ok(errors > runs / 4, `only ${errors} of ${runs} had a syntax error`);
});

test('analyses are the same with parseFast as with tree-sitter alone', async () => {
  await initPythonParser();
  const run = (fast: boolean, f: () => unknown): string => {
    setFastParse(fast);
    try {
      return JSON.stringify(f());
    } finally {
      setFastParse(true);
    }
  };
  let n = 0;
  for (const [name, text] of fixtureSources('python', '.py')) {
    const go = () => analysisToJson(analyzePython(text, name));
    assert.equal(run(true, go), run(false, go), name);
    n++;
  }
  for (const [name, json] of fixtureSources('notebooks', '.ipynb')) {
    const go = () => analysisToJson(analyzeNotebook(json, name));
    assert.equal(run(true, go), run(false, go), name);
    n++;
  }
  assert.ok(n >= 20);
});
