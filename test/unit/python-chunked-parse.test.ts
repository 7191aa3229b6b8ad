// A large module parsed in pieces must give exactly the tree the whole parse gives, or decline
// (then the whole text is parsed). Small piece sizes force a cut at every line that qualifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initPythonParser, parsePython, treeSitterModule } from '../../src/frontends/python/parser';
import { toAst, type PyNode } from '../../src/frontends/python/ast';
import { nextCut, parseInChunks } from '../../src/frontends/python/chunked-parse';
import { caseSeed, emitPythonModule, mulberry32, randomValidSpec, type ModelSpec } from './helpers/cnn-gen';
import { fixtureSources } from './helpers/paths';

function strip(n: PyNode): unknown {
  return [n.type, n.start, n.end, n.named, n.field, n.hasError, n.missing, n.children.map(strip)];
}

function whole(text: string): unknown {
  const tree = parsePython(text)!;
  try {
    return strip(toAst(tree, undefined, treeSitterModule()).root);
  } finally {
    tree.delete();
  }
}

/** How many pieces a parse in pieces of `size` used (0: declined), checking its tree against the whole parse's. */
function check(text: string, size: number, label: string): number {
  let pieces = 0;
  const root = parseInChunks(
    text,
    (t) => {
      pieces++;
      return parsePython(t);
    },
    treeSitterModule(),
    size,
  );
  if (!root) return 0;
  assert.deepEqual(strip(root), whole(text), `${label} (pieces of ${size})`);
  return pieces;
}

function fixtures(): [string, string][] {
  return fixtureSources('python', '.py');
}

test('cuts only before an unindented code line that follows an unindented code line', () => {
  const text = 'a = 1\nb = 2\n\n# c\nd = 3\n    e\nf = 4\n@dec\ndef g(): pass\nelse_ = 5\nif x: y\nelse: z\n_h = 6\n';
  const cuts: string[] = [];
  for (let at = nextCut(text, 0, 0); at >= 0; at = nextCut(text, at, 0)) cuts.push(text.slice(at, text.indexOf('\n', at)));
  // Not `d` (a comment before it), not `f` (indented line before), not `def` (decorator before),
  // not `else:` (continues the if); `else_ = 5` is a name.
  assert.deepEqual(cuts, ['b = 2', 'else_ = 5', 'if x: y', '_h = 6']);
  assert.equal(nextCut('a = 1\n', 0, 100), -1);
});

test('pieces give the whole parse tree on every fixture, cut at every possible line', async () => {
  await initPythonParser();
  const cases = fixtures();
  assert.ok(cases.length >= 10);
  let cut = 0;
  for (const [name, text] of cases) for (const size of [1, 40, 300]) if (check(text, size, name) > 1) cut++;
  // Most fixtures are cut (some decline: a syntax error, or a string holding code at column 0).
  assert.ok(cut > cases.length, `${cut} cut parses`);
});

test('pieces give the whole parse tree on generated modules', async () => {
  await initPythonParser();
  const specs: ModelSpec[] = [];
  for (let i = 0; i < 24; i++) specs.push(randomValidSpec(mulberry32(caseSeed(0x5eed, i)), `m_${i}`).spec);
  for (const seed of [1, 2, 3]) {
    const text = emitPythonModule(specs, mulberry32(seed));
    for (const size of [1, 500, 4000]) assert.ok(check(text, size, `seed ${seed}`) > 1);
  }
});

test('a piece that is not whole code declines: strings, brackets, continuations, errors', async () => {
  await initPythonParser();
  const declines = [
    'x = """\ny = 1\n"""\nz = 2\n', // code at column 0 inside a string
    "x = '''\ny = 1\n'''\n",
    'x = foo(\ny)\nz = 1\n', // an open bracket
    'x = 1 + \\\ny\nz = 1\n', // a backslash continuation
    'x = 1\ny = (\n', // a syntax error at the end
    'x = 1\ny = = 2\nz = 3\n',
  ];
  for (const text of declines) assert.equal(check(text, 1, JSON.stringify(text)), 0, JSON.stringify(text));
  // Cut and equal: non-ASCII text (UTF-16 offsets), CRLF line ends, tabs, comments and blank lines.
  const fine = [
    "s = 'é😀'  # ünïcode\nx = f'{s}→{1 + 2}'\ny = s\n",
    'a = 1\r\nb = 2\r\n\r\nc = [1,\r\n  2]\r\nd = c\r\n',
    'def f():\n\treturn 1\n\n\n# note\nx = f()\ny = x\n',
    'class A:\n    pass\nA.x = 1\nb = A()\n    # stray\nc = b\n',
    'if a:\n    pass\nelse:\n    pass\nx = 1\ny = 2\n',
  ];
  for (const text of fine) assert.ok(check(text, 1, JSON.stringify(text)) > 1, JSON.stringify(text));
});

test('random programs from tricky statements: the pieces give the whole parse tree or decline', async () => {
  await initPythonParser();
  // Whole top-level statements (some hold code at column 0 inside strings or brackets), and a few broken lines.
  const units = [
    'x = 1', 'y = (1,\n2)', 'z = """\ndoc = 1\n"""', "s = '''a\nb = 2'''", 'def f(a):\n    return a', 'def g():\n\tpass',
    'class C:\n    x = 1\n    # indented comment\n# column-0 comment\n    y = 2', '@dec\ndef h():\n    pass', 'if x:\n    a = 1\nelif y:\n    a = 2\nelse:\n    a = 3',
    'try:\n    pass\nexcept E:\n    pass\nfinally:\n    pass', 'for i in r:\n    pass\nelse:\n    pass', 'while w:\n    break',
    'with m as n:\n    pass', 'match v:\n    case 1:\n        pass\n    case _:\n        pass', '# comment', '', 'a = b + \\\nc', 'print(x)',
    'f = lambda: 0', 'def k():\n    global g\n    g = 1', 'x = [\n1,\n]', 'import os', 'from a import (b,\nc)', 'x = f"{y}"', "é = 'ü'",
    'async def g():\n    await h()', 'else_ = 1', 'case = 2', 'x: int = 3', 'del x', 'raise E', 'assert x, "m"', 'if a: b\nelse: c',
    'x = 1; y = 2', 'def m(\n    a,\n    b,\n):\n    return a',
  ];
  const broken = ['y = (', 'def', 'else:', '    stray', ')', 'x = """'];
  const rng = mulberry32(0xc0ffee);
  let cut = 0;
  for (let i = 0; i < 800; i++) {
    const n = 3 + Math.floor(rng() * 30);
    const parts = Array.from({ length: n }, () => (rng() < 0.04 ? broken[Math.floor(rng() * broken.length)] : units[Math.floor(rng() * units.length)]));
    const text = `${parts.join('\n').replace(/\n/g, rng() < 0.2 ? '\r\n' : '\n')}\n`;
    if (check(text, 1 + Math.floor(rng() * 30), `random program ${i}: ${JSON.stringify(text)}`) > 1) cut++;
  }
  assert.ok(cut > 120, `${cut} random programs cut`);
});
