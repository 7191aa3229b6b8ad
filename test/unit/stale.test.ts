// Typing never blanks the picture: while a line is half-typed it keeps its last good value, marked
// stale (core/stale.ts), and every other row keeps its own. Expected values are Keras arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from './helpers/python';
import { analyzeTfjs } from '../../src/frontends/tfjs/analyze';
import { changedRegion, keepLastGood } from '../../src/core/stale';
import type { FileAnalysis } from '../../src/core/analysis';
import { formatOutputShape } from '../../src/core/shape';
import { fixturesDir } from './helpers/paths';

const PY = (line: string) => `import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, 3, activation="relu"),
    layers.MaxPooling2D(2),
${line}
    layers.Flatten(),
    layers.Dense(10),
], name="convnet")
other = keras.Sequential([keras.Input((4,)), layers.Dense(2)], name="other")
`;

/** A functional model with a line of `line` between its Conv2D and its Flatten. */
const FN = (line: string) => `import keras
from keras import layers
inp = keras.Input((28, 28, 1))
x = layers.Conv2D(8, 3)(inp)
${line}
x = layers.Flatten()(x)
out = layers.Dense(10)(x)
m = keras.Model(inp, out, name="m")
`;

const rowsOf = (a: FileAnalysis, model: string) =>
  a.models.find((m) => m.model.name === model)!.rows.map((r) => [r.name, formatOutputShape(r.outputShape), r.params, r.stale === true]);

const lineOfOffset = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

test('changedRegion: the one region two texts differ in', () => {
  assert.deepEqual(changedRegion('abcdef', 'abXdef'), { start: 2, oldEnd: 3, newEnd: 3 });
  assert.deepEqual(changedRegion('abc', 'abcd'), { start: 3, oldEnd: 3, newEnd: 4 });
  assert.deepEqual(changedRegion('aaaa', 'aa'), { start: 2, oldEnd: 4, newEnd: 2 });
  assert.equal(changedRegion('same', 'same'), undefined);
});

test('Python: a layer line being retyped keeps its last good row, stale, until it parses again', async () => {
  const good = (await analyze(PY('    layers.Conv2D(64, 3),'))).analysis;
  // 3·3·32·64 + 64 = 18,496; 13 − 3 + 1 = 11.
  assert.deepEqual(rowsOf(good, 'convnet')[2], ['conv2d_1', '(None, 11, 11, 64)', 18496, false]);
  let previous = good;
  // Type the line again character by character, from `    layers.Conv2D(64, ` on.
  const target = '    layers.Conv2D(64, kernel_size=(3, 3)),';
  let sawStale = 0;
  for (let n = '    layers.Conv2D(64, '.length; n <= target.length; n++) {
    const line = target.slice(0, n);
    const next = keepLastGood(previous, (await analyze(PY(line))).analysis);
    const rows = rowsOf(next, 'convnet');
    if (next.typing) {
      sawStale++;
      assert.equal(lineOfOffset(next.text, next.typing.start), 8, line);
      // Every other row is as it was; the typed line shows the last value it had, stale.
      assert.deepEqual(rows.map((r) => [r[0], r[1], r[2]]), rowsOf(good, 'convnet').map((r) => [r[0], r[1], r[2]]), line);
      const stale = rows.filter((r) => r[3]);
      assert.deepEqual(stale, [['conv2d_1', '(None, 11, 11, 64)', 18496, true]], line);
      assert.equal(rows.indexOf(stale[0]), 2, line);
      const staleRow = next.models.find((m) => m.model.name === 'convnet')!.rows[2];
      assert.ok(staleRow.layer.range!.start >= next.typing.start && staleRow.layer.range!.end <= next.typing.end, line);
      assert.equal(next.models.find((m) => m.model.name === 'convnet')!.totalParams, null, line);
      // 4·2 + 2: the model that does not contain the line is exact throughout.
      assert.equal(next.models.find((m) => m.model.name === 'other')!.totalParams, 10, line);
    } else {
      assert.ok(rows.every((r) => !r[3]), line);
    }
    previous = next;
  }
  assert.ok(sawStale >= 10, `stale for ${sawStale} keystrokes`);
  // The analyses carried from are not changed (an incremental analyser may still hold them).
  const goodModel = good.models.find((m) => m.model.name === 'convnet')!;
  assert.equal(goodModel.totalParams, 320 + 18496 + 77450);
  assert.ok(goodModel.rows.every((r) => !r.stale));
  assert.equal(good.text.slice(goodModel.rows[2].layer.range!.start, goodModel.rows[2].layer.range!.end), 'layers.Conv2D(64, 3)');
  assert.equal(goodModel.model.incomplete, undefined);
  // The finished line parses: its own row again, exact: 11·11·64 = 7,744 → 7,744·10 + 10.
  const done = rowsOf(previous, 'convnet');
  assert.equal(previous.typing, undefined);
  assert.deepEqual(done[2], ['conv2d_1', '(None, 11, 11, 64)', 18496, false]);
  assert.deepEqual(done[4], ['dense', '(None, 10)', 77450, false]);
  assert.equal(previous.models.find((m) => m.model.name === 'convnet')!.totalParams, 320 + 18496 + 77450);
});

