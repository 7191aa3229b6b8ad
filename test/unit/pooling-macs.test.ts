// The MACs each pooling layer saves (issue 13): a model's MACs and FLOPs with and without its
// MaxPooling/AveragePooling layers, and per pooling layer the model's MACs with that layer alone
// taken out minus its MACs. Expected figures are worked by hand below (conv MACs = out_h·out_w·
// k_h·k_w·c_in·filters, Dense = in·units; FLOPs as tf.profiler counts: 2 per MAC, + 1 per conv or
// Dense output element for the bias, + pool_h·pool_w per pooling output element).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelsOf as models, pythonFixture as fixture } from './helpers/python';
import { buildTfjs, caseSeed, emitPython, mulberry32, randomValidSpec, withoutPoolingSpec } from './helpers/cnn-gen';
import { modelCost } from '../../src/core/cost';
import { poolingCost, type PoolingCost } from '../../src/core/pooling';
import { labTarget } from '../../src/panels/labTarget';
import { previewTarget } from '../../src/panels/poolingTarget';
import { isLabTarget, isPreviewTarget } from '../../src/protocol';


/** What each pooling layer saves, by layer name. */
const savesByName = (c: PoolingCost) => Object.fromEntries([...c.saves].map(([l, m]) => [l.name, m.value]));

test("seed 002: MACs and FLOPs with its 3 pooling layers and without them, worked by hand", async () => {
  const [plain, pooled] = await models(fixture('seed_002_max_pooling.py'));
  // With pooling, 224×224×3 input:
  //   conv2d_3 3×3, 3 → 10, out 222×222: 222·222·3·3·3·10 = 13,306,680 MACs; FLOPs 2·MACs + 222·222·10 = 27,106,200
  //   max_pooling2d → 111×111×10: FLOPs 111·111·10·4 = 492,840
  //   conv2d_4 3×3, 10 → 10, out 109×109: 109·109·9·10·10 = 10,692,900; FLOPs 21,385,800 + 118,810 = 21,504,610
  //   max_pooling2d_1 → 54×54×10: FLOPs 29,160·4 = 116,640
  //   conv2d_5 out 52×52: 52·52·900 = 2,433,600; FLOPs 4,867,200 + 27,040 = 4,894,240
  //   max_pooling2d_2 → 26×26×10: FLOPs 6,760·4 = 27,040
  //   flatten 6,760 → dense 1: 6,760 MACs; FLOPs 13,520 + 1 = 13,521
  // MACs 13,306,680 + 10,692,900 + 2,433,600 + 6,760 = 26,439,940; FLOPs 54,155,091.
  const withMacs = 13_306_680 + 10_692_900 + 2_433_600 + 6_760;
  const withFlops = 27_106_200 + 492_840 + 21_504_610 + 116_640 + 4_894_240 + 27_040 + 13_521;
  assert.deepEqual([withMacs, withFlops], [26_439_940, 54_155_091]);
  // Without them: conv 222×222 (13,306,680), 220×220 (48,400·900 = 43,560,000), 218×218
  // (47,524·900 = 42,771,600), flatten 475,240 → dense 475,240 MACs: 100,113,520.
  // FLOPs 27,106,200 + (87,120,000 + 484,000) + (85,543,200 + 475,240) + (950,480 + 1) = 201,679,121.
  const withoutMacs = 13_306_680 + 43_560_000 + 42_771_600 + 475_240;
  const withoutFlops = 27_106_200 + 87_604_000 + 86_018_440 + 950_481;
  assert.deepEqual([withoutMacs, withoutFlops], [100_113_520, 201_679_121]);
  const c = poolingCost(pooled);
  assert.deepEqual(c.with, { macs: withMacs, flops: withFlops });
  assert.deepEqual(c.without, { macs: withoutMacs, flops: withoutFlops });
  // The article's first model is the same CNN without pooling (its ReLUs cost no FLOPs): the same counts.
  assert.deepEqual([modelCost(plain).totalMacs, modelCost(plain).totalFlops], [withoutMacs, withoutFlops]);
  // A model without pooling layers: without = with, nothing saved.
  const none = poolingCost(plain);
  assert.deepEqual([none.without.macs, none.saves.size], [withoutMacs, 0]);
});

