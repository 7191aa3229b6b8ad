// keras.applications built as their real layer graphs: layer counts worked out from the Keras 3
// source (keras/src/applications/*.py), `get_layer(name).output` shapes worked from the
// architecture, published totals, a U-Net encoder, a fine-tuning loop, and the replay's sums
// cross-checking the layer rules' params layer by layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from './helpers/python';
import type { JsonModel } from '../../src/core/analysis';
import { GraphBuilder } from '../../src/core/builder';
import { buildApplication } from '../../src/core/applications/graph';
import { applicationClassNames } from '../../src/core/layers/applications';
import type { LayerConfig } from '../../src/core/config';

async function models(src: string): Promise<JsonModel[]> {
  return (await analyze(src)).json.models;
}

function named(ms: JsonModel[], name: string): JsonModel {
  const m = ms.find((x) => x.name === name);
  assert.ok(m, `no model "${name}" among ${ms.map((x) => x.name).join(', ')}`);
  return m;
}

type Shape = (number | null)[];

interface Family {
  cls: string;
  /** Keras' model name. */
  name: string;
  /** `len(model.layers)` with the top (the InputLayer included), counted from the source. */
  layers: number;
  /** Published `Total params` with the top (keras.io applications table). */
  total: number;
  /** `get_layer(name).output` shapes at the default size (or as `args` say). */
  probes: [string, Shape][];
  /** Arguments of the call (default none). */
  args?: string;
}