test('a brand-new line being typed had no value: nothing stale, the other rows stay', async () => {
  const before = (await analyze(PY(''))).analysis;
  const next = keepLastGood(before, (await analyze(PY('    layers.Conv2D(64, kernel_size=('))).analysis);
  assert.ok(next.typing);
  assert.deepEqual(rowsOf(next, 'convnet').map((r) => r[3]), [false, false, false, false]);
});

test('nothing is carried when the texts differ elsewhere than the typed line', async () => {
  const good = (await analyze(PY('    layers.Conv2D(64, 3),'))).analysis;
  const elsewhere = (await analyze(PY('    layers.Conv2D(64, kernel_size=(').replace('Dense(2)', 'Dense(3)'))).analysis;
  assert.ok(elsewhere.typing);
  assert.ok(rowsOf(keepLastGood(good, elsewhere), 'convnet').every((r) => !r[3]));
  // Another file's analysis is never a previous one.
  const other = (await analyze(PY('    layers.Conv2D(64, kernel_size=('), {}, 'other.py')).analysis;
  assert.ok(rowsOf(keepLastGood(good, other), 'convnet').every((r) => !r[3]));
});

test('tfjs: the typed line keeps its stale row, the model its other rows, totals ?', () => {
  const js = (line: string) => `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({units: 16, inputShape: [8]}));
${line}
model.add(tf.layers.dense({units: 1}));
`;
  const good = analyzeTfjs(js('model.add(tf.layers.dense({units: 4}));'), 'm.ts');
  // 8·16 + 16 = 144; 16·4 + 4 = 68; 4·1 + 1 = 5.
  assert.deepEqual(good.models[0].rows.map((r) => r.params), [144, 68, 5]);
  const typed = keepLastGood(good, analyzeTfjs(js('model.add(tf.layers.dense({units: 4'), 'm.ts'));
  assert.ok(typed.typing);
  assert.equal(lineOfOffset(typed.text, typed.typing.start), 4);
  assert.deepEqual(typed.models[0].rows.map((r) => [r.params, r.stale === true]), [[144, false], [68, true], [5, false]]);
  assert.equal(typed.models[0].totalParams, null);
});