test('seed 002: what each pooling layer saves (that layer alone taken out, minus the model’s 26,439,940 MACs)', async () => {
  const [, pooled] = await models(fixture('seed_002_max_pooling.py'));
  // max_pooling2d out: conv 222 (13,306,680) → conv 220 (43,560,000) → pool 110 → conv 108 (11,664·900
  //   = 10,497,600) → pool 54 → dense 29,160: 67,393,440, saves 40,953,500.
  // max_pooling2d_1 out: 13,306,680 + 10,692,900 + conv 107 (11,449·900 = 10,304,100) → pool 53 →
  //   dense 28,090: 34,331,770, saves 7,891,830.
  // max_pooling2d_2 out: the same convs, dense on 52·52·10 = 27,040: 26,460,220, saves 20,280.
  const model = 26_439_940;
  assert.deepEqual(savesByName(poolingCost(pooled)), {
    max_pooling2d: 13_306_680 + 43_560_000 + 10_497_600 + 29_160 - model,
    max_pooling2d_1: 13_306_680 + 10_692_900 + 10_304_100 + 28_090 - model,
    max_pooling2d_2: 13_306_680 + 10_692_900 + 2_433_600 + 27_040 - model,
  });
  assert.deepEqual(Object.values(savesByName(poolingCost(pooled))), [40_953_500, 7_891_830, 20_280]);
});

test('Keras MNIST convnet: 2,440,960 MACs, 11,180,160 without pooling; each pooling layer’s saving', async () => {
  const [m] = await models(fixture('mnist_convnet.py'));
  // conv2d 26×26×32 from 28×28×1: 676·9·1·32 = 194,688; pool → 13; conv2d_1 11×11×64: 121·9·32·64 =
  // 2,230,272; pool → 5; flatten 1,600 → dense 10: 16,000. Total 2,440,960.
  // Without both: conv2d_1 24×24×64: 576·18,432 = 10,616,832; dense 36,864·10 = 368,640: 11,180,160.
  // max_pooling2d alone out: conv2d_1 24×24 (10,616,832) → pool 12 → dense 9,216·10 = 92,160:
  //   10,903,680, saves 8,462,720.
  // max_pooling2d_1 alone out: dense 11·11·64·10 = 77,440: 2,502,400, saves 61,440.
  const c = poolingCost(m);
  assert.equal(c.with.macs, 194_688 + 2_230_272 + 16_000);
  assert.equal(c.without.macs, 194_688 + 10_616_832 + 368_640);
  // FLOPs without: conv2d 411,008 (2·194,688 + 21,632); conv2d_1 2·10,616,832 + 36,864 = 21,270,528;
  // dense 2·368,640 + 10 = 737,290, its softmax 5·10 = 50: 22,418,876.
  assert.equal(c.without.flops, 411_008 + 21_270_528 + 737_290 + 50);
  assert.deepEqual(savesByName(c), { max_pooling2d: 194_688 + 10_616_832 + 92_160 - 2_440_960, max_pooling2d_1: 194_688 + 2_230_272 + 77_440 - 2_440_960 });
  assert.deepEqual(Object.values(savesByName(c)), [8_462_720, 61_440]);
});

test('functional graphs, shared and nested layers: every call costs, as the hover counts', async () => {
  const [, model] = await models(`
import keras
from keras import layers
inner = keras.Sequential([layers.Conv2D(4, 3), layers.MaxPooling2D(), layers.Flatten()], name="inner")
inp = keras.Input((16, 16, 3))
shared = layers.Dense(5)
x = layers.AveragePooling2D(4)(inp)
x = inner(x)
a = shared(x)
b = shared(x)
out = layers.Add()([a, b])
model = keras.Model(inp, out)
`);
  // As written: 16/4 = 4 → conv 2×2×4 (4·27·4 = 432 MACs) → pool 1×1 → Dense 4·5 = 20, called twice: 472.
  // Without both pooling layers: conv 14×14×4 (196·108 = 21,168) → Dense 784·5 = 3,920 twice: 29,008.
  // average_pooling2d alone out: conv 14×14 (21,168) → pool 7×7×4 → Dense 196·5 = 980 twice: 23,128.
  // The nested max_pooling2d alone out: 4 → conv 2×2 (432) → Dense 16·5 = 80 twice: 592.
  const c = poolingCost(model);
  assert.equal(c.with.macs, 432 + 2 * 20);
  assert.equal(c.without.macs, 21_168 + 2 * 3_920);
  const saves = [...c.saves].map(([l, m]) => [l.className, m.value]).sort();
  assert.deepEqual(saves, [['AveragePooling2D', 21_168 + 2 * 980 - 472], ['MaxPooling2D', 432 + 2 * 80 - 472]]);
});