// Layer counts, from the block structure in keras/src/applications/*.py (include_top=True):
//  ResNet50: Input 1 + stem 6 (conv1_pad, conv1_conv, conv1_bn, conv1_relu, pool1_pad, pool1_pool)
//    + 4 blocks with a conv shortcut × 12 (0_conv, 0_bn, 1_conv, 1_bn, 1_relu, 2_conv, 2_bn, 2_relu,
//    3_conv, 3_bn, add, out) + 12 identity blocks × 10 + avg_pool, predictions = 1 + 6 + 48 + 120 + 2 = 177.
//  ResNet101 ([3, 4, 23, 3]): 1 + 6 + 48 + 29·10 + 2 = 347. ResNet152 ([3, 8, 36, 3]): 1 + 6 + 48 + 46·10 + 2 = 517.
//  ResNet50V2: Input + stem 4 (no BN/relu) + per stack: block1 12 (preact_bn, preact_relu, 0_conv,
//    1_conv, 1_bn, 1_relu, 2_pad, 2_conv, 2_bn, 2_relu, 3_conv, out), middle 11, a strided last block 12
//    (its shortcut MaxPooling2D): 35 + 46 + 68 + 34 = 183; post_bn, post_relu, avg_pool, predictions: 1 + 4 + 183 + 4 = 192.
//  VGG16: Input + 13 conv + 5 pool + flatten, fc1, fc2, predictions = 23; VGG19: 1 + 16 + 5 + 4 = 26.
//  MobileNetV2: Input + Conv1, bn_Conv1, Conv1_relu + block 0 (5: depthwise, BN, relu, project, BN)
//    + blocks 1–16 × 8 (expand, BN, relu, depthwise, BN, relu, project, BN) + 4 pads (strides 2 at
//    blocks 1, 3, 6, 13) + 10 adds (blocks 2, 4, 5, 7, 8, 9, 11, 12, 14, 15) + Conv_1, Conv_1_bn,
//    out_relu + GAP, predictions = 1 + 3 + 5 + 128 + 4 + 10 + 3 + 2 = 156 (154 without the top, the
//    figure TensorFlow's transfer-learning tutorial prints).
//  MobileNet: Input + conv1 3 + 13 blocks × 6 + 4 pads + GAP, dropout, conv_preds, reshape_2, predictions = 1 + 3 + 78 + 4 + 5 = 91.
//  EfficientNetB0: Input + rescaling, normalization, rescaling_1 (imagenet) + stem 4 + 16 blocks: 1a 10
//    (dwconv, bn, activation, 5 SE, project_conv, project_bn), strided blocks 14 (3 expand + pad + 3 + 5 + 2),
//    blocks with a skip 15 (3 + 3 + 5 + 2 + drop, add), 5a and 7a 13: 10 + (14+15) + (14+15) + (14+2·15)
//    + (13+2·15) + (14+3·15) + 13 = 227; top_conv, top_bn, top_activation, avg_pool, top_dropout,
//    predictions: 1 + 3 + 4 + 227 + 6 = 241.
//  DenseNet121: Input + zero_padding2d, conv1_conv, conv1_bn, conv1_relu, zero_padding2d_1, pool1
//    + 58 conv blocks × 7 + 3 transitions × 4 + bn, relu + avg_pool, predictions = 1 + 6 + 406 + 12 + 2 + 2 = 429.
//  InceptionV3: 94 conv2d_bn × 3 + 2 max pools + 9 average pools + mixed3/mixed8 max pools + 15
//    concatenations (mixed0–10, mixed9_0, mixed9_1, two unnamed) + Input + avg_pool, predictions = 282 + 2 + 9 + 2 + 15 + 3 = 313.
//  MobileNetV3Small: Input, rescaling, conv, conv_bn, activation + 11 blocks (expand 3, pad when
//    strided, depthwise 3, SE 6 — squeeze_excite_avg_pool, _conv, _relu, _conv_1, the ReLU of
//    hard_sigmoid, _mul —, project 2, add when the shape is kept): 12 + 9 + 9 + 15 + 15 + 15 + 14 + 15 +
//    15 + 15 + 15 = 149; conv_1, conv_1_bn, activation; GAP, conv_2, activation, dropout, logits,
//    flatten, predictions: 5 + 149 + 3 + 7 = 164. MobileNetV3Large: 6 + 9 + 9 + 15 + 15 + 15 + 9 + 9 +
//    9 + 9 + 14 + 15 + 15 + 15 + 15 = 179 → 5 + 179 + 3 + 7 = 194.
//  EfficientNetV2B0: Input, rescaling, normalization + stem 3 + blocks: 1a fused without expansion 3
//    (project_conv, project_bn, project_activation); 2a, 3a fused 5 (expand conv/bn/activation, project
//    conv/bn), 2b, 3b 7 (+ drop, add); 4a, 5a, 6a 13 (expand 3, dwconv2/bn/activation 3, SE 5, project
//    2), the others 15: 3 + 12 + 12 + (13 + 2·15) + (13 + 4·15) + (13 + 7·15) = 261; top_conv, top_bn,
//    top_activation, avg_pool, top_dropout, predictions: 1 + 2 + 3 + 261 + 6 = 273.
//  NASNetMobile: a separable block is relu, [pad when strided], sepconv, bn, relu, sepconv, bn (6, 7);
//    a normal cell relu, conv, bn + 2·6 + add + 2·6 + add + pool, add + 2 pools, add + 6 + add +
//    concat = 42, a reduction cell relu, conv, bn, pad + 15 + 9 + 9 + 2 + 8 + concat = 48; _adjust_block
//    adds 9 (relu, 2 × (pool, conv) with pad and crop, concatenate, bn) where the widths differ, 3 (relu,
//    conv, bn) where only the channels do. Input, stem conv, bn; stem_1 48, stem_2 57; cells 0–3
//    51 + 3·45; reduce_4 51; cells 5–8 51 + 3·45; reduce_8 51; cells 9–12 51 + 3·45; relu, GAP,
//    predictions: 3 + 48 + 57 + 3·186 + 2·51 + 3 = 771. NASNetLarge (6 cells a stage): 3 + 48 + 57 +
//    3·276 + 2·51 + 3 = 1041.
//  ConvNeXtTiny: Input, prestem Normalization, the stem (a Sequential: one row) + 18 blocks × 7
//    (depthwise_conv, layernorm, pointwise_conv_1, gelu, pointwise_conv_2, layer_scale, identity; the
//    residual `inputs + x` is a tensor operation, not a layer) + 3 downsampling Sequentials + head_gap,
//    head_layernorm, head_dense = 3 + 126 + 3 + 3 = 135.
//  InceptionResNetV2: conv2d_bn is 3 layers (conv, bn, activation); Input + stem 5·3 + 2 pools +
//    mixed_5b (7·3 + pool + concat 23) + 10 block35 (6·3 + _mixed, _conv, custom_scale_layer, _ac = 22)
//    + mixed_6a (4·3 + pool + concat 14) + 20 block17 (4·3 + 4 = 16) + mixed_7a (7·3 + 2 = 23) + 9 block8
//    (16) + block8_10 without its activation (15) + conv_7b 3 + avg_pool, predictions
//    = 1 + 17 + 23 + 220 + 14 + 320 + 23 + 144 + 15 + 3 + 2 = 782.
//  Xception: Input + block1 6 + 3 entry blocks × 10 (residual conv, BN, [act], 2 × (sepconv, BN),
//    act, pool, add; block2 has no first act: 9) + 8 middle × 10 + block13 10 + block14 6 + 2 = 1 + 6 + 29 + 80 + 10 + 6 + 2 = 134.
const FAMILIES: Family[] = [
  {
    cls: 'ResNet50', name: 'resnet50', layers: 177, total: 25_636_712,
    probes: [['conv1_pad', [null, 230, 230, 3]], ['pool1_pool', [null, 56, 56, 64]], ['conv3_block4_out', [null, 28, 28, 512]], ['conv4_block6_out', [null, 14, 14, 1024]], ['conv5_block3_out', [null, 7, 7, 2048]]],
  },
  { cls: 'ResNet101', name: 'resnet101', layers: 347, total: 44_707_176, probes: [['conv4_block23_out', [null, 14, 14, 1024]]] },
  { cls: 'ResNet152', name: 'resnet152', layers: 517, total: 60_419_944, probes: [['conv3_block8_out', [null, 28, 28, 512]]] },
  {
    cls: 'ResNet50V2', name: 'resnet50v2', layers: 192, total: 25_613_800,
    // V2 strides in the last block of a stack: conv2_block3 halves 56 → 28.
    probes: [['conv2_block1_preact_relu', [null, 56, 56, 64]], ['conv2_block3_out', [null, 28, 28, 256]], ['post_relu', [null, 7, 7, 2048]]],
  },
  { cls: 'VGG16', name: 'vgg16', layers: 23, total: 138_357_544, probes: [['block4_pool', [null, 14, 14, 512]], ['flatten', [null, 25088]], ['fc1', [null, 4096]]] },
  { cls: 'VGG19', name: 'vgg19', layers: 26, total: 143_667_240, probes: [['block5_conv4', [null, 14, 14, 512]]] },
  {
    cls: 'MobileNetV2', name: 'mobilenetv2_1.00_224', layers: 156, total: 3_538_984,
    // Expansions are 6 × the block's input channels: 16·6, 24·6, 32·6, 96·6.
    probes: [['block_1_expand_relu', [null, 112, 112, 96]], ['block_3_expand_relu', [null, 56, 56, 144]], ['block_6_expand_relu', [null, 28, 28, 192]], ['block_13_expand_relu', [null, 14, 14, 576]], ['block_16_project', [null, 7, 7, 320]], ['block_1_pad', [null, 113, 113, 96]]],
  },
  { cls: 'MobileNet', name: 'mobilenet_1.00_224', layers: 91, total: 4_253_864, probes: [['conv_pw_11_relu', [null, 14, 14, 512]], ['conv_pad_12', [null, 15, 15, 512]], ['reshape_2', [null, 1000]]] },
  {
    cls: 'EfficientNetB0', name: 'efficientnetb0', layers: 241, total: 5_330_571,
    // block6a expands 112 channels × 6 = 672 at 14 × 14; block2a pads 112 by correct_pad ((0, 1), (0, 1)).
    probes: [['block6a_expand_activation', [null, 14, 14, 672]], ['block2a_dwconv_pad', [null, 113, 113, 96]], ['block1a_se_reshape', [null, 1, 1, 32]], ['top_activation', [null, 7, 7, 1280]]],
  },
  {
    cls: 'EfficientNetV2B0', name: 'efficientnetv2-b0', layers: 273, total: 7_200_312,
    // stem 112, blocks 2a, 3a stride to 28; block4a expands 48 × 4 = 192 before its strided dwconv2.
    probes: [['block1a_project_activation', [null, 112, 112, 16]], ['block4a_expand_activation', [null, 28, 28, 192]], ['block6h_add', [null, 7, 7, 192]]],
  },
  {
    cls: 'DenseNet121', name: 'densenet121', layers: 429, total: 8_062_504,
    // conv4 starts from 512 / 2 = 256 channels and adds 24 × 32; conv5 from 1024 / 2 = 512 plus 16 × 32.
    probes: [['pool3_pool', [null, 14, 14, 256]], ['conv4_block24_concat', [null, 14, 14, 1024]], ['conv5_block16_concat', [null, 7, 7, 1024]]],
  },
  { cls: 'InceptionV3', name: 'inception_v3', layers: 313, total: 23_851_784, probes: [['mixed2', [null, 35, 35, 288]], ['mixed7', [null, 17, 17, 768]], ['mixed10', [null, 8, 8, 2048]]] },
  {
    cls: 'MobileNetV3Small', name: 'MobileNetV3Small', layers: 164, total: 2_554_968, args: 'input_shape=(224, 224, 3)',
    // conv and block 0 stride 2: 56; block 1: 28, where block 3 expands 24 × 4 = 96.
    probes: [['expanded_conv_squeeze_excite_mul', [null, 56, 56, 16]], ['expanded_conv_3_expand', [null, 28, 28, 96]], ['conv_1', [null, 7, 7, 576]]],
  },
  {
    cls: 'MobileNetV3Large', name: 'MobileNetV3Large', layers: 194, total: 5_507_432, args: 'input_shape=(224, 224, 3)',
    probes: [['expanded_conv_6_expand', [null, 28, 28, 240]], ['expanded_conv_12_depthwise', [null, 7, 7, 672]], ['conv_1', [null, 7, 7, 960]]],
  },
  {
    cls: 'NASNetMobile', name: 'nasnet_mobile', layers: 771, total: 5_326_716,
    // 224 → 111 (3×3/2 valid) → 113 (correct_pad) → 56 → 28 → 14 → 7; cells of 44, 88, 176 filters.
    probes: [['stem_conv1', [null, 111, 111, 32]], ['reduction_concat_stem_1', [null, 56, 56, 44]], ['normal_concat_3', [null, 28, 28, 264]], ['reduction_concat_reduce_8', [null, 7, 7, 704]], ['normal_concat_12', [null, 7, 7, 1056]]],
  },
  { cls: 'NASNetLarge', name: 'nasnet_large', layers: 1041, total: 88_949_818, probes: [['normal_concat_18', [null, 11, 11, 4032]]] },
  {
    cls: 'ConvNeXtTiny', name: 'convnext_tiny', layers: 135, total: 28_589_128,
    // The stem is 4×4/4: 56; each downsampling block halves it.
    probes: [['convnext_tiny_stem', [null, 56, 56, 96]], ['convnext_tiny_stage_2_block_8_identity', [null, 14, 14, 384]], ['convnext_tiny_downsampling_block_2', [null, 7, 7, 768]], ['convnext_tiny_head_layernorm', [null, 768]]],
  },
  {
    cls: 'InceptionResNetV2', name: 'inception_resnet_v2', layers: 782, total: 55_873_736,
    // 299 → 149 → 147 → 73 → 71 → 35 (mixed_5b: 96 + 64 + 96 + 64 = 320) → 17 (mixed_6a: 384 + 384 + 320) → 8 (mixed_7a: 384 + 288 + 320 + 1088).
    probes: [['mixed_5b', [null, 35, 35, 320]], ['block17_20_ac', [null, 17, 17, 1088]], ['mixed_7a', [null, 8, 8, 2080]], ['conv_7b_ac', [null, 8, 8, 1536]]],
  },
  // 299 → 149 → 147 → 74 → 37 → 19 → 10.
  { cls: 'Xception', name: 'xception', layers: 134, total: 22_910_480, probes: [['block4_pool', [null, 19, 19, 728]], ['block14_sepconv2_act', [null, 10, 10, 2048]]] },
];