test('a brand-new `model.add(` line being typed: the model it adds to (the last bound to that name) has totals ?, the others keep theirs', async () => {
  const py = (line: string) => `import keras
from keras import layers
model = keras.Sequential([keras.Input((8,)), layers.Dense(4)], name="first")
model = keras.Sequential(name="second")
model.add(keras.Input((8,)))
model.add(layers.Dense(16))
${line}
other = keras.Sequential([keras.Input((4,)), layers.Dense(2)], name="other")
`;
  const typed = (await analyze(py('model.add(layers.Dense(3, '))).analysis;
  assert.ok(typed.typing);
  // 8·4 + 4 = 36; 8·16 + 16 = 144 is "second" without the line being typed: unknown, not 144; 4·2 + 2 = 10.
  assert.deepEqual(typed.models.map((m) => [m.model.name, m.totalParams]), [['first', 36], ['second', null], ['other', 10]]);
  const js = analyzeTfjs(`import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({units: 16, inputShape: [8]}));
model.add(tf.layers.dense({units: 
`, 'm.ts');
  assert.ok(js.typing);
  assert.equal(js.models[0].totalParams, null);
});

test('a call half-typed up to a comma or `=` inside a list is left out, not read as taking the next lines as arguments', async () => {
  for (const line of ['    layers.Conv2D(64,', '    layers.Conv2D(64, kernel_size=']) {
    const { analysis } = await analyze(PY(line));
    // Before: the lines after it were read as its arguments (Conv2D(64, Flatten(), Dense(10))): two
    // false invalid-config errors, and Flatten and Dense gone.
    assert.deepEqual(analysis.diagnostics.map((d) => d.code), ['syntax'], line);
    assert.ok(analysis.typing, line);
    assert.equal(lineOfOffset(analysis.text, analysis.typing.start), 8, line);
    // 13·13·32 = 5,408 (the typed line left out): the rows around it are all there.
    assert.deepEqual(rowsOf(analysis, 'convnet').map((r) => r[0]), ['conv2d', 'max_pooling2d', 'flatten', 'dense'], line);
  }
});

test('a line being edited that reads a name nothing defines (a name half-typed) keeps its last good value too', async () => {
  const good = (await analyze(FN('x = layers.Conv2D(4, 3)(x)'))).analysis;
  // 3·3·8·4 + 4 = 292; 24·24·4 = 2,304 → 2,304·10 + 10 = 23,050.
  const want = [['input_layer', '(None, 28, 28, 1)', 0], ['conv2d', '(None, 26, 26, 8)', 80], ['conv2d_1', '(None, 24, 24, 4)', 292], ['flatten', '(None, 2304)', 0], ['dense', '(None, 10)', 23050]];
  assert.deepEqual(rowsOf(good, 'm').map((r) => r.slice(0, 3)), want);
  // `x` retyped as `xy` (then `xyz`): Python would raise NameError; the picture stays, the line is stale.
  let previous = good;
  for (const edit of ['x = layers.Conv2D(4, 3)(xy)', 'x = layers.Conv2D(4, 3)(xyz)']) {
    const next = keepLastGood(previous, (await analyze(FN(edit))).analysis);
    assert.ok(next.typing, edit);
    assert.deepEqual(rowsOf(next, 'm').map((r) => r.slice(0, 3)), want, edit);
    assert.deepEqual(rowsOf(next, 'm').map((r) => r[3]), [false, false, true, false, false], edit);
    assert.equal(next.models[0].totalParams, null, edit);
    previous = next;
  }
  // Back to a name that exists: the fresh analysis again.
  const back = keepLastGood(previous, (await analyze(FN('x = layers.Conv2D(4, 3)(x)'))).analysis);
  assert.equal(back.typing, undefined);
  assert.equal(back.models[0].totalParams, 80 + 292 + 23050);
  // An undefined name on a line that is not the one edited: the fresh analysis (its `?` are honest).
  const broken = (await analyze(FN('x = layers.Conv2D(4, 3)(xyz)'))).analysis;
  const elsewhere = keepLastGood(broken, (await analyze(FN('x = layers.Conv2D(4, 3)(xyz)').replace('Dense(10)', 'Dense(12)'))).analysis);
  assert.equal(elsewhere.typing, undefined);
  assert.equal(elsewhere.models[0].totalParams, null);
  assert.ok(rowsOf(elsewhere, 'm').every((r) => !r[3]));
});

