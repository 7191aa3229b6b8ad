// keras.applications rules: published parameter counts (source cited per figure), output shapes at
// unusual input sizes cross-checked against ResNet50 / MobileNetV2 rebuilt layer by layer in
// tfjs-layers from the Keras source, model names, and the ValueErrors Keras raises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { run } from './helpers/layer';
import { UNKNOWN, Cfg, type LayerConfig } from '../../src/core/config';
import type { RuleShape } from '../../src/core/shape';
import { getRule } from '../../src/core/layers/registry';

// Sources (public):
//  [IO]  keras-team/keras-io templates/api/applications/index.md @01b6d6c4 — the keras.io
//        applications table with exact include_top=True totals (Xception … EfficientNetB7).
//  [KR]  summaries printed by tf.keras / Keras 3 in public GitHub notebooks and READMEs, found with
//        the exact figure (find_string) — e.g. "Total params: 25,636,712 / Trainable params:
//        25,583,592 / Non-trainable params: 53,120"; "efficientnetv2-s (Functional) (None, 7, 7, 1280)
//        20331360"; "MobileNetV3Small (Functional) (None, 7, 7, 576) 939,120".
//  [MB]  a public MobileNet weights catalogue listing include_top=False counts for every Keras
//        MobileNet / MobileNetV2 / MobileNetV3Small alpha with imagenet weights.
//  [TV]  torchvision / timm ConvNeXt totals, identical by construction to Keras' port (Keras'
//        Tiny/Small/Base no-top figures in [KR] equal them minus the 768/1024-wide head).
//  [SRC] derived from keras/src/applications/*.py: the top adds Dense(C → classes), i.e.
//        C·1000 + 1000 trainable, so no-top = top − that (checked where [KR] has the no-top figure).

interface Row {
  cls: string;
  size: number;
  /** include_top=True, 1000 classes: total and non-trainable. */
  top: [number, number];
  /** include_top=False: total (non-trainable is the same: the top adds only trainable weights). */
  noTop: number;
  /** Output of include_top=False at `size` (channels_last). */
  out: RuleShape;
}