test('unknown sizes give ? with a reason, never 0', async () => {
  // An input of unknown height and width: no count is known.
  const [u] = await models('import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((None, None, 3)), layers.Conv2D(8, 3), layers.MaxPooling2D(), layers.Conv2D(8, 3)])\n');
  const cu = poolingCost(u);
  assert.equal(cu.with.macs, null);
  assert.equal(cu.without.macs, null);
  const [saved] = [...cu.saves.values()];
  assert.equal(saved.value, null);
  assert.match(saved.why ?? '', /^conv2d: .*(does not know|not known)/);
  // Keras could not build the model without its pooling layer (a nested model fixed at 14×14×4 would get 28×28×4).
  const [, outer] = await models(`
import keras
from keras import layers
head = keras.Sequential([keras.Input((14, 14, 4)), layers.Flatten(), layers.Dense(10)])
model = keras.Sequential([keras.Input((28, 28, 4)), layers.MaxPooling2D(), head])
`);
  const co = poolingCost(outer);
  assert.equal(co.with.macs, 14 * 14 * 4 * 10);
  assert.equal(co.without.macs, null);
  assert.match(co.without.why ?? '', /another input shape/);
  assert.equal([...co.saves.values()][0].value, null);
  // A Reshape to a fixed size fails once the map is not pooled.
  const [r] = await models('import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((8, 8, 2)), layers.MaxPooling2D(), layers.Reshape((32,)), layers.Dense(4)])\n');
  const cr = poolingCost(r);
  assert.equal(cr.with.macs, 32 * 4);
  assert.equal(cr.without.macs, null);
  assert.match(cr.without.why ?? '', /Keras would raise an error/);
  // A layer of unknown cost (a custom one): the model's MACs are unknown, and so is what the pooling saves.
  const [q] = await models(`
import keras
from keras import layers
class Mine(layers.Layer):
    def call(self, x):
        return x
m = keras.Sequential([keras.Input((8, 8, 2)), layers.MaxPooling2D(), Mine(), layers.Flatten(), layers.Dense(3)])
`);
  const cq = poolingCost(q);
  assert.equal(cq.with.macs, null);
  assert.ok(cq.with.why);
  assert.equal([...cq.saves.values()][0].value, null);
  assert.ok([...cq.saves.values()][0].why);
});

test('pooling with stride 1 and same padding saves 0 MACs (known, not unknown)', async () => {
  const [m] = await models('import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((6, 6, 1)), layers.MaxPooling2D(3, strides=1, padding="same"), layers.Conv2D(2, 3), layers.MaxPooling2D(), layers.Flatten(), layers.Dense(1)])\n');
  // As written: conv 4×4×2 from 6×6×1: 16·9·2 = 288; pool → 2×2×2; Dense 8. 296.
  // Without the second pool: Dense 32 → 320, saves 24; the first pool keeps 6×6: saves 0.
  const c = poolingCost(m);
  assert.equal(c.with.macs, 296);
  assert.deepEqual(Object.values(savesByName(c)), [0, 24]);
});