for (const f of FAMILIES) {
  test(`${f.cls}: ${f.layers} layers, ${f.total.toLocaleString('en-US')} params, get_layer(...).output shapes`, async () => {
    const probes = f.probes.map(([n], i) => `p${i} = keras.Model(base.input, base.get_layer("${n}").output)\n`).join('');
    const ms = await models(`import keras\nbase = keras.applications.${f.cls}(${f.args ?? ''})\nbase.summary()\n${probes}`);
    const base = named(ms, f.name);
    // `len(model.layers)`: the summary rows less the tensor operations Keras 3's summary also lists
    // (MobileNetV3's hard_sigmoid `x + 3.0` / `* (1 / 6)`, ConvNeXt's residual additions).
    assert.equal(base.layers.filter((l) => !l.operation).length, f.layers);
    assert.equal(base.totalParams, f.total);
    assert.equal(base.layers[0].className, 'InputLayer');
    assert.deepEqual(base.diagnostics, []);
    f.probes.forEach(([n, shape], i) => {
      assert.deepEqual(named(ms, `p${i}`).outputShape, shape, n);
      assert.deepEqual(base.layers.find((l) => l.name === n)?.outputShape, shape, n);
    });
  });
}

test('every graph application: the layer rules agree with the replay sums, with and without the top, at other sizes', () => {
  const settings: LayerConfig[] = [{}, { include_top: false }, { include_top: false, pooling: 'avg', input_shape: [160, 160, 3] }, { weights: null, classes: 10 }, { include_top: false, input_shape: [256, 320, 3], pooling: 'max' }];
  for (const cls of applicationClassNames) {
    for (const config of settings) {
      const builder = new GraphBuilder();
      const built = buildApplication(builder, cls, config);
      // NASNetLarge without the top builds on (None, None, 3), which its cells cannot (Keras fails; the layer's rule says why).
      if (cls === 'NASNetLarge' && config.include_top === false && !config.input_shape) {
        assert.equal(built, null);
        continue;
      }
      assert.ok(built, `${cls} ${JSON.stringify(config)}`);
      const p = builder.modelParams(built.model);
      assert.deepEqual([p.trainable, p.nonTrainable], [built.replayParams.trainable, built.replayParams.nonTrainable], `${cls} ${JSON.stringify(config)}`);
      assert.deepEqual(builder.sink.items, [], `${cls} ${JSON.stringify(config)}`);
    }
  }
});