test('a functional line typed character by character: every other row keeps its value at every step', async () => {
  const before = (await analyze(FN(''))).analysis;
  // 26·26·8 = 5,408 → 5,408·10 + 10 = 54,090.
  const want = [['input_layer', '(None, 28, 28, 1)', 0], ['conv2d', '(None, 26, 26, 8)', 80], ['flatten', '(None, 5408)', 0], ['dense', '(None, 10)', 54090]];
  assert.deepEqual(rowsOf(before, 'm').map((r) => r.slice(0, 3)), want);
  const line = 'x = layers.MaxPooling2D(2)(x)';
  let previous = before;
  for (let n = 1; n < line.length; n++) {
    const next = keepLastGood(previous, (await analyze(FN(line.slice(0, n)))).analysis);
    assert.deepEqual(rowsOf(next, 'm').map((r) => r.slice(0, 3)), want, line.slice(0, n));
    previous = next;
  }
  const done = keepLastGood(previous, (await analyze(FN(line))).analysis);
  // 13·13·8 = 1,352 → 13,530.
  assert.deepEqual(rowsOf(done, 'm').map((r) => r.slice(0, 3)), [...want.slice(0, 2), ['max_pooling2d', '(None, 13, 13, 8)', 0], ['flatten', '(None, 1352)', 0], ['dense', '(None, 10)', 13530]]);
  assert.equal(done.models[0].totalParams, 80 + 13530);
});

test('every fixture: a layer line erased and typed again character by character; the picture never loses a row, and ends as a fresh analysis', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const dir = fixturesDir('python');
  const files = ['mnist_convnet.py', 'resnet_functional.py', 'seed_002_max_pooling.py', 'text_rnn.py', 'unet.py', 'nested_model.py'];
  for (const name of files) {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    const fresh = (await analyze(text, {}, name)).analysis;
    // The last line that creates a layer of a model (the one a user most often edits).
    const rows = fresh.models.flatMap((m) => m.rows).filter((r) => r.layer.range && !r.layer.range.file && !r.layer.isInput);
    assert.ok(rows.length > 0, name);
    const at = rows[rows.length - 1].layer.range!.start;
    const start = text.lastIndexOf('\n', at - 1) + 1;
    const end = text.indexOf('\n', at);
    const line = text.slice(start, end);
    const picture = (a: FileAnalysis) => a.models.map((m) => m.rows.map((r) => `${r.name} ${formatOutputShape(r.outputShape)} ${r.params}`));
    let erasing = true;
    let erasedWhileTyping = 0;
    let previous = fresh;
    const steps = [...Array(line.length + 1).keys()].reverse().concat([...Array(line.length + 1).keys()]);
    for (const n of steps) {
      const edited = text.slice(0, start) + line.slice(0, n) + text.slice(end);
      const next = keepLastGood(previous, (await analyze(edited, {}, name)).analysis);
      for (const m of next.models) {
        for (const r of m.rows) {
          const range = r.layer.range;
          if (range && !range.file) assert.ok(range.start >= 0 && range.end <= edited.length && range.start <= range.end, `${name} ${n}: ${JSON.stringify(range)}`);
        }
      }
      // Erasing: while every state so far was a line being typed, the picture is the fresh one (totals aside).
      if (erasing && n < line.length) {
        // A state that parses and runs is a program of its own (`Dense(6)` after `Dense(64)`): from the first that differs on, anything goes.
        if (!next.typing) erasing = JSON.stringify(picture(next)) === JSON.stringify(picture(fresh));
        else {
          assert.deepEqual(picture(next), picture(fresh), `${name}: ${JSON.stringify(line.slice(0, n))}`);
          erasedWhileTyping++;
        }
      }
      previous = next;
    }
    assert.ok(erasedWhileTyping >= 3, `${name}: ${erasedWhileTyping}`);
    // Typed back to the original: exactly the fresh analysis.
    const rowsText = (a: FileAnalysis) => a.models.map((m) => [m.model.name, m.totalParams, m.rows.map((r) => `${r.name} ${formatOutputShape(r.outputShape)} ${r.params}${r.stale ? ' stale' : ''}`)]);
    assert.deepEqual(rowsText(previous), rowsText(fresh), name);
  }
});