const ROWS: Row[] = [
  // VGG16 138,357,544 [IO]; no top 14,714,688 [KR]; no BatchNormalization → 0 non-trainable.
  { cls: 'VGG16', size: 224, top: [138_357_544, 0], noTop: 14_714_688, out: [null, 7, 7, 512] },
  // VGG19 143,667,240 [IO]; no top 20,024,384 [SRC]: 143,667,240 − (25088·4096+4096 + 4096·4096+4096 + 4096·1000+1000).
  { cls: 'VGG19', size: 224, top: [143_667_240, 0], noTop: 20_024_384, out: [null, 7, 7, 512] },
  // ResNet50 25,636,712 [IO]; 53,120 non-trainable and no top 23,587,712 [KR].
  { cls: 'ResNet50', size: 224, top: [25_636_712, 53_120], noTop: 23_587_712, out: [null, 7, 7, 2048] },
  // ResNet101 44,707,176 [IO]; 105,344 non-trainable [KR]; no top [SRC] − 2,049,000.
  { cls: 'ResNet101', size: 224, top: [44_707_176, 105_344], noTop: 42_658_176, out: [null, 7, 7, 2048] },
  // ResNet152 60,419,944 [IO]; non-trainable [SRC] 151,424 = 2·(conv1 64 + 52 blocks' BNs); no top [SRC].
  { cls: 'ResNet152', size: 224, top: [60_419_944, 151_424], noTop: 58_370_944, out: [null, 7, 7, 2048] },
  // ResNet50V2 25,613,800, ResNet101V2 44,675,560, ResNet152V2 60,380,648 [IO]; non-trainable [SRC].
  { cls: 'ResNet50V2', size: 224, top: [25_613_800, 45_440], noTop: 23_564_800, out: [null, 7, 7, 2048] },
  { cls: 'ResNet101V2', size: 224, top: [44_675_560, 97_664], noTop: 42_626_560, out: [null, 7, 7, 2048] },
  { cls: 'ResNet152V2', size: 224, top: [60_380_648, 143_744], noTop: 58_331_648, out: [null, 7, 7, 2048] },
  // MobileNet 4,253,864 [IO]; no top 3,228,864 [KR][MB]; 21,888 non-trainable [SRC].
  { cls: 'MobileNet', size: 224, top: [4_253_864, 21_888], noTop: 3_228_864, out: [null, 7, 7, 1024] },
  // MobileNetV2 3,538,984 [IO]; 34,112 non-trainable [KR]; no top 2,257,984 [KR][MB].
  { cls: 'MobileNetV2', size: 224, top: [3_538_984, 34_112], noTop: 2_257_984, out: [null, 7, 7, 1280] },
  // MobileNetV3Small 2,554,968 / MobileNetV3Large 5,507,432 [KR]; no top 939,120 / 2,996,352 [KR].
  { cls: 'MobileNetV3Small', size: 224, top: [2_554_968, 12_112], noTop: 939_120, out: [null, 7, 7, 576] },
  { cls: 'MobileNetV3Large', size: 224, top: [5_507_432, 24_400], noTop: 2_996_352, out: [null, 7, 7, 960] },
  // InceptionV3 23,851,784 [IO]; 34,432 non-trainable [KR]; no top 21,802,784 [SRC] (2048-wide top).
  { cls: 'InceptionV3', size: 299, top: [23_851_784, 34_432], noTop: 21_802_784, out: [null, 8, 8, 2048] },
  // InceptionResNetV2 55,873,736 with 60,544 non-trainable [KR]; no top 54,336,736 [KR] (a printed
  // no-top base plus Dense(1536 → 2): 54,339,810 − 3,074).
  { cls: 'InceptionResNetV2', size: 299, top: [55_873_736, 60_544], noTop: 54_336_736, out: [null, 8, 8, 1536] },
  // Xception 22,910,480 [IO]; 54,528 non-trainable and no top 20,861,480 [KR].
  { cls: 'Xception', size: 299, top: [22_910_480, 54_528], noTop: 20_861_480, out: [null, 10, 10, 2048] },
  // DenseNet121 8,062,504 [IO]; 83,648 non-trainable [KR]; no top 7,037,504 [KR].
  { cls: 'DenseNet121', size: 224, top: [8_062_504, 83_648], noTop: 7_037_504, out: [null, 7, 7, 1024] },
  // DenseNet169 14,307,880, DenseNet201 20,242,984 [IO]; no top [SRC] (1664 / 1920 wide).
  { cls: 'DenseNet169', size: 224, top: [14_307_880, 158_400], noTop: 12_642_880, out: [null, 7, 7, 1664] },
  { cls: 'DenseNet201', size: 224, top: [20_242_984, 229_056], noTop: 18_321_984, out: [null, 7, 7, 1920] },
  // EfficientNetB0–B7 [IO]; B0 no top 4,049,571 [KR] (its Normalization adds 3 + 3 + 1
  // non-trainable), B3 no top 10,783,535 [KR]; others [SRC].
  { cls: 'EfficientNetB0', size: 224, top: [5_330_571, 42_023], noTop: 4_049_571, out: [null, 7, 7, 1280] },
  { cls: 'EfficientNetB1', size: 240, top: [7_856_239, 62_055], noTop: 6_575_239, out: [null, 8, 8, 1280] },
  { cls: 'EfficientNetB2', size: 260, top: [9_177_569, 67_575], noTop: 7_768_569, out: [null, 9, 9, 1408] },
  { cls: 'EfficientNetB3', size: 300, top: [12_320_535, 87_303], noTop: 10_783_535, out: [null, 10, 10, 1536] },
  { cls: 'EfficientNetB4', size: 380, top: [19_466_823, 125_207], noTop: 17_673_823, out: [null, 12, 12, 1792] },
  { cls: 'EfficientNetB5', size: 456, top: [30_562_527, 172_743], noTop: 28_513_527, out: [null, 15, 15, 2048] },
  { cls: 'EfficientNetB6', size: 528, top: [43_265_143, 224_439], noTop: 40_960_143, out: [null, 17, 17, 2304] },
  { cls: 'EfficientNetB7', size: 600, top: [66_658_687, 310_727], noTop: 64_097_687, out: [null, 19, 19, 2560] },
  // EfficientNetV2: no-top B0 5,919,312, B3 12,930,622, S 20,331,360, M 53,150,388, L 117,746,848 [KR];
  // totals B0 7,200,312, B1 8,212,124, B2 10,178,374, S 21,612,360, M 54,431,388, L 119,027,848 [KR];
  // B1/B2 no top and B3 total [SRC].
  { cls: 'EfficientNetV2B0', size: 224, top: [7_200_312, 60_608], noTop: 5_919_312, out: [null, 7, 7, 1280] },
  { cls: 'EfficientNetV2B1', size: 240, top: [8_212_124, 71_072], noTop: 6_931_124, out: [null, 8, 8, 1280] },
  { cls: 'EfficientNetV2B2', size: 260, top: [10_178_374, 82_288], noTop: 8_769_374, out: [null, 9, 9, 1408] },
  { cls: 'EfficientNetV2B3', size: 300, top: [14_467_622, 109_216], noTop: 12_930_622, out: [null, 10, 10, 1536] },
  { cls: 'EfficientNetV2S', size: 384, top: [21_612_360, 153_872], noTop: 20_331_360, out: [null, 12, 12, 1280] },
  { cls: 'EfficientNetV2M', size: 480, top: [54_431_388, 292_032], noTop: 53_150_388, out: [null, 15, 15, 1280] },
  { cls: 'EfficientNetV2L', size: 480, top: [119_027_848, 512_576], noTop: 117_746_848, out: [null, 15, 15, 1280] },
  // ConvNeXt: Tiny 28,589,128, Small 50,223,688, Base 88,591,464, Large 197,767,336, XLarge
  // 350,196,968 [TV]; Keras no top Tiny 27,820,128, Small 49,454,688, Base 87,566,464 [KR]; the
  // no-top model keeps a final LayerNormalization, so no top = total − (C·1000 + 1000). No BatchNorm.
  { cls: 'ConvNeXtTiny', size: 224, top: [28_589_128, 0], noTop: 27_820_128, out: [null, 7, 7, 768] },
  { cls: 'ConvNeXtSmall', size: 224, top: [50_223_688, 0], noTop: 49_454_688, out: [null, 7, 7, 768] },
  { cls: 'ConvNeXtBase', size: 224, top: [88_591_464, 0], noTop: 87_566_464, out: [null, 7, 7, 1024] },
  { cls: 'ConvNeXtLarge', size: 224, top: [197_767_336, 0], noTop: 196_230_336, out: [null, 7, 7, 1536] },
  { cls: 'ConvNeXtXLarge', size: 224, top: [350_196_968, 0], noTop: 348_147_968, out: [null, 7, 7, 2048] },
  // NASNetMobile 5,326,716 and NASNetLarge 88,949,818 [IO]; 36,738 non-trainable and no top
  // 4,269,716 [KR]; NASNetLarge no top [SRC] (4032 wide).
  { cls: 'NASNetMobile', size: 224, top: [5_326_716, 36_738], noTop: 4_269_716, out: [null, 7, 7, 1056] },
  { cls: 'NASNetLarge', size: 331, top: [88_949_818, 196_668], noTop: 84_916_818, out: [null, 11, 11, 4032] },
];