test('include_top=False, pooling, input_shape, weights=None with classes', async () => {
  const ms = await models(`
import keras
a = keras.applications.ResNet50(include_top=False, pooling="avg", input_shape=(160, 160, 3))
b = keras.applications.ResNet50(include_top=False, input_shape=(160, 160, 3))
c = keras.applications.MobileNetV2(weights=None, classes=10)
d = keras.applications.VGG16(include_top=False, pooling="max")
e = keras.applications.EfficientNetB0(include_top=False, weights=None)
`);
  // No top: 25,636,712 − (2048·1000 + 1000) = 23,587,712 at any size; 160 / 32 = 5.
  const a = named(ms, 'resnet50');
  assert.deepEqual([a.layers.length, a.outputShape, a.totalParams], [176, [null, 2048], 23_587_712]);
  assert.deepEqual(a.layers.at(-1)?.name, 'avg_pool');
  const b = ms.filter((m) => m.name === 'resnet50')[1];
  assert.deepEqual([b.layers.length, b.outputShape, b.totalParams], [175, [null, 5, 5, 2048], 23_587_712]);
  // weights=None, classes=10: 3,538,984 − 1280·990 − 990 = 2,270,794; the name keeps the 224 rows.
  const c = named(ms, 'mobilenetv2_1.00_224');
  assert.deepEqual([c.outputShape, c.totalParams, c.layers.at(-1)?.params], [[null, 10], 2_270_794, 12_810]);
  // VGG16's pooling layers are named automatically.
  const d = named(ms, 'vgg16');
  assert.deepEqual([d.layers.at(-1)?.name, d.layers.at(-1)?.className, d.outputShape, d.totalParams], ['global_max_pooling2d', 'GlobalMaxPooling2D', [null, 512], 14_714_688]);
  // weights=None: no third Rescaling (imagenet only), so 241 − 3 (top) − 1 = 237 layers; (None, None, 3).
  const e = named(ms, 'efficientnetb0');
  assert.deepEqual([e.layers.length, e.outputShape, e.totalParams], [237, [null, null, null, 1280], 5_330_571 - 1_281_000]);
});

