// `volatileGlobals` enters only the syntax that can hold statements: it must find exactly the names
// a walk of every node finds, on every fixture, on broken variants and on globals in every construct.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initPythonParser, parsePython, treeSitterModule } from '../../src/frontends/python/parser';
import { toAst, type PyNode } from '../../src/frontends/python/ast';
import { volatileGlobals } from '../../src/frontends/python/modules';
import { repoRoot } from './helpers/paths';

/** Every node visited: the names of `global` statements below module level, in walk order. */
function everyNode(root: PyNode, text: string): string[] {
  const out: string[] = [];
  const stack = root.children.filter((c) => c.type !== 'global_statement');
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'global_statement') {
      for (const id of n.children) if (id.type === 'identifier') out.push(text.slice(id.start, id.end));
      continue;
    }
    for (const c of n.children) stack.push(c);
  }
  return [...new Set(out)];
}

function check(text: string, label: string): string[] {
  const tree = parsePython(text)!;
  try {
    const root = toAst(tree, undefined, treeSitterModule()).root;
    const got = [...volatileGlobals(root, text)];
    assert.deepEqual(got, everyNode(root, text), label);
    return got;
  } finally {
    tree.delete();
  }
}

const NESTED = `global top
def f():
    global a
    if x:
        global b
    elif y:
        global c
    else:
        global d
    for i in r:
        global e
    else:
        global e2
    while w:
        global g
    try:
        global h
    except E:
        global i
    finally:
        global j
    with m:
        global k
    match v:
        case 1:
            global l
class C:
    global n
    @dec
    def m(self):
        global o
lam = lambda: g2
`;

test('globals in every statement construct, not the module-level one', async () => {
  await initPythonParser();
  assert.deepEqual(check(NESTED, 'nested').sort(), ['a', 'b', 'c', 'd', 'e', 'e2', 'g', 'h', 'i', 'j', 'k', 'l', 'n', 'o']);
  // Inside syntax errors too (error recovery can put a statement anywhere).
  for (let cut = 10; cut < NESTED.length; cut += 37) check(`${NESTED.slice(0, cut)}(\n  [x, ${NESTED.slice(cut)}`, `broken at ${cut}`);
  check('x = foo(\ndef f():\n    global q\n', 'error');
  check('global (\nx = 1\n', 'module-level global with an error');
});

test('the same names as a walk of every node, on every Python fixture and broken variants', async () => {
  await initPythonParser();
  const dir = path.join(repoRoot(), 'test/fixtures/python');
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.py')) files.push(p);
    }
  };
  walk(dir);
  assert.ok(files.length >= 10);
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    check(text, f);
    for (const cut of [0.3, 0.55, 0.8]) check(`${text.slice(0, Math.floor(text.length * cut))}(\n  [x, `, `${f} cut at ${cut}`);
  }
});