for (const r of ROWS) {
  test(`${r.cls}: published parameter counts, with and without the top`, () => {
    const top = run(r.cls, {}, [null, r.size, r.size, 3]);
    assert.deepEqual(top.errors, []);
    assert.deepEqual(top.output, [null, 1000]);
    assert.equal(top.total, r.top[0]);
    assert.equal(top.params.nonTrainable, r.top[1]);
    const no = run(r.cls, { include_top: false, input_shape: [r.size, r.size, 3] }, [null, r.size, r.size, 3]);
    assert.deepEqual(no.errors, []);
    assert.deepEqual(no.output, r.out);
    assert.equal(no.total, r.noTop);
    assert.equal(no.params.nonTrainable, r.top[1]);
  });
}

test('MobileNet / MobileNetV2 / MobileNetV3 width multipliers: no-top counts and channels [MB]', () => {
  const cases: [string, number, number, number][] = [
    ['MobileNet', 0.25, 218_544, 256],
    ['MobileNet', 0.5, 829_536, 512],
    ['MobileNet', 0.75, 1_832_976, 768],
    ['MobileNetV2', 0.35, 410_208, 1280],
    ['MobileNetV2', 0.5, 706_224, 1280],
    ['MobileNetV2', 0.75, 1_382_064, 1280],
    ['MobileNetV2', 1.3, 3_766_048, 1664],
    ['MobileNetV2', 1.4, 4_363_712, 1792],
    ['MobileNetV3Small', 0.75, 583_160, 432],
  ];
  for (const [cls, alpha, total, c] of cases) {
    const r = run(cls, { include_top: false, alpha, input_shape: [224, 224, 3] }, [null, 224, 224, 3]);
    assert.deepEqual(r.errors, [], `${cls} alpha=${alpha}`);
    assert.equal(r.total, total, `${cls} alpha=${alpha}`);
    assert.deepEqual(r.output, [null, 7, 7, c], `${cls} alpha=${alpha}`);
  }
});

// ---------------------------------------------------------------------------------------------
// tfjs rebuilds of ResNet50 and MobileNetV2, transcribed from keras/src/applications/resnet.py and
// mobilenet_v2.py: an independent check of the spatial arithmetic (including correct_pad, which
// reads the shape the model is built on) and of the weight sums.

type T = tf.SymbolicTensor;
const bnT = (x: T) => tf.layers.batchNormalization({ axis: -1 }).apply(x) as T;
const convT = (x: T, filters: number, k: number, s = 1, padding: 'same' | 'valid' = 'valid', useBias = true) =>
  tf.layers.conv2d({ filters, kernelSize: k, strides: s, padding, useBias }).apply(x) as T;
const padT = (x: T, p: [[number, number], [number, number]]) => tf.layers.zeroPadding2d({ padding: p }).apply(x) as T;

