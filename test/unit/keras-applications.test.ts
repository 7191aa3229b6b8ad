// Keras Applications 1.0.8 (Debian's python3-keras-applications), unmodified and analysed in place:
// each application function called with its defaults gives Keras' published total, Keras' model
// name, and the output shape and params of two named layers. The package must be installed (CI
// installs it); without it these tests fail, they do not skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeOnDisk } from './helpers/python';
import { allDiagnostics } from './helpers/fixture-asserts';
import type { JsonFile, JsonModel } from '../../src/core/analysis';

const PACKAGE = '/usr/lib/python3/dist-packages/keras_applications';

function packageFile(name: string): string {
  const p = path.join(PACKAGE, name);
  if (!fs.existsSync(p)) {
    assert.fail(`${p} is missing: install Debian's Keras Applications 1.0.8 with \`apt-get install python3-keras-applications\` (these tests analyse its unmodified source in place).`);
  }
  return p;
}

type Shape = (number | null)[];

interface App {
  file: string;
  /** The application function (documentation only: models are found by name and order). */
  fn: string;
  name: string;
  /** Which model of that name in the file (NASNetLarge and NASNetMobile are both "NASNet"). */
  nth?: number;
  /** `Total params` Keras prints for the function called with its defaults (keras.io/api/applications, the keras-applications README). */
  total: number;
  layers: [name: string, shape: Shape, params: number][];
}

// Every layer figure below is computed by hand from the layer's formula (Conv2D: k·k·c_in·filters
// (+filters bias); Dense: in·units + units; BatchNormalization: 4·C; SeparableConv2D: k·k·c_in +
// c_in·filters; 'valid': floor((n − k) / s) + 1, 'same': ceil(n / s)) on the input sizes Keras uses
// (224, or 299 for Inception/Xception, 331 for NASNetLarge). They agree with Keras' printed summaries.
const APPS: App[] = [
  {
    file: 'vgg16.py', fn: 'VGG16', name: 'vgg16', total: 138_357_544,
    layers: [
      ['block1_conv1', [null, 224, 224, 64], 1_792], // 3·3·3·64 + 64
      ['fc1', [null, 4096], 102_764_544], // 7·7·512 = 25,088 inputs: 25,088·4,096 + 4,096
    ],
  },
  {
    file: 'vgg19.py', fn: 'VGG19', name: 'vgg19', total: 143_667_240,
    layers: [
      ['block5_conv4', [null, 14, 14, 512], 2_359_808], // 3·3·512·512 + 512
      ['predictions', [null, 1000], 4_097_000], // 4,096·1,000 + 1,000
    ],
  },
  {
    file: 'resnet50.py', fn: 'ResNet50', name: 'resnet50', total: 25_636_712,
    layers: [
      ['conv1', [null, 112, 112, 64], 9_472], // 224 padded by 3 → 230, 7×7 stride 2 valid → 112; 7·7·3·64 + 64
      ['fc1000', [null, 1000], 2_049_000], // 2,048·1,000 + 1,000
    ],
  },
  {
    file: 'resnet_common.py', fn: 'ResNet50', name: 'resnet50', total: 25_636_712,
    layers: [
      ['conv1_conv', [null, 112, 112, 64], 9_472], // as above
      ['probs', [null, 1000], 2_049_000],
    ],
  },
  {
    file: 'resnet_common.py', fn: 'ResNet101', name: 'resnet101', total: 44_707_176,
    layers: [
      ['conv4_block23_out', [null, 14, 14, 1024], 0], // 224 / 16 = 14; 4·256 channels
      ['probs', [null, 1000], 2_049_000],
    ],
  },
  {
    file: 'resnet_common.py', fn: 'ResNet152', name: 'resnet152', total: 60_419_944,
    layers: [
      ['conv4_block36_out', [null, 14, 14, 1024], 0],
      ['probs', [null, 1000], 2_049_000],
    ],
  },
  {
    file: 'resnet_common.py', fn: 'ResNet50V2', name: 'resnet50v2', total: 25_613_800,
    layers: [
      ['post_bn', [null, 7, 7, 2048], 8_192], // 4·2,048
      ['probs', [null, 1000], 2_049_000],
    ],
  },
  {
    file: 'mobilenet.py', fn: 'MobileNet', name: 'mobilenet_1.00_224', total: 4_253_864,
    layers: [
      ['conv1', [null, 112, 112, 32], 864], // 224 padded to 225, 3×3 stride 2 valid → 112; 3·3·3·32, no bias
      ['conv_preds', [null, 1, 1, 1000], 1_025_000], // 1×1 conv: 1,024·1,000 + 1,000
    ],
  },
  {
    file: 'mobilenet_v2.py', fn: 'MobileNetV2', name: 'mobilenetv2_1.00_224', total: 3_538_984,
    layers: [
      ['Conv_1', [null, 7, 7, 1280], 409_600], // 1×1 conv 320 → 1,280, no bias
      ['Logits', [null, 1000], 1_281_000], // 1,280·1,000 + 1,000
    ],
  },
  {
    file: 'inception_v3.py', fn: 'InceptionV3', name: 'inception_v3', total: 23_851_784,
    layers: [
      ['mixed0', [null, 35, 35, 256], 0], // 299 → 149 → 147 → 147 → pool 73 → 73 → 71 → pool 35; 64 + 64 + 96 + 32 channels
      ['predictions', [null, 1000], 2_049_000], // 2,048·1,000 + 1,000
    ],
  },
  {
    file: 'xception.py', fn: 'Xception', name: 'xception', total: 22_910_480,
    layers: [
      ['block1_conv1', [null, 149, 149, 32], 864], // 299, 3×3 stride 2 valid → 149; 3·3·3·32, no bias
      ['block14_sepconv2', [null, 10, 10, 2048], 3_159_552], // 3·3·1,536 + 1,536·2,048, no bias
    ],
  },
  {
    file: 'densenet.py', fn: 'DenseNet121', name: 'densenet121', total: 8_062_504,
    layers: [
      ['conv1/conv', [null, 112, 112, 64], 9_408], // 7·7·3·64, no bias
      ['fc1000', [null, 1000], 1_025_000], // 1,024·1,000 + 1,000
    ],
  },
  {
    file: 'densenet.py', fn: 'DenseNet169', name: 'densenet169', total: 14_307_880,
    layers: [
      ['conv1/conv', [null, 112, 112, 64], 9_408],
      ['fc1000', [null, 1000], 1_665_000], // 1,664·1,000 + 1,000
    ],
  },
  {
    file: 'densenet.py', fn: 'DenseNet201', name: 'densenet201', total: 20_242_984,
    layers: [
      ['conv1/conv', [null, 112, 112, 64], 9_408],
      ['fc1000', [null, 1000], 1_921_000], // 1,920·1,000 + 1,000
    ],
  },
  {
    file: 'inception_resnet_v2.py', fn: 'InceptionResNetV2', name: 'inception_resnet_v2', total: 55_873_736,
    layers: [
      ['conv_7b', [null, 8, 8, 1536], 3_194_880], // 1×1 conv 2,080 → 1,536, no bias
      ['predictions', [null, 1000], 1_537_000], // 1,536·1,000 + 1,000
    ],
  },
  {
    file: 'nasnet.py', fn: 'NASNetLarge', name: 'NASNet', nth: 0, total: 88_949_818,
    layers: [
      ['stem_conv1', [null, 165, 165, 96], 2_592], // 331, 3×3 stride 2 valid → 165; 3·3·3·96, no bias
      ['predictions', [null, 1000], 4_033_000], // 4,032·1,000 + 1,000
    ],
  },
  {
    file: 'nasnet.py', fn: 'NASNetMobile', name: 'NASNet', nth: 1, total: 5_326_716,
    layers: [
      ['stem_conv1', [null, 111, 111, 32], 864], // 224, 3×3 stride 2 valid → 111; 3·3·3·32
      ['predictions', [null, 1000], 1_057_000], // 1,056·1,000 + 1,000
    ],
  },
];