test('`layers.` typed inside a list is a line being typed, not `layers.layers.Flatten()` with the next line', async () => {
  const { analysis } = await analyze(PY('    layers.'));
  assert.ok(analysis.typing);
  assert.equal(lineOfOffset(analysis.text, analysis.typing.start), 8);
  // 13·13·32 = 5,408 → 54,090: Flatten and Dense are their own rows again.
  assert.deepEqual(rowsOf(analysis, 'convnet').map((r) => r.slice(0, 3)), [['conv2d', '(None, 26, 26, 32)', 320], ['max_pooling2d', '(None, 13, 13, 32)', 0], ['flatten', '(None, 5408)', 0], ['dense', '(None, 10)', 54090]]);
  // A sentence ending with a dot in a docstring or a comment, and a float `3.`, are not that.
  const prose = (await analyze(`"""Builds a model.
Two lines."""
import keras
# see keras.
x = [3.
     , 4]
m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
`)).analysis;
  assert.equal(prose.typing, undefined);
  assert.equal(prose.models[0].totalParams, 10);
});

test('`x = ` followed by another assignment, and a bare `model.add`, are lines being typed', async () => {
  // tree-sitter reads `x = ` and the next line as `x = x = layers.Flatten()(x)`; Python raises.
  const eq = (await analyze(FN('x = '))).analysis;
  assert.ok(eq.typing);
  assert.equal(lineOfOffset(eq.text, eq.typing.start), 5);
  const seq = (line: string) => `import keras
from keras import layers
model = keras.Sequential(name="s")
model.add(keras.Input((8,)))
model.add(layers.Dense(4))
${line}
model.add(layers.Dense(1))
`;
  // 8·4 + 4 = 36; 4·2 + 2 = 10; 2·1 + 1 = 3.
  const good = (await analyze(seq('model.add(layers.Dense(2))'))).analysis;
  assert.deepEqual(rowsOf(good, 's').map((r) => r[2]), [36, 10, 3]);
  let previous = good;
  for (const state of ['model.add(layers.Dense(2)', 'model.add(', 'model.add', 'model.ad', 'model.', 'model']) {
    previous = keepLastGood(previous, (await analyze(seq(state))).analysis);
    assert.ok(previous.typing, state);
    assert.deepEqual(rowsOf(previous, 's').map((r) => [r[2], r[3]]), [[36, false], [10, true], [3, false]], state);
  }
});

test('tfjs: `model.` above another line, a bare `model.add` and a half-typed name are lines being typed; the row keeps its last value', () => {
  const seq = (line: string) => `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({units: 4, inputShape: [8]}));
${line}
model.add(tf.layers.dense({units: 1}));
`;
  // 8·4 + 4 = 36; 4·2 + 2 = 10; 2·1 + 1 = 3.
  const good = analyzeTfjs(seq('model.add(tf.layers.dense({units: 2}));'), 'm.ts');
  assert.deepEqual(good.models[0].rows.map((r) => r.params), [36, 10, 3]);
  let previous = good;
  for (const state of ['model.add(tf.layers.dense({units: 2', 'model.add(', 'model.add', 'model.ad', 'model.', 'model', 'mod']) {
    // As the editor's analysis does: told which line is being typed.
    const text = seq(state);
    const next = analyzeTfjs(text, 'm.ts', { edited: text.split('\n').slice(0, 3).join('\n').length + 1 });
    previous = keepLastGood(previous, next);
    assert.ok(previous.typing, state);
    assert.deepEqual(previous.models[0].rows.map((r) => [r.params, r.stale === true]), [[36, false], [10, true], [3, false]], state);
    assert.equal(previous.models[0].totalParams, null, state);
  }
  // Alone (no previous picture), `model.` is left out: the next line's Dense is its own row (4·1 + 1 = 5), not `model.model.add`.
  const alone = analyzeTfjs(seq('model.'), 'm.ts');
  assert.equal(lineOfOffset(alone.text, alone.typing!.start), 4);
  assert.deepEqual(alone.models[0].rows.map((r) => r.params), [36, 5]);
  // A chain with its dots at line starts, a comment ending with a dot, \`typeof\` of an unknown global and known globals are no typing.
  const plain = analyzeTfjs(`import * as tf from '@tensorflow/tfjs';
// Builds the model.
const model = tf
  .sequential();
if (typeof window !== 'undefined') console.log(document.title);
model.add(tf.layers.dense({units: 4, inputShape: [8]}));
`, 'm.ts');
  assert.equal(plain.typing, undefined);
  assert.equal(plain.failures, undefined);
  assert.equal(plain.models[0].totalParams, 36);
});