function tfResNet50(inputShape: (number | null)[]): tf.LayersModel {
  const input = tf.input({ shape: inputShape });
  let x = convT(padT(input, [[3, 3], [3, 3]]), 64, 7, 2);
  x = tf.layers.activation({ activation: 'relu' }).apply(bnT(x)) as T;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }).apply(padT(x, [[1, 1], [1, 1]])) as T;
  const stacks: [number, number, number][] = [[64, 3, 1], [128, 4, 2], [256, 6, 2], [512, 3, 2]];
  for (const [f, blocks, stride1] of stacks) {
    for (let b = 0; b < blocks; b++) {
      const s = b === 0 ? stride1 : 1;
      const shortcut = b === 0 ? bnT(convT(x, 4 * f, 1, s)) : x;
      let y = bnT(convT(x, f, 1, s));
      y = bnT(convT(y, f, 3, 1, 'same'));
      y = bnT(convT(y, 4 * f, 1));
      x = tf.layers.add().apply([shortcut, y]) as T;
    }
  }
  return tf.model({ inputs: input, outputs: x });
}

function correctPadT(x: T, k: number): [[number, number], [number, number]] {
  const [h, w] = [x.shape[1], x.shape[2]];
  const adjust = h === null ? [1, 1] : [1 - (h % 2), 1 - ((w as number) % 2)];
  const c = Math.floor(k / 2);
  return [[c - adjust[0], c], [c - adjust[1], c]];
}

function makeDivisible(v: number): number {
  let n = Math.max(8, Math.floor(Math.trunc(v + 4) / 8) * 8);
  if (n < 0.9 * v) n += 8;
  return n;
}

function tfMobileNetV2(inputShape: (number | null)[], alpha = 1.0): tf.LayersModel {
  const input = tf.input({ shape: inputShape });
  let x = bnT(convT(input, makeDivisible(32 * alpha), 3, 2, 'same', false));
  const blocks: [number, number, number][] = [
    [16, 1, 1], [24, 2, 6], [24, 1, 6], [32, 2, 6], [32, 1, 6], [32, 1, 6], [64, 2, 6], [64, 1, 6], [64, 1, 6],
    [64, 1, 6], [96, 1, 6], [96, 1, 6], [96, 1, 6], [160, 2, 6], [160, 1, 6], [160, 1, 6], [320, 1, 6],
  ];
  blocks.forEach(([filters, stride, expansion], id) => {
    const inC = x.shape[3] as number;
    const pw = makeDivisible(Math.trunc(filters * alpha));
    let y = x;
    if (id) y = bnT(convT(y, expansion * inC, 1, 1, 'same', false));
    if (stride === 2) y = padT(y, correctPadT(y, 3));
    y = bnT(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: stride === 1 ? 'same' : 'valid', useBias: false }).apply(y) as T);
    y = bnT(convT(y, pw, 1, 1, 'same', false));
    x = inC === pw && stride === 1 ? (tf.layers.add().apply([x, y]) as T) : y;
  });
  x = bnT(convT(x, alpha > 1 ? makeDivisible(1280 * alpha) : 1280, 1, 1, 'valid', false));
  return tf.model({ inputs: input, outputs: x });
}

function weightCounts(m: tf.LayersModel): { total: number; nonTrainable: number } {
  const size = (w: tf.LayerVariable) => w.shape.reduce((p: number, d) => p * (d as number), 1);
  return { total: m.countParams(), nonTrainable: m.nonTrainableWeights.reduce((a, w) => a + size(w), 0) };
}

/** The tfjs model applied to a (None, s, s, 3) tensor; null where a dimension vanishes (Keras raises). */
function callOn(m: tf.LayersModel, s: number): RuleShape | null {
  try {
    const shape = (m.apply(tf.input({ shape: [s, s, 3] })) as T).shape as RuleShape;
    return shape.some((d) => d !== null && d <= 0) ? null : shape;
  } catch {
    return null;
  }
}

/** Our output for `cls` equals tfjs', or both agree the input is too small. */
function sameAsTfjs(cls: string, cfg: LayerConfig, s: number, expected: RuleShape | null): void {
  const ours = run(cls, cfg, [null, s, s, 3]);
  if (expected === null) {
    assert.equal(ours.output, null, `size ${s}`);
    assert.match(ours.errors.join('\n'), /^negative-dimension: /, `size ${s}`);
  } else {
    assert.deepEqual(ours.errors, [], `size ${s}`);
    assert.deepEqual(ours.output, expected, `size ${s}`);
  }
}

const SIZES = [224, 299, 160, 96, 331, 32, 33, 225, 17, 1];