test('import spellings: tf.keras.applications, from keras.applications import, keras.applications.resnet50.ResNet50', async () => {
  const ms = await models(`
import tensorflow as tf
import keras
from keras.applications import ResNet50
from tensorflow.keras.applications.mobilenet_v2 import MobileNetV2
a = tf.keras.applications.VGG16(include_top=False)
b = ResNet50(include_top=False, name="backbone")
c = keras.applications.resnet50.ResNet50(include_top=False)
d = MobileNetV2(include_top=False, input_shape=(96, 96, 3))
`);
  assert.deepEqual(
    ms.map((m) => [m.name, m.layers.length, m.totalParams]),
    [['vgg16', 19, 14_714_688], ['backbone', 175, 23_587_712], ['resnet50', 175, 23_587_712], ['mobilenetv2_1.00_96', 154, 2_257_984]],
  );
  // Each application makes its own Input (input_layer, input_layer_1, ...), as Keras names them.
  assert.deepEqual(ms.map((m) => m.layers[0].name), ['input_layer', 'input_layer_1', 'input_layer_2', 'input_layer_3']);
});

test('an application used as a layer is one Functional row with its totals; len(base.layers) is Keras\'', async () => {
  const ms = await models(`
import keras
base = keras.applications.ResNet50(include_top=False, input_shape=(224, 224, 3))
base.trainable = False
inputs = keras.Input(shape=(224, 224, 3))
x = base(inputs, training=False)
x = keras.layers.GlobalAveragePooling2D()(x)
outputs = keras.layers.Dense(len(base.layers))(x)
model = keras.Model(inputs, outputs)
clf = keras.Sequential([keras.applications.MobileNetV2(include_top=False, input_shape=(160, 160, 3)), keras.layers.GlobalAveragePooling2D()])
`);
  const m = named(ms, 'model');
  // 175 layers without the top; Dense(175) on 2048 inputs: 2048·175 + 175 = 358,575.
  assert.deepEqual(
    m.layers.map((l) => [l.name, l.className, l.outputShape, l.params]),
    [
      ['input_layer_1', 'InputLayer', [null, 224, 224, 3], 0],
      ['resnet50', 'Functional', [null, 7, 7, 2048], 23_587_712],
      ['global_average_pooling2d', 'GlobalAveragePooling2D', [null, 2048], 0],
      ['dense', 'Dense', [null, 175], 358_575],
    ],
  );
  assert.deepEqual([m.trainableParams, m.nonTrainableParams], [358_575, 23_587_712]);
  const clf = named(ms, 'clf');
  assert.deepEqual(clf.layers.map((l) => [l.className, l.outputShape, l.params]), [['Functional', [null, 5, 5, 1280], 2_257_984], ['GlobalAveragePooling2D', [null, 1280], 0]]);
});