const analyses = new Map<string, JsonFile>();
async function analysed(file: string): Promise<JsonFile> {
  let json = analyses.get(file);
  if (!json) {
    json = (await analyzeOnDisk(packageFile(file))).json;
    analyses.set(file, json);
  }
  return json;
}

function modelOf(json: JsonFile, app: App): JsonModel {
  const named = json.models.filter((m) => m.name === app.name);
  const m = named[app.nth ?? 0];
  assert.ok(m, `${app.fn}: no model named "${app.name}" in ${app.file}; models: ${JSON.stringify(json.models.map((x) => x.name))}`);
  return m;
}

for (const app of APPS) {
  test(`keras_applications ${app.file} ${app.fn}(): "${app.name}", ${app.total.toLocaleString('en-US')} params, as Keras publishes`, async () => {
    const m = modelOf(await analysed(app.file), app);
    assert.equal(m.totalParams, app.total, `${app.fn} total`);
    for (const [name, shape, params] of app.layers) {
      const layer = m.layers.find((l) => l.name === name);
      assert.ok(layer, `${app.fn}: layer ${name} missing`);
      assert.deepEqual({ shape: layer.outputShape, params: layer.params }, { shape, params }, `${app.fn}: layer ${name}`);
    }
  });
}

test('keras_applications: no error on any file of the package; warnings only where a shape is truly lost; re-exporting modules build nothing', async () => {
  const files = fs.readdirSync(path.dirname(packageFile('__init__.py'))).filter((f) => f.endsWith('.py')).sort();
  assert.ok(files.length >= 16, `expected the 16 modules of keras_applications 1.0.8, found ${files.length}`);
  for (const f of files) {
    const diags = allDiagnostics(await analysed(f));
    assert.deepEqual(diags.filter((d) => d.severity === 'error').map((d) => `${f}:${d.line} ${d.code}: ${d.message}`), [], `${f}: errors`);
    // ResNeXt's grouped convolution sums slices in a Lambda without output_shape: its shape cannot be
    // known without running it (the Reshape after it restores it). Nothing else is lost.
    const warned = new Set(diags.filter((d) => d.severity === 'warning').map((d) => d.code));
    assert.deepEqual([...warned], f === 'resnet_common.py' ? ['lambda-shape'] : [], `${f}: warnings`);
  }
  for (const f of ['__init__.py', 'imagenet_utils.py', 'resnet.py', 'resnet_v2.py', 'resnext.py']) assert.deepEqual((await analysed(f)).models.map((m) => m.name), [], f);
  // resnet_common.py defines every ResNet, ResNetV2 and ResNeXt builder (ResNeXt totals from the keras-applications README).
  const common = await analysed('resnet_common.py');
  assert.deepEqual(
    common.models.map((m) => [m.name, m.totalParams]),
    [
      ['resnet50', 25_636_712], ['resnet101', 44_707_176], ['resnet152', 60_419_944],
      ['resnet50v2', 25_613_800], ['resnet101v2', 44_675_560], ['resnet152v2', 60_380_648],
      ['resnext50', 25_097_128], ['resnext101', 44_315_560],
    ],
  );
});