test('ResNet50 against a tfjs rebuild: weights, and shapes when built on (None, None, 3)', () => {
  const model = tfResNet50([null, null, 3]);
  try {
    const w = weightCounts(model);
    const r = run('ResNet50', { include_top: false }, [null, 224, 224, 3]);
    assert.equal(r.total, w.total);
    assert.equal(r.params.nonTrainable, w.nonTrainable);
    for (const s of SIZES) sameAsTfjs('ResNet50', { include_top: false, weights: null }, s, callOn(model, s));
  } finally {
    model.dispose();
  }
  // By hand: 299 → pad 305 → ⌊(305 − 7)/2⌋ + 1 = 150 → pad 152 → ⌊(152 − 3)/2⌋ + 1 = 75 → 38 → 19 → 10.
  assert.deepEqual(run('ResNet50', { include_top: false }, [null, 299, 299, 3]).output, [null, 10, 10, 2048]);
  assert.deepEqual(run('ResNet50', { include_top: false, pooling: 'avg' }, [null, 299, 299, 3]).output, [null, 2048]);
});

test('MobileNetV2 against tfjs rebuilds: correct_pad follows the built shape, not the call', () => {
  const unbuilt = tfMobileNetV2([null, null, 3]);
  try {
    const w = weightCounts(unbuilt);
    const r = run('MobileNetV2', { include_top: false }, [null, 224, 224, 3]);
    assert.equal(r.total, w.total);
    assert.equal(r.params.nonTrainable, w.nonTrainable);
    for (const s of SIZES) sameAsTfjs('MobileNetV2', { include_top: false, weights: null }, s, callOn(unbuilt, s));
    // 17 px: 9 → 4 → 2 → 1, then block_13 pads 1 to 2 and a 3×3 valid window does not fit.
    assert.equal(callOn(unbuilt, 17), null);
  } finally {
    unbuilt.dispose();
  }
  for (const s of [224, 225, 331, 160, 96, 33]) {
    const built = tfMobileNetV2([s, s, 3]);
    try {
      const ours = run('MobileNetV2', { include_top: false, weights: null, input_shape: [s, s, 3] }, [null, s, s, 3]);
      assert.deepEqual(ours.output, built.outputs[0].shape, `built on ${s}`);
    } finally {
      built.dispose();
    }
  }
  // The difference is real: built on None, the stride-2 pads are always (0, 1); built on an odd
  // size they become (1, 1), so 225 gives 7 × 7 vs 8 × 8.
  assert.deepEqual(run('MobileNetV2', { include_top: false }, [null, 225, 225, 3]).output, [null, 7, 7, 1280]);
  assert.deepEqual(run('MobileNetV2', { include_top: false, input_shape: [225, 225, 3] }, [null, 225, 225, 3]).output, [null, 8, 8, 1280]);
  const wide = tfMobileNetV2([null, null, 3], 1.4);
  try {
    assert.equal(run('MobileNetV2', { include_top: false, alpha: 1.4 }, [null, 224, 224, 3]).total, weightCounts(wide).total);
  } finally {
    wide.dispose();
  }
});

test('output shapes of other applications at unusual sizes (worked by hand)', () => {
  const cases: [string, LayerConfig, number, RuleShape][] = [
    // VGG16: five 2×2/2 pools: 331 → 165 → 82 → 41 → 20 → 10; 96 → 3; 32 → 1.
    ['VGG16', {}, 331, [null, 10, 10, 512]],
    ['VGG16', {}, 96, [null, 3, 3, 512]],
    ['VGG16', {}, 32, [null, 1, 1, 512]],
    // InceptionV3: 224 → 111 → 109 → 109 → 54 → 54 → 52 → 25 → 12 → 5; 75 → … → 1.
    ['InceptionV3', {}, 224, [null, 5, 5, 2048]],
    ['InceptionV3', {}, 75, [null, 1, 1, 2048]],
    // Xception: 224 → 111 → 109 → 55 → 28 → 14 → 7; 71 → 35 → 33 → 17 → 9 → 5 → 3.
    ['Xception', {}, 224, [null, 7, 7, 2048]],
    ['Xception', {}, 71, [null, 3, 3, 2048]],
    // DenseNet121: 331 → pad 337 → 166 → pad 168 → 83 → 41 → 20 → 10.
    ['DenseNet121', {}, 331, [null, 10, 10, 1024]],
    // EfficientNetB0 built on (None, None, 3) pads every stride-2 conv as if the size were even:
    // 331 → 332 → 165 → 166 → 82 → 85 → 41 → 42 → 20 → 23 → 10. Built on 331: ⌈331/32⌉ = 11.
    ['EfficientNetB0', {}, 331, [null, 10, 10, 1280]],
    ['EfficientNetB0', { input_shape: [331, 331, 3] }, 331, [null, 11, 11, 1280]],
    // EfficientNetV2 uses 'same' everywhere: ⌈160/32⌉ = 5.
    ['EfficientNetV2S', {}, 160, [null, 5, 5, 1280]],
    // ConvNeXtTiny on 150: ⌊(150 − 4)/4⌋ + 1 = 37 → 18 → 9 → 4 ([KR]: convnext_tiny (None, 4, 4, 768) on 150 × 150).
    ['ConvNeXtTiny', {}, 150, [null, 4, 4, 768]],
    ['ConvNeXtTiny', { pooling: 'max' }, 150, [null, 768]],
    // MobileNet: stride-2 pads are fixed (0, 1): 160 → 80 → 40 → 20 → 10 → 5.
    ['MobileNet', {}, 160, [null, 5, 5, 1024]],
    // MobileNetV3Small keeps (None, None, 3) even with its top.
    ['MobileNetV3Small', { include_top: true }, 160, [null, 1000]],
    ['MobileNetV3Large', {}, 96, [null, 3, 3, 960]],
  ];
  for (const [cls, cfg, s, out] of cases) {
    const r = run(cls, { include_top: false, ...cfg }, [null, s, s, 3]);
    assert.deepEqual(r.errors, [], `${cls} ${s}`);
    assert.deepEqual(r.output, out, `${cls} ${s}`);
  }
});