test('fine-tuning: for layer in base.layers[:100]: layer.trainable = False', async () => {
  const ms = await models(`
import tensorflow as tf
base_model = tf.keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
base_model.trainable = True
fine_tune_at = 100
for layer in base_model.layers[:fine_tune_at]:
    layer.trainable = False
inputs = tf.keras.Input(shape=(160, 160, 3))
x = base_model(inputs, training=False)
x = tf.keras.layers.GlobalAveragePooling2D()(x)
x = tf.keras.layers.Dropout(0.2)(x)
outputs = tf.keras.layers.Dense(1)(x)
model = tf.keras.Model(inputs, outputs)
`);
  // layers[:100] of the 154 (no top) are the Input through block_11_expand_BN (block 1 and the
  // strided blocks 3 and 6 have 9 layers with their pad, blocks with an add 9, block 10 8). Their
  // trainable weights, by hand: Conv1 864 + bn_Conv1 64 + block 0 (288 + 64 + 512 + 32) + blocks
  // 1–10 and block_11_expand 96·576 + its BN 2·576 = 396,544 − 34,112 → the split moves by 362,432:
  // trainable 2,223,872 − 362,432 = 1,861,440; non-trainable 34,112 + 362,432 = 396,544. With the head
  // (Dense 1280 + 1): 1,862,721 trainable of 2,259,265, the figures TensorFlow's tutorial prints.
  const m = named(ms, 'model');
  assert.deepEqual([m.totalParams, m.trainableParams, m.nonTrainableParams], [2_259_265, 1_862_721, 396_544]);
  const base = named(ms, 'mobilenetv2_1.00_160');
  assert.deepEqual([base.trainableParams, base.nonTrainableParams], [1_861_440, 396_544]);
  const row = (n: string) => base.layers.find((l) => l.name === n)!;
  assert.deepEqual([row('block_11_expand_BN').trainableParams, row('block_11_expand_relu').trainableParams, row('block_11_depthwise').trainableParams], [0, 0, 5_184]);
});

