// The compact AST: the fast wasm cursor walk must give exactly the tree the public TreeCursor walk gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureSources } from './helpers/paths';
import { initPythonParser, parsePython, treeSitterModule } from '../../src/frontends/python/parser';
import { toAst, type PyNode } from '../../src/frontends/python/ast';

function sources(): [string, string][] {
  return fixtureSources('python', '.py');
}

function strip(n: PyNode): unknown {
  return [n.type, n.start, n.end, n.named, n.field, n.hasError, n.missing, n.children.map(strip)];
}

function both(text: string): [unknown, unknown] {
  const tree = parsePython(text)!;
  try {
    return [strip(toAst(tree, undefined, treeSitterModule()).root), strip(toAst(tree).root)];
  } finally {
    tree.delete();
  }
}

test('the fast walk is available in this build (else analysis silently takes the slow path)', async () => {
  await initPythonParser();
  const m = treeSitterModule();
  assert.ok(m && typeof m._ts_tree_cursor_goto_first_child_wasm === 'function');
});

test('fast and public walks agree on every fixture, on broken variants, and on non-ASCII text', async () => {
  await initPythonParser();
  const cases = sources();
  assert.ok(cases.length >= 10);
  for (const [name, text] of cases) {
    const [fast, slow] = both(text);
    assert.deepEqual(fast, slow, name);
    // Truncated and bracket-damaged versions exercise ERROR and MISSING nodes.
    for (const cut of [0.3, 0.55, 0.8]) {
      const broken = text.slice(0, Math.floor(text.length * cut)) + '(\n  [x, ';
      const [f2, s2] = both(broken);
      assert.deepEqual(f2, s2, `${name} cut at ${cut}`);
    }
  }
  const [f3, s3] = both("s = 'é😀'  # ünïcode\nx = f'{s}→{1 + 2}'\ny = (1,\n");
  assert.deepEqual(f3, s3);
});

test('spans: a parent covers exactly its first to last token, punctuation included', async () => {
  await initPythonParser();
  const text = 'x = foo(1, [2, 3])\n';
  const tree = parsePython(text)!;
  const root = toAst(tree, undefined, treeSitterModule()).root;
  tree.delete();
  const call = root.children[0].children[0].children.find((c) => c.type === 'call')!;
  assert.equal(text.slice(call.start, call.end), 'foo(1, [2, 3])');
  const args = call.children.find((c) => c.type === 'argument_list')!;
  assert.equal(text.slice(args.start, args.end), '(1, [2, 3])');
  // Brackets and commas are not kept as nodes; the list's items are.
  assert.deepEqual(args.children.map((c) => c.type), ['integer', 'list']);
});

test('a tree cut at the node bound is a prefix of the whole tree, its parents spanning their kept children', async () => {
  await initPythonParser();
  const text = sources().find(([name]) => name.endsWith('.py'))![1];
  const tree = parsePython(text)!;
  try {
    const full = toAst(tree, undefined, treeSitterModule()).root;
    for (const bound of [1, 7, 50, 400]) {
      const cut = toAst(tree, bound, treeSitterModule());
      assert.equal(cut.truncated, true);
      let kept = 0;
      const prefix = (a: PyNode, b: PyNode): void => {
        kept++;
        assert.deepEqual([a.type, a.field, a.named], [b.type, b.field, b.named]);
        assert.ok(a.children.length <= b.children.length);
        for (let i = 0; i < a.children.length; i++) {
          // Complete children are copied whole; only the last one may itself be cut.
          if (i < a.children.length - 1) assert.deepEqual(strip(a.children[i]), strip(b.children[i]));
          prefix(a.children[i], b.children[i]);
        }
        if (a.children.length > 0) assert.ok(a.start <= a.children[0].start && a.end >= a.children[a.children.length - 1].end);
      };
      prefix(cut.root, full);
      assert.ok(kept > 1 && kept <= bound + 1, `${kept} nodes for bound ${bound}`);
    }
  } finally {
    tree.delete();
  }
});