test('the classifier scales with classes; VGG fc1 with the built size', () => {
  // ResNet50, 10 classes: 23,587,712 + 2048·10 + 10.
  assert.equal(run('ResNet50', { weights: null, classes: 10 }, [null, 224, 224, 3]).total, 23_587_712 + 20_490);
  // MobileNet's top is a 1×1 Conv2D with bias: 3,228,864 + 1024·5 + 5.
  assert.equal(run('MobileNet', { weights: null, classes: 5 }, [null, 224, 224, 3]).total, 3_228_864 + 5125);
  // VGG16 on (64, 64, 3) with the top: Flatten 2·2·512 = 2048 → fc1 2048·4096 + 4096, fc2, predictions 4096·7 + 7.
  const r = run('VGG16', { weights: null, classes: 7, input_shape: [64, 64, 3] }, [null, 64, 64, 3]);
  assert.deepEqual(r.errors, []);
  assert.equal(r.total, 14_714_688 + 2048 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 7 + 7);
  assert.deepEqual(r.output, [null, 7]);
  // One input channel without imagenet weights: first conv 3·3·1·64 + 64 instead of 3·3·3·64 + 64.
  const gray = run('VGG16', { include_top: false, weights: null, input_shape: [48, 48, 1] }, [null, 48, 48, 1]);
  assert.equal(gray.total, 14_714_688 - 2 * 9 * 64);
  assert.deepEqual(gray.output, [null, 1, 1, 512]);
  // ... and an EfficientNet's Normalization then keeps 1 + 1 + 1 statistics.
  assert.equal(run('EfficientNetB0', { include_top: false, weights: null, input_shape: [64, 64, 1] }, [null, 64, 64, 1]).params.nonTrainable, 42_023 - 4);
});

test('Keras model names and the Functional summary class', () => {
  const name = (cls: string, cfg: LayerConfig = {}) => getRule(cls)?.defaultName?.(new Cfg(cfg));
  assert.equal(name('VGG16'), 'vgg16');
  assert.equal(name('ResNet50'), 'resnet50');
  assert.equal(name('ResNet152V2'), 'resnet152v2');
  assert.equal(name('InceptionV3'), 'inception_v3');
  assert.equal(name('Xception'), 'xception');
  assert.equal(name('DenseNet121'), 'densenet121');
  assert.equal(name('EfficientNetB0'), 'efficientnetb0');
  assert.equal(name('EfficientNetV2B0'), 'efficientnetv2-b0');
  assert.equal(name('ConvNeXtTiny'), 'convnext_tiny');
  // Keras 3 names NASNet models nasnet_mobile / nasnet_large (nasnet.py); Keras 2 and keras_applications named both "NASNet".
  assert.equal(name('NASNetMobile'), 'nasnet_mobile');
  assert.equal(name('NASNetLarge'), 'nasnet_large');
  assert.equal(name('MobileNetV3Small'), 'MobileNetV3Small');
  // mobilenetv2_{alpha:0.2f}_{rows}: rows of the built shape; imagenet falls back to 224.
  assert.equal(name('MobileNetV2'), 'mobilenetv2_1.00_224');
  assert.equal(name('MobileNetV2', { include_top: false, input_shape: [160, 160, 3] }), 'mobilenetv2_1.00_160');
  assert.equal(name('MobileNetV2', { include_top: false, input_shape: [200, 200, 3] }), 'mobilenetv2_1.00_224');
  assert.equal(name('MobileNetV2', { include_top: false, weights: null, alpha: 0.35 }), 'mobilenetv2_0.35_None');
  assert.equal(name('MobileNetV2', { include_top: false, weights: null, input_shape: [200, 200, 3] }), 'mobilenetv2_1.00_200');
  assert.equal(name('MobileNet', { include_top: false, alpha: 0.75, input_shape: [128, 128, 3] }), 'mobilenet_0.75_128');
  assert.equal(name('ResNet50', { name: 'backbone' }), 'backbone');
  assert.equal(getRule('ResNet50')?.summaryClassName, 'Functional');
  assert.equal(getRule('MobileNetV2')?.summaryClassName, 'Functional');
});