test('a U-Net encoder from MobileNetV2 get_layer outputs, with an exact decoder', async () => {
  const ms = await models(`
import tensorflow as tf
from tensorflow.keras import layers

backbone = tf.keras.applications.MobileNetV2(input_shape=[128, 128, 3], include_top=False)
names = ["block_1_expand_relu", "block_3_expand_relu", "block_6_expand_relu", "block_13_expand_relu", "block_16_project"]
encoder = tf.keras.Model(inputs=backbone.input, outputs=[backbone.get_layer(n).output for n in names], name="encoder")
encoder.trainable = False

inputs = layers.Input(shape=[128, 128, 3])
skips = encoder(inputs)
x = skips[-1]
for filters, skip in zip([512, 256, 128, 64], reversed(skips[:-1])):
    x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Concatenate()([x, skip])
outputs = layers.Conv2DTranspose(3, 3, strides=2, padding="same")(x)
unet = tf.keras.Model(inputs, outputs, name="unet")
`);
  const enc = named(ms, 'encoder');
  // The encoder keeps MobileNetV2's layers up to block_16_project: the no-top 2,257,984 less Conv_1
  // (320·1280), Conv_1_bn (4·1280) and block_16_project_BN (4·320) = 1,841,984.
  assert.equal(enc.totalParams, 1_841_984);
  assert.deepEqual(enc.outputShape, [[null, 64, 64, 96], [null, 32, 32, 144], [null, 16, 16, 192], [null, 8, 8, 576], [null, 4, 4, 320]]);
  const unet = named(ms, 'unet');
  // Conv2DTranspose k·k·c_in·filters (no bias); 4·filters BatchNormalization; the last one with bias.
  assert.deepEqual(
    unet.layers.map((l) => [l.className, l.outputShape, l.params]),
    [
      ['InputLayer', [null, 128, 128, 3], 0],
      ['Functional', [[null, 64, 64, 96], [null, 32, 32, 144], [null, 16, 16, 192], [null, 8, 8, 576], [null, 4, 4, 320]], 1_841_984],
      ['Conv2DTranspose', [null, 8, 8, 512], 1_474_560], // 9·320·512
      ['BatchNormalization', [null, 8, 8, 512], 2_048],
      ['ReLU', [null, 8, 8, 512], 0],
      ['Concatenate', [null, 8, 8, 1088], 0], // 512 + 576
      ['Conv2DTranspose', [null, 16, 16, 256], 2_506_752], // 9·1088·256
      ['BatchNormalization', [null, 16, 16, 256], 1_024],
      ['ReLU', [null, 16, 16, 256], 0],
      ['Concatenate', [null, 16, 16, 448], 0], // 256 + 192
      ['Conv2DTranspose', [null, 32, 32, 128], 516_096], // 9·448·128
      ['BatchNormalization', [null, 32, 32, 128], 512],
      ['ReLU', [null, 32, 32, 128], 0],
      ['Concatenate', [null, 32, 32, 272], 0], // 128 + 144
      ['Conv2DTranspose', [null, 64, 64, 64], 156_672], // 9·272·64
      ['BatchNormalization', [null, 64, 64, 64], 256],
      ['ReLU', [null, 64, 64, 64], 0],
      ['Concatenate', [null, 64, 64, 160], 0], // 64 + 96
      ['Conv2DTranspose', [null, 128, 128, 3], 4_323], // 9·160·3 + 3
    ],
  );
  // 6,504,227 in all (the figure of TensorFlow's segmentation tutorial); the frozen encoder and the
  // decoder's moving statistics 2·(512 + 256 + 128 + 64) = 1,920 are not trained.
  assert.deepEqual([unet.totalParams, unet.trainableParams, unet.nonTrainableParams], [6_504_227, 4_660_323, 1_843_904]);
});