test('the carried picture is the same whether the analyses come from the incremental analyser or whole', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { IncrementalPython } = await import('../../src/frontends/python/incremental');
  const { analyzePython } = await import('../../src/frontends/python/analyze');
  const dump = (a: FileAnalysis) =>
    JSON.stringify({
      typing: a.typing,
      models: a.models.map((m) => [m.model.name, m.model.range, m.totalParams, m.model.incomplete ?? null, m.rows.map((r) => [r.name, formatOutputShape(r.outputShape), r.params, r.stale === true, r.layer.range, r.layer.calls.map((c) => c.range)])]),
      snapshots: a.builder.snapshots.map((s) => [s.range, s.summary.rows.map((r) => [r.name, r.layer.range, r.stale === true])]),
      diagnostics: a.diagnostics.map((d) => [d.code, d.range]),
    });
  const cases: { file: string; text: string; line: number }[] = [];
  for (const name of ['mnist_convnet.py', 'resnet_functional.py', 'unet.py']) {
    const text = fs.readFileSync(path.join(fixturesDir('python'), name), 'utf8');
    const lines = text.split('\n');
    cases.push({ file: name, text, line: lines.findIndex((l) => /^\s*(x|outputs|[a-z_]+) = layers\./.test(l) || /^\s+layers\.\w+\(/.test(l)) });
  }
  // A line whose layer, left out while typed, renames the layers of a later model (Keras counts across
  // the file): that model's group runs again, and its warning's range must move once, not twice.
  const renames = `import keras
from keras import layers
inp = keras.Input((8,))
x = layers.Dense(4)(inp)
out = layers.Dense(10)(x)
m = keras.Model(inp, out)

other = keras.Sequential([keras.Input((4,)), layers.Dense(2), layers.Mystery()])
`;
  cases.push({ file: 'renames.py', text: renames, line: 4 });
  for (const { file, text, line } of cases) {
    assert.ok(line >= 0, file);
    const lines = text.split('\n');
    const target = lines[line];
    const inc = new IncrementalPython(file);
    let prevInc = inc.update(text);
    let prevFull = analyzePython(text, file);
    assert.equal(dump(prevInc), dump(prevFull), file);
    const states = [...Array(target.length).keys()].reverse().concat([...Array(target.length + 1).keys()]);
    for (const n of states) {
      const edited = [...lines.slice(0, line), target.slice(0, n), ...lines.slice(line + 1)].join('\n');
      prevInc = keepLastGood(prevInc, inc.update(edited));
      // As the editor's analysis is told: the line being typed.
      const at = lines.slice(0, line).join('\n').length + (line > 0 ? 1 : 0);
      assert.equal(inc.editedHint?.start, at);
      prevFull = keepLastGood(prevFull, analyzePython(edited, file, { edited: inc.editedHint }));
      assert.equal(dump(prevInc), dump(prevFull), `${file}: ${JSON.stringify(target.slice(0, n))}`);
    }
    inc.dispose();
  }
});