// ---------------------------------------------------------------------------------------------
// Errors Keras raises, and unknown settings

function errorOf(cls: string, cfg: LayerConfig, input: RuleShape): string {
  const r = run(cls, cfg, input);
  assert.equal(r.output, null, `${cls} ${JSON.stringify(cfg)}`);
  assert.equal(r.errors.length, 1, r.errors.join('\n'));
  return r.errors[0];
}

test('imagenet weights need 3 channels; input_shape has a minimum size', () => {
  assert.match(errorOf('ResNet50', { include_top: false, input_shape: [224, 224, 1] }, [null, 224, 224, 1]), /The input must have 3 channels; Received `input_shape=\(224, 224, 1\)`/);
  assert.match(errorOf('ResNet50', { include_top: false, input_shape: [16, 16, 3] }, [null, 16, 16, 3]), /Input size must be at least 32x32; Received: input_shape=\(16, 16, 3\)/);
  assert.match(errorOf('MobileNetV2', { include_top: false, input_shape: [31, 64, 3] }, [null, 31, 64, 3]), /at least 32x32/);
  assert.match(errorOf('InceptionV3', { include_top: false, input_shape: [74, 74, 3] }, [null, 74, 74, 3]), /Input size must be at least 75x75/);
  assert.match(errorOf('Xception', { include_top: false, input_shape: [70, 70, 3] }, [null, 70, 70, 3]), /at least 71x71/);
  assert.match(errorOf('MobileNetV3Large', { include_top: false, input_shape: [16, 16, 3] }, [null, 16, 16, 3]), /at least 32x32/);
  assert.match(errorOf('VGG16', { include_top: false, input_shape: [224, 224] }, [null, 224, 224, 3]), /`input_shape` must be a tuple of three integers/);
  // Without imagenet weights one channel is fine.
  assert.deepEqual(run('ResNet50', { include_top: false, weights: null, input_shape: [64, 64, 1] }, [null, 64, 64, 1]).errors, []);
});

test('calling the model checks the tensor against the Input it was built on', () => {
  // Built for (224, 224, 3), called on 160: Functional.input_spec rejects it.
  assert.match(
    errorOf('ResNet50', { include_top: false, input_shape: [224, 224, 3] }, [null, 160, 160, 3]),
    /Input 0 of layer "layer" is incompatible with the layer: expected shape=\(None, 224, 224, 3\), found shape=\(None, 160, 160, 3\)/,
  );
  // The top needs the default size: built on (224, 224, 3) even without input_shape.
  assert.match(errorOf('MobileNetV2', { weights: null }, [null, 160, 160, 3]), /expected shape=\(None, 224, 224, 3\)/);
  // Built on (None, None, 3): a one-channel tensor does not fit.
  assert.match(errorOf('DenseNet121', { include_top: false }, [null, 224, 224, 1]), /expected shape=\(None, None, None, 3\), found shape=\(None, 224, 224, 1\)/);
  // Only the spec error, not a vanished dimension from running the layers on the wrong size; the
  // model's weights are still known.
  const small = run('InceptionV3', { include_top: false, input_shape: [299, 299, 3] }, [null, 32, 32, 3]);
  assert.deepEqual(small.errors.map((e) => e.split(':')[0]), ['shape-mismatch']);
  assert.equal(small.total, 21_802_784);
  // The rank is checked first, in Keras' words.
  assert.match(errorOf('ResNet50', { include_top: false }, [null, 224, 224]), /expected ndim=4, found ndim=3/);
  // Batch size and None dims are compatible with anything.
  assert.deepEqual(run('ResNet50', { include_top: false, input_shape: [224, 224, 3] }, [8, null, 224, 3]).output, [8, null, 7, 2048]);
});

test('too small for the architecture: an error where a dimension vanishes, a warning under the documented minimum', () => {
  const e = errorOf('InceptionV3', { include_top: false }, [null, 32, 32, 3]);
  assert.match(e, /^negative-dimension: Negative dimension size caused by subtracting 3 from 1 /);
  assert.match(e, /InceptionV3 expects inputs of at least 75x75/);
  const r = run('ResNet50', { include_top: false }, [null, 16, 16, 3]);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.output, [null, 1, 1, 2048]);
  assert.match(r.problems.map((p) => p.message).join('\n'), /smaller than the 32x32 minimum/);
});