test('the preview and lab targets carry the counts as the hover prints them, and the guards accept them', async () => {
  const [, pooled] = await models(fixture('seed_002_max_pooling.py'));
  const t = previewTarget('k', pooled.rows.find((r) => r.name === 'max_pooling2d')!.layer, pooled, () => 1);
  assert.ok(isPreviewTarget(t));
  assert.deepEqual(t.model?.costWith, { macs: { value: 26_439_940, text: '26.4 M' }, flops: { value: 54_155_091, text: '54.2 M' } });
  assert.deepEqual(t.model?.costWithout, { macs: { value: 100_113_520, text: '100 M' }, flops: { value: 201_679_121, text: '202 M' } });
  assert.deepEqual(t.model?.pooling.map((l) => l.saves), [{ value: 40_953_500, text: '41.0 M' }, { value: 7_891_830, text: '7.89 M' }, { value: 20_280, text: '20.3 k' }]);
  const lab = labTarget('k', pooled, () => 1, 'keras');
  assert.ok(isLabTarget(lab));
  assert.deepEqual(lab.layers.filter((l) => l.pooling).map((l) => l.pooling?.saves?.text), ['41.0 M', '7.89 M', '20.3 k']);
  // Unknown: `?` with the reason, never 0.
  const [u] = await models('import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((None, None, 3)), layers.Conv2D(8, 3), layers.MaxPooling2D(), layers.Conv2D(8, 3)])\n');
  const tu = previewTarget('k', undefined, u, () => 1);
  assert.ok(isPreviewTarget(tu));
  assert.deepEqual([tu.model?.costWith?.macs.value, tu.model?.costWith?.macs.text, tu.model?.pooling[0].saves?.text], [null, '?', '?']);
  assert.match(tu.model?.pooling[0].saves?.why ?? '', /conv2d/);
  // The guard refuses a figure that is not one.
  const bad = structuredClone(t);
  (bad.model!.pooling[0].saves as unknown as { value: unknown }).value = 1.5;
  assert.equal(isPreviewTarget(bad), false);
  const bad2 = structuredClone(t);
  (bad2.model!.costWith as unknown as { macs: unknown }).macs = { value: 3 };
  assert.equal(isPreviewTarget(bad2), false);
});

test('every fixture model with pooling: the replay of the model as written gives the hover’s counts (no "could not replay")', async () => {
  let checked = 0;
  for (const name of ['seed_001_pooling.py', 'seed_002_max_pooling.py', 'conv1d_3d.py', 'resnet_functional.py', 'unet.py', 'mnist_convnet.py', 'nested_model.py', 'transfer_learning.py', 'text_rnn.py']) {
    for (const m of await models(fixture(name))) {
      const c = poolingCost(m);
      if (c.saves.size === 0) continue;
      assert.doesNotMatch(c.without.why ?? '', /could not replay/, `${name}: ${m.model.name}`);
      for (const [l, s] of c.saves) {
        assert.doesNotMatch(s.why ?? '', /could not replay/, `${name}: ${l.name}`);
        if (c.with.macs !== null && c.without.macs !== null) assert.ok(s.value !== null && s.value >= 0, `${name}: ${l.name} saves ${s.value}`);
      }
      checked++;
    }
  }
  assert.ok(checked >= 6, `only ${checked} models with pooling layers`);
});

test('random CNNs: the MACs and FLOPs without pooling equal those of the same CNN written without its pooling layers', async () => {
  // A cross-check of the replay: the stripped spec is emitted as its own program and analysed (its
  // hover counts, tested against hand formulas in cost.test.ts); tfjs says whether it can be built.
  let compared = 0;
  let known = 0;
  for (let i = 0; i < 40; i++) {
    const rng = mulberry32(caseSeed(0x13ac, i));
    const { spec } = randomValidSpec(rng, `cnn_${i}`);
    const stripped = withoutPoolingSpec(spec);
    let buildable: boolean;
    try {
      buildable = buildTfjs(stripped).layers.every((l) => l.outputShape.every((d) => d === null || d >= 1));
    } catch {
      buildable = false;
    }
    const program = emitPython(spec, rng);
    const ms = await models(program.main, program.files);
    if (ms.length !== 1) continue;
    const c = poolingCost(ms[0]);
    if (c.saves.size === 0) continue;
    compared++;
    if (!buildable) {
      assert.equal(c.without.macs, null, `case ${i}: tfjs cannot build it without pooling, its MACs are unknown`);
      continue;
    }
    const plain = emitPython(stripped, mulberry32(caseSeed(0x13ad, i)));
    const [m] = await models(plain.main, plain.files);
    const expected = modelCost(m);
    assert.deepEqual([c.without.macs, c.without.flops], [expected.totalMacs, expected.totalFlops], `case ${i} (${program.style} / ${plain.style})`);
    if (expected.totalMacs !== null) known++;
  }
  assert.ok(compared >= 15, `only ${compared} cases had pooling layers`);
  assert.ok(known >= 10, `only ${known} cases with known MACs`);
});