test('a bare application with summary() is a model; base.output feeds a head; one still used as a layer is one row', async () => {
  const ms = await models(`
import keras
base = keras.applications.DenseNet121(include_top=False, input_shape=(224, 224, 3))
base.summary()
x = keras.layers.GlobalAveragePooling2D()(base.output)
head = keras.Model(base.input, keras.layers.Dense(2)(x), name="head")
inputs = keras.Input(shape=(224, 224, 3))
y = keras.applications.ConvNeXtTiny(include_top=False)(inputs)
conv = keras.Model(inputs, y, name="conv")
`);
  const base = named(ms, 'densenet121');
  assert.equal(base.layers.length, 427);
  // The head model reaches base.output through every DenseNet layer: 427 + GAP + Dense (1024·2 + 2).
  const head = named(ms, 'head');
  assert.equal(head.layers.length, 429);
  assert.equal(head.totalParams, 8_062_504 - 1_025_000 + 2_050);
  // ConvNeXtTiny called on a tensor: one Functional row (28,589,128 − 768·1000 − 1000); its stem and
  // downsampling Sequentials make Inputs of their own (input_layer_2 … _6), as Keras names them.
  const conv = named(ms, 'conv');
  assert.deepEqual(conv.layers.map((l) => [l.name, l.className, l.outputShape, l.params]), [['input_layer_1', 'InputLayer', [null, 224, 224, 3], 0], ['convnext_tiny', 'Functional', [null, 7, 7, 768], 27_820_128]]);
});

test('settings Shape Lens cannot read, or a ValueError, keep the application one layer with its diagnostics', async () => {
  const { json } = await analyze(`
import keras
inputs = keras.Input(shape=(224, 224, 3))
a = keras.applications.ResNet50(include_top=flag)(inputs)
b = keras.applications.ResNet50(weights="imagenet", classes=10)(inputs)
m = keras.Model(inputs, [a, b])
`);
  const m = json.models.find((x) => x.name === 'm')!;
  assert.deepEqual(m.layers.map((l) => l.className), ['InputLayer', 'Functional', 'Functional']);
  assert.ok(json.diagnostics.concat(m.diagnostics).some((d) => d.code === 'invalid-config'));
});

test('calling an application checks the tensor against its Input, as Functional.input_spec does', async () => {
  const { json } = await analyze(`
import keras
base = keras.applications.ResNet50()
inp = keras.Input((160, 160, 3))
m = keras.Model(inp, base(inp))
free = keras.applications.ResNet50(include_top=False)
m2 = keras.Model(inp, free(inp))
`);
  const diags = json.models.flatMap((m) => m.diagnostics).concat(json.diagnostics);
  assert.deepEqual(
    diags.filter((d) => d.code === 'shape-mismatch').map((d) => d.message),
    ['Input 0 of layer "resnet50" is incompatible with the layer: expected shape=(None, 224, 224, 3), found shape=(None, 160, 160, 3).'],
  );
  assert.deepEqual(json.models.find((m) => m.name === 'm')!.layers[1].outputShape, '?');
  // Built on (None, None, 3): any size fits; 160 / 32 = 5.
  assert.deepEqual(json.models.find((m) => m.name === 'm2')!.layers[1].outputShape, [null, 5, 5, 2048]);
});

test('fine-tuning the last 20 layers: for layer in base.layers[:-20]', async () => {
  const ms = await models(`
import keras
base = keras.applications.ResNet50(include_top=False, weights="imagenet", input_shape=(224, 224, 3))
base.trainable = True
for layer in base.layers[:-20]:
    layer.trainable = False
`);
  // The last 20 of the 175 layers are conv5_block2 and conv5_block3 (10 each). An identity block of
  // 512 filters trains 1_conv 2048·512 + 512 = 1,049,088, 1_bn 2·512, 2_conv 9·512·512 + 512 =
  // 2,359,808, 2_bn 2·512, 3_conv 512·2048 + 2048 = 1,050,624, 3_bn 2·2048: 4,465,664; two: 8,931,328.
  const base = named(ms, 'resnet50');
  assert.deepEqual([base.totalParams, base.trainableParams, base.nonTrainableParams], [23_587_712, 8_931_328, 23_587_712 - 8_931_328]);
  assert.deepEqual(base.layers.slice(-20).map((l) => l.name.slice(0, 12)), [...Array(10).fill('conv5_block2'), ...Array(10).fill('conv5_block3')]);
});