test('imagenet weights with the top: 1000 classes, the default input size, softmax or None', () => {
  assert.match(errorOf('ResNet50', { classes: 10 }, [null, 224, 224, 3]), /If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes=10/);
  assert.match(
    errorOf('EfficientNetB3', { input_shape: [224, 224, 3] }, [null, 224, 224, 3]),
    /When setting `include_top=True` and loading `imagenet` weights, `input_shape` should be \(300, 300, 3\)/,
  );
  assert.match(errorOf('VGG16', { weights: null, input_shape: [null, null, 3] }, [null, 224, 224, 3]), /you should specify a static `input_shape`/);
  assert.match(errorOf('ResNet50', { classifier_activation: 'sigmoid' }, [null, 224, 224, 3]), /Only `None` and `softmax` activations are allowed/);
  assert.deepEqual(run('ResNet50', { classifier_activation: null }, [null, 224, 224, 3]).errors, []);
  // MobileNet takes its default size from a square input_shape among its checkpoints.
  assert.deepEqual(run('MobileNet', { input_shape: [160, 160, 3] }, [null, 160, 160, 3]).errors, []);
  assert.match(errorOf('MobileNetV2', { alpha: 0.6 }, [null, 224, 224, 3]), /alpha must be one of `0.35`, `0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; Received `alpha=0.6`/);
  assert.match(errorOf('MobileNet', { depth_multiplier: 2 }, [null, 224, 224, 3]), /depth multiplier must be 1/);
  assert.match(errorOf('MobileNetV3Small', { alpha: 0.75, minimalistic: true }, [null, 224, 224, 3]), /alpha can be one of `0.75`, `1.0` for non minimalistic/);
  assert.match(errorOf('NASNetLarge', { include_top: false }, [null, 331, 331, 3]), /NASNet needs a static `input_shape`/);
  // NASNetMobile builds on (224, 224, 3) when no input_shape is given.
  assert.match(errorOf('NASNetMobile', { include_top: false }, [null, 160, 160, 3]), /expected shape=\(None, 224, 224, 3\)/);
});

test('unknown settings give unknown shapes or counts, never a throw', () => {
  const x: RuleShape = [null, 224, 224, 3];
  const top = run('ResNet50', { include_top: UNKNOWN }, x);
  assert.equal(top.output, null);
  assert.equal(top.total, null);
  assert.deepEqual(top.errors, []);
  const shape = run('ResNet50', { include_top: false, input_shape: UNKNOWN }, x);
  assert.equal(shape.output, null);
  assert.equal(shape.total, null);
  const alpha = run('MobileNetV2', { include_top: false, alpha: UNKNOWN }, x);
  assert.equal(alpha.output, null);
  assert.equal(alpha.total, null);
  // Unknown pooling: the output rank is unknown, the weights are not.
  const pooling = run('ResNet50', { include_top: false, pooling: UNKNOWN }, x);
  assert.equal(pooling.output, null);
  assert.equal(pooling.total, 23_587_712);
  // Unknown classes: (None, ?) and unknown weights.
  const classes = run('ResNet50', { weights: null, classes: UNKNOWN }, x);
  assert.deepEqual(classes.output, [null, '?']);
  assert.equal(classes.total, null);
  // Unknown weights only skip the imagenet checks.
  assert.equal(run('ResNet50', { include_top: false, weights: UNKNOWN }, x).total, 23_587_712);
  // A pooling string Keras does not know is ignored, as Keras does.
  assert.deepEqual(run('ResNet50', { include_top: false, pooling: 'mean' }, x).output, [null, 7, 7, 2048]);
  // input_tensor: the model is built on the tensor it is called on.
  assert.deepEqual(run('MobileNetV2', { include_top: false, input_tensor: UNKNOWN }, [null, 225, 225, 3]).output, [null, 8, 8, 1280]);
});

test('hovers explain the downsampling steps', () => {
  const r = run('ResNet50', { include_top: false }, [null, 224, 224, 3]);
  assert.ok(r.explain.includes('conv1_pad: 224 + 3 + 3 = 230'), r.explain.join('\n'));
  assert.ok(r.explain.includes('conv1_conv 7×7/2: ⌊(230 − 7)/2⌋ + 1 = 112'), r.explain.join('\n'));
  assert.ok(r.explain.includes('pool1_pool 3×3/2: ⌊(114 − 3)/2⌋ + 1 = 56'), r.explain.join('\n'));
  assert.match(r.params.formula ?? '', /23,534,592 trainable \+ 53,120 non-trainable = 23,587,712/);
});
