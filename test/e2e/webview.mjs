// The pooling preview's webview in plain headless Chromium, without VS Code: the built bundle
// (dist/webview) in a page that stands in for the host (posts `show` / `image` messages, records
// what the webview posts) with VS Code's dark theme variables. Fast checks of the interactions;
// the same panel is checked inside code-server by e2e.mjs.
//   node esbuild.mjs && node test/e2e/webview.mjs [--shots]
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, loadPlaywright } from '../vscode/run-code-server.mjs';
import { check, summary } from './check.mjs';
import { pageHtml, targetsOf } from './page.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = process.env.SHAPE_LENS_CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.argv.includes('--shots');

const { chromium } = loadPlaywright();
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) errors.push(m.text());
  });
  await page.goto(pageHtml());
  const show = async (target) => {
    await page.evaluate((t) => window.postMessage({ type: 'show', target: t }, '*'), target);
    if (target) await page.locator(`#app[data-target="${target.key}"]`).waitFor();
  };
  const text = (sel) => page.locator(sel).innerText();

  await check('starts with the seed example and asks the host what to show', async () => {
    await page.locator('#grid-1').waitFor({ timeout: 20_000 });
    assert.deepEqual(await page.evaluate(() => window.posted), [{ type: 'ready' }]);
    await show(null);
    assert.match(await text('#shape-0'), /4×4×1/);
    assert.match(await text('#shape-1'), /2×2×1/);
    assert.deepEqual(await page.locator('#grid-1 .cell').allInnerTexts(), ['4', '5', '8', '9']);
    assert.match(await text('#formula-1'), /height: ⌊\(4 − 2\)\/2⌋ \+ 1 = 2/);
    assert.match(await text('#status'), /backend: (webgl|cpu)/);
  });

  await check('hovering an output cell highlights its window and explains the value', async () => {
    await page.locator('#grid-1 .cell').first().hover();
    assert.deepEqual(await page.locator('#grid-0 .cell.in-window').allInnerTexts(), ['1', '3', '2', '4']);
    assert.match(await text('#explain'), /max\(1, 3, 2, 4\) = 4/);
  });

  await check('input and output side by side at a normal width: the hovered window and its output cell both in view', async () => {
    const a = await page.locator('#grid-0').boundingBox();
    const b = await page.locator('#grid-1').boundingBox();
    assert.ok(b.x >= a.x + a.width, `output at x ${b.x}, input ends at ${a.x + a.width}`);
    assert.ok(Math.abs(b.y - a.y) < 1, `tops ${a.y} / ${b.y}`);
    assert.equal(await page.locator('#pair-1.side-by-side').count(), 1);
  });

  await check('translation demo on the seed example: 1 px right, max pooling changes 2 of 4 outputs, average all 4', async () => {
    await page.click('#shift-right');
    assert.deepEqual((await page.locator('#grid-0 .cell').allInnerTexts()).slice(0, 4), ['0', '1', '3', '5']);
    assert.deepEqual(await page.locator('#grid-1 .cell').allInnerTexts(), ['2', '5', '7', '9']);
    assert.match(await text('#map-0 figcaption'), /shifted 1 px right/);
    assert.equal(await text('#shift-max'), 'Max pooling: 2 of 4 output values changed, by at most 2');
    assert.equal(await text('#shift-avg'), 'average pooling: 4 of 4 output values changed, by at most 2.5');
    // The two max-pooled cells that changed (4 → 2, 8 → 7) are marked.
    assert.deepEqual(await page.locator('#grid-1 .cell.changed').allInnerTexts(), ['2', '7']);
    await page.click('#shift-reset');
    assert.equal(await page.locator('#grid-1 .cell.changed').count(), 0);
    assert.deepEqual(await page.locator('#grid-1 .cell').allInnerTexts(), ['4', '5', '8', '9']);
    assert.equal(await page.locator('#shift-max').count(), 0);
  });

  await check('average pooling gives 2.5 for [[1, 3], [2, 4]]', async () => {
    await page.selectOption('#s1-mode', 'avg');
    assert.deepEqual(await page.locator('#grid-1 .cell').allInnerTexts(), ['2.5', '2', '5', '5']);
    await page.locator('#grid-1 .cell').first().hover();
    assert.match(await text('#explain'), /\(1 \+ 3 \+ 2 \+ 4\) \/ 4 = 2\.5/);
  });

  await check('hovering an input cell highlights every output cell it feeds (overlapping windows)', async () => {
    await page.fill('#s1-sh', '1');
    await page.fill('#s1-sw', '1');
    assert.match(await text('#shape-1'), /3×3×1/);
    await page.locator('#grid-0 .cell').nth(5).hover(); // row 1, column 1: in four 2×2 windows
    assert.equal(await page.locator('#grid-1 .cell.fed').count(), 4);
    assert.match(await text('#explain'), /feeds 4 output cells/);
  });

  await check("padding 'same' draws the padding and ⌈n/s⌉", async () => {
    await page.fill('#s1-ph', '3');
    await page.fill('#s1-pw', '3');
    await page.fill('#s1-sh', '2');
    await page.fill('#s1-sw', '2');
    await page.selectOption('#s1-padding', 'same');
    assert.match(await text('#formula-1'), /height: ⌈4\/2⌉ = 2/);
    assert.equal(await page.locator('#grid-0 .pad-ring').count(), 1);
    await page.locator('#grid-1 .cell').nth(3).hover(); // bottom-right window reaches into the padding
    assert.equal(await page.locator('#grid-0 .hl-window.hl-padded').count(), 1);
    assert.match(await text('#explain'), /padded cells? (is|are) ignored/);
  });

  await check('a window larger than the input with valid padding is explained, not crashed', async () => {
    await page.selectOption('#s1-padding', 'valid');
    await page.fill('#s1-ph', '5');
    assert.match(await text('#stage-error'), /does not fit/);
  });

  await check('keyboard: Tab to a grid, arrows move the highlighted window', async () => {
    await page.fill('#s1-ph', '2');
    await page.fill('#s1-pw', '2');
    await page.locator('#grid-1').focus();
    await page.keyboard.press('ArrowRight');
    assert.match(await text('#explain'), /Stage 1 output \[0, 1\]/);
    assert.equal(await page.locator('#grid-0 .cell.in-window').count(), 4);
  });

  const layerTarget = {
    key: 'file:///seed.py#layer:max_pooling2d',
    layer: { name: 'max_pooling2d', className: 'MaxPooling2D', line: 30, inputShape: '(None, 222, 222, 10)', outputShape: '(None, 111, 111, 10)', dataFormat: 'channels_last', settings: { mode: 'max', poolSize: [2, 2], strides: [2, 2], padding: 'valid' } },
    featureMap: { height: 222, width: 222, channels: 10 },
    model: {
      name: 'model_with_pooling', paramsWith: 8861, paramsWithout: 477341, removed: ['max_pooling2d', 'max_pooling2d_1', 'max_pooling2d_2'],
      pooling: ['', '_1', '_2'].map((s, i) => ({ name: `max_pooling2d${s}`, className: 'MaxPooling2D', line: 30 + 2 * i, inputShape: '?', outputShape: '?', dataFormat: 'channels_last', settings: { mode: 'max', poolSize: [2, 2], strides: [2, 2], padding: 'valid' } })),
    },
  };

  await check("opened on a layer: its settings, its input size, the model's params with and without pooling", async () => {
    await show(layerTarget);
    await page.locator('#keras-shape-1').waitFor();
    assert.match(await text('#title'), /max_pooling2d \(MaxPooling2D\)/);
    assert.equal(await text('#keras-shape-1'), '(None, 111, 111, 10)');
    assert.match(await text('#params-compare'), /8,861 params with its 3 pooling layers; 477,341 without them/);
    assert.match(await text('#reduction-1'), /49,284 → 12,321 positions per channel: 4× fewer activations/);
  });

  await check("'Use the model's pooling layers' without the model's JSON: chained, and it says so", async () => {
    await page.click('#use-model');
    assert.equal(await page.locator('section.stage').count(), 3);
    assert.match(await text('#shape-3'), /27×27×10/);
    assert.match(await text('#chained-note'), /Chained back to back: the model’s real path cannot run here \(Shape Lens could not export this model for tfjs\)/);
    await page.click('#s2-goto');
    assert.deepEqual(await page.evaluate(() => window.posted.at(-1)), { type: 'revealLine', line: 32 });
  });

  // The Keras MNIST convnet as the language server sends it (its JSON exported): the real path.
  const [lab] = await targetsOf(join(ROOT, 'test/fixtures/python/mnist_convnet.py'));
  const pool = lab.layers.find((l) => l.name === 'max_pooling2d').pooling;
  const mnistTarget = { key: 'mnist#layer:max_pooling2d', layer: pool, featureMap: { height: 26, width: 26, channels: 32 }, model: lab.preview };

  await check("MNIST convnet: 'Use the model's pooling layers' runs the model's real path, 26×26×32 → 13×13×32 → 11×11×64 → 5×5×64", async () => {
    await show(mnistTarget);
    await page.click('#use-model');
    await page.locator('#real-path').waitFor({ timeout: 30_000 });
    assert.deepEqual(await page.locator('#pipeline .shape').allInnerTexts(), ['26×26×32', '13×13×32', '11×11×64', '5×5×64']);
    assert.deepEqual(await page.locator('#pipeline .keras-shape').allInnerTexts(), ['(None, 26, 26, 32)', '(None, 13, 13, 32)', '(None, 11, 11, 64)', '(None, 5, 5, 64)']);
    assert.match(await text('#real-path'), /26×26×32 → 13×13×32 → 11×11×64 → 5×5×64$/);
    assert.match(await text('#between-1'), /From the model input the model runs conv2d \(Conv2D\)/);
    assert.match(await text('#between-2'), /After stage 1 the model runs conv2d_1 \(Conv2D\): what reaches max_pooling2d_1/);
    assert.equal(await page.locator('#chained-note').count(), 0);
    // A window of stage 2 lies in its real input (the conv output), not in stage 1's output.
    await page.locator('#grid-3').focus();
    assert.match(await text('#explain'), /^Stage 2 output \[0, 0\]: max\(/);
    assert.equal(await page.locator('#grid-2 .hl-window').count(), 1);
    assert.equal(await page.locator('#grid-1 .hl-window').count(), 0);
    assert.match(await text('#reduction-2'), /121 → 25 positions per channel/);
    // 2,440,960 MACs as written; 10,903,680 without max_pooling2d, 2,502,400 without max_pooling2d_1 (test/unit/pooling-macs.test.ts).
    assert.equal(await text('#macs-compare'), 'MACs per sample: 2.44 M with pooling, 11.2 M without (4.58× as many); FLOPs 4.94 M and 22.4 M.');
    assert.deepEqual((await page.locator('section.stage .saves').allInnerTexts()).map((t) => t.split(':')[0]), ['max_pooling2d saves 8.46 M MACs per sample', 'max_pooling2d_1 saves 61.4 k MACs per sample']);
  });

  await check("seed 002's model: its MACs with and without pooling, and what each pooling layer saves on its stage", async () => {
    const [, seed002] = await targetsOf(join(ROOT, 'test/fixtures/python/seed_002_max_pooling.py'));
    const first = seed002.preview.pooling[0];
    await show({ key: 'seed002#layer:max_pooling2d', layer: first, featureMap: { height: 222, width: 222, channels: 10 }, model: seed002.preview });
    assert.match(await text('#params-compare'), /8,861 params with its 3 pooling layers; 477,341 without them/);
    // Worked by hand in test/unit/pooling-macs.test.ts: 26,439,940 MACs with pooling, 100,113,520 without; FLOPs 54,155,091 and 201,679,121.
    assert.equal(await text('#macs-compare'), 'MACs per sample: 26.4 M with pooling, 100 M without (3.79× as many); FLOPs 54.2 M and 202 M.');
    assert.match(await page.locator('#macs-compare').getAttribute('title'), /With pooling: 26,439,940 MACs, 54,155,091 FLOPs\.\nWithout: 100,113,520 MACs, 201,679,121 FLOPs\./);
    assert.equal(await text('#saves-1'), 'max_pooling2d saves 41.0 M MACs per sample: taken out alone, the model would need 41.0 M more multiply-accumulates than its 26.4 M (the layers after it see a larger map).');
    await page.click('#use-model');
    await page.locator('#saves-3').waitFor({ timeout: 30_000 });
    assert.deepEqual(await page.locator('section.stage .saves').allInnerTexts(), [
      'max_pooling2d saves 41.0 M MACs per sample: taken out alone, the model would need 41.0 M more multiply-accumulates than its 26.4 M (the layers after it see a larger map).',
      'max_pooling2d_1 saves 7.89 M MACs per sample: taken out alone, the model would need 7.89 M more multiply-accumulates than its 26.4 M (the layers after it see a larger map).',
      'max_pooling2d_2 saves 20.3 k MACs per sample: taken out alone, the model would need 20.3 k more multiply-accumulates than its 26.4 M (the layers after it see a larger map).',
    ]);
    assert.match(await page.locator('#saves-2').getAttribute('title'), /max_pooling2d_1 saves 7,891,830 MACs\./);
    // A stage of no layer says nothing about savings.
    await page.click('#add-stage');
    assert.equal(await page.locator('#saves-4').count(), 0);
  });

  await check('unknown MACs read ? with the reason', async () => {
    const model = { ...mnistTarget.model, costWith: { macs: { value: null, text: '?', why: 'conv2d: a shape of conv2d is not known' }, flops: { value: null, text: '?', why: 'conv2d: a shape of conv2d is not known' } }, costWithout: { macs: { value: null, text: '?', why: 'conv2d: a shape of conv2d is not known' }, flops: { value: null, text: '?', why: 'x' } }, pooling: mnistTarget.model.pooling.map((l) => ({ ...l, saves: { value: null, text: '?', why: 'conv2d: a shape of conv2d is not known' } })) };
    await show({ ...mnistTarget, key: 'mnist#unknown-macs', model });
    assert.equal(await text('#macs-compare'), 'MACs per sample: ? with pooling, ? without; FLOPs ? and ? (? conv2d: a shape of conv2d is not known).');
    assert.equal(await text('#saves-1'), 'What max_pooling2d saves in MACs is not known (?): conv2d: a shape of conv2d is not known.');
  });

  await check("a Sequential used as a layer (nested_model.py): 'Use the model's pooling layers' runs its real path inside the nested model", async () => {
    const outer = (await targetsOf(join(ROOT, 'test/fixtures/python/nested_model.py'))).find((t) => t.name === 'species_classifier');
    await show({ key: 'nested', layer: outer.preview.pooling[0], featureMap: { height: 62, width: 62, channels: 16 }, model: outer.preview });
    await page.click('#use-model');
    await page.locator('#real-path').waitFor({ timeout: 30_000 });
    assert.deepEqual(await page.locator('#pipeline .shape').allInnerTexts(), ['62×62×16', '31×31×16', '29×29×32', '14×14×32', '12×12×64', '1×1×64']);
    assert.deepEqual(await page.locator('#pipeline .keras-shape').allInnerTexts(), ['(None, 62, 62, 16)', '(None, 31, 31, 16)', '(None, 29, 29, 32)', '(None, 14, 14, 32)', '(None, 12, 12, 64)', '(None, 64)']);
    assert.match(await text('#between-2'), /After stage 1 the model runs conv2d_1 \(Conv2D\): what reaches max_pooling2d_1/);
  });

  await check('3-D pooling (conv1d_3d.py volume_net): no real path, and the preview says why', async () => {
    const volume = (await targetsOf(join(ROOT, 'test/fixtures/python/conv1d_3d.py'))).find((t) => t.name === 'volume_net');
    await show({ key: 'volume', layer: volume.preview.pooling[0], featureMap: null, model: volume.preview });
    await page.click('#use-model');
    assert.match(await text('#chained-note'), /real path cannot run here \(max_pooling3d is 3-D pooling: the preview pools 2-D maps/);
    assert.equal(await page.locator('#real-path').count(), 0);
  });

  await check("opened from the model lab on a layer's real input: pools exactly those values", async () => {
    // A 4×4×2 map, value = its index: the 2×2 max of the top-left window of channel 1 is index (1·4+1)·2+1 = 11.
    const values = Float32Array.from({ length: 32 }, (_, i) => i);
    const b64 = Buffer.from(values.buffer).toString('base64');
    const map = { height: 4, width: 4, channels: 2, base64: b64 };
    const real = { label: 'digit 7 (MNIST sample #8 of 2,000), weights seed 0', map, modelInput: { height: 1, width: 1, channels: 1, base64: Buffer.from(new Float32Array(1).buffer).toString('base64') } };
    await show({ ...mnistTarget, key: 'mnist#real', featureMap: { height: 4, width: 4, channels: 2 }, real });
    assert.equal(await page.locator('#input-select').inputValue(), 'real');
    assert.match(await text('#input-note'), /What reaches max_pooling2d in the model lab \(digit 7 \(MNIST sample #8 of 2,000\), weights seed 0; untrained weights\)/);
    await page.selectOption('#view-select', '1');
    assert.deepEqual(await page.locator('#grid-1 .cell').allInnerTexts(), ['11', '15', '27', '31']);
  });

  await check('pipeline of seed 000: 28×28×3 → MaxPool 2×2 → 14×14×3 → AvgPool 2×2 → 7×7×3, RGB and per channel', async () => {
    await show({ key: 'k2', layer: null, featureMap: null, model: null });
    await page.selectOption('#input-select', 'colour');
    assert.equal(await page.locator('#view-select').inputValue(), 'rgb', 'the colour picture opens in RGB');
    await page.click('#add-stage');
    await page.selectOption('#s2-mode', 'avg');
    assert.deepEqual([await text('#shape-0'), await text('#shape-1'), await text('#shape-2')], ['28×28×3', '14×14×3', '7×7×3']);
    assert.equal(await page.locator('#grid-2 canvas').count(), 0, 'a 7×7 map is drawn as cells');
    assert.equal(await page.locator('#grid-0 canvas').count(), 1, 'a 28×28 map is drawn as an image');
    await page.selectOption('#view-select', '1');
    assert.match(await page.locator('#grid-2 .cell').first().innerText(), /^\d/);
  });

  await check('28×28 colour picture: the hovered window (input) and the output cell it makes are both in the viewport', async () => {
    await page.locator('#pair-1').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    const out = await page.locator('#grid-1').boundingBox();
    await page.mouse.move(out.x + out.width * 0.8, out.y + out.height * 0.8);
    const vp = page.viewportSize();
    const inView = (r) => r && r.x >= 0 && r.y >= 0 && r.x + r.width <= vp.width && r.y + r.height <= vp.height;
    const win = await page.locator('#grid-0 .hl-window').boundingBox();
    const cell = await page.locator('#grid-1 .hl-active').boundingBox();
    assert.ok(inView(win), `window ${JSON.stringify(win)}`);
    assert.ok(inView(cell), `output cell ${JSON.stringify(cell)}`);
    // Both maps are drawn 320 px tall (28 cells of 11.4 px, 14 of 22.9 px): the window is level with its output cell.
    assert.ok(Math.abs(win.y - (await page.locator('#grid-0').boundingBox()).y - (cell.y - out.y)) < 3, `window at ${win.y}, cell at ${cell.y}`);
    // The chained stage 2 draws stage 1's output again beside its own output; hovering there highlights both copies' windows.
    assert.equal(await page.locator('#grid-1-2').count(), 1);
    const copy = await page.locator('#grid-2').boundingBox();
    await page.mouse.move(copy.x + 5, copy.y + 5);
    assert.equal(await page.locator('#grid-1 .hl-window').count(), 1);
    assert.equal(await page.locator('#grid-1-2 .hl-window').count(), 1);
  });

  await check('translation demo on the digit: 1 px right, max pooling changes 28 of 196 outputs, average 49 (tfjs in node: pooling-preview.test.ts)', async () => {
    while ((await page.locator('section.stage').count()) > 1) await page.click('#s2-remove');
    await page.selectOption('#s1-mode', 'max');
    await page.selectOption('#input-select', 'digit');
    await page.click('#shift-right');
    assert.equal(await text('#shift-max'), 'Max pooling: 28 of 196 output values changed, by at most 0.908');
    assert.equal(await text('#shift-avg'), 'average pooling: 49 of 196 output values changed, by at most 0.5');
    assert.equal(await page.locator('#grid-1 canvas.changed-layer').count(), 1, 'the changed cells of the 14×14 image are tinted');
    await page.click('#shift-reset');
  });

  await check('a narrow panel stacks the input above the output, each scaled to the width', async () => {
    await page.setViewportSize({ width: 320, height: 1000 });
    await page.locator('#pair-1.stacked').waitFor();
    const a = await page.locator('#grid-0').boundingBox();
    const b = await page.locator('#grid-1').boundingBox();
    assert.ok(b.y >= a.y + a.height, `output at y ${b.y}, input ends at ${a.y + a.height}`);
    assert.ok(a.x + a.width <= 320 && b.x + b.width <= 320, `widths ${a.width} / ${b.width}`);
    await page.setViewportSize({ width: 900, height: 1000 });
    await page.locator('#pair-1.side-by-side').waitFor();
  });

  await check('a workspace image is decoded and pooled; a bad file gets a clear message', async () => {
    const png = readFileSync(join(ROOT, 'test/vscode/workspace/images/stripes.png')).toString('base64');
    await page.click('#pick-image');
    assert.deepEqual(await page.evaluate(() => window.posted.at(-1)), { type: 'pickImage' });
    await page.evaluate((b) => window.postMessage({ type: 'image', name: 'stripes.png', mime: 'image/png', base64: b }, '*'), png);
    await page.locator('#image-message', { hasText: 'Loaded stripes.png' }).waitFor();
    assert.match(await text('#shape-0'), /^\d+×\d+×3$/);
    await page.evaluate(() => window.postMessage({ type: 'image', name: 'bad.png', mime: 'image/png', base64: btoa('not an image') }, '*'));
    await page.locator('#image-message.error').waitFor();
    assert.match(await text('#image-message'), /bad\.png is not an image/);
  });

  await check('a 1-D layer on a long sequence: one visible row, its Keras shape, hover still maps windows', async () => {
    const layer = { name: 'max_pooling1d', className: 'MaxPooling1D', line: 4, inputShape: '(None, 500, 8)', outputShape: '(None, 250, 8)', dataFormat: 'channels_last', settings: { mode: 'max', poolSize: [1, 2], strides: [1, 2], padding: 'valid' }, note: '1-D pooling: the sequence is drawn as one row (height 1).' };
    await show({ key: 'k1d', layer, featureMap: { height: 1, width: 500, channels: 8 }, model: null });
    assert.equal(await text('#keras-shape-1'), '(None, 250, 8)');
    const box = await page.locator('#grid-0').boundingBox();
    assert.ok(box.height >= 20, `input row drawn ${box.height}px tall`);
    const out = await page.locator('#grid-1').boundingBox();
    await page.mouse.move(out.x + out.width * 0.5, out.y + out.height / 2);
    assert.match(await text('#explain'), /Stage 1 output \[0, 12[45]\]: max\(/);
    assert.equal(await page.locator('#grid-0 .hl-window').count(), 1);
  });

  await check('the same layer shown again after the code changed starts from the new settings', async () => {
    const v1 = { ...layerTarget, key: 'same-key', featureMap: { height: 12, width: 12, channels: 1 }, model: null };
    await show(v1);
    await page.selectOption('#s1-mode', 'avg');
    await show(v1); // hidden and shown again: the user's choice stays
    assert.equal(await page.locator('#s1-mode').inputValue(), 'avg');
    const v2 = { ...v1, layer: { ...v1.layer, settings: { mode: 'max', poolSize: [3, 3], strides: [3, 3], padding: 'valid' } } };
    await page.evaluate((t) => window.postMessage({ type: 'show', target: t }, '*'), v2);
    await page.locator('#stage-1 h2', { hasText: 'Max pooling 3×3' }).waitFor();
    assert.equal(await page.locator('#s1-mode').inputValue(), 'max');
    assert.equal(await text('#shape-1'), '4×4×1');
  });

  await check('keyboard: Escape clears the highlight, Home brings it back', async () => {
    await page.locator('#grid-1').focus();
    assert.equal(await page.locator('#grid-0 .hl-window').count(), 1);
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#grid-0 .hl-window').count(), 0);
    await page.keyboard.press('Home');
    assert.equal(await page.locator('#grid-0 .hl-window').count(), 1);
  });

  await check('messages that fail the guard are ignored', async () => {
    const before = await text('#title');
    await page.evaluate(() => window.postMessage({ type: 'show', target: { key: 1 } }, '*'));
    await page.evaluate(() => window.postMessage({ type: 'explode' }, '*'));
    assert.equal(await text('#title'), before);
  });

  await check('state survives a reload of the webview (setState / getState); "→ 1 position" in the singular', async () => {
    await page.selectOption('#s1-mode', 'globalAvg');
    assert.match(await text('#reduction-1'), / → 1 position per channel/);
    const saved = await page.evaluate(() => { const s = window.acquireVsCodeApi().getState(); return s; });
    assert.equal(saved.stages[0].settings.mode, 'globalAvg');
  });

  if (SHOTS) {
    await show(layerTarget);
    await page.screenshot({ path: join(ROOT, 'out/webview-page/layer.png'), fullPage: true });
  }
  await check('no uncaught errors and no CSP violations in the page', async () => assert.deepEqual(errors, []));
} finally {
  await browser.close();
}

// Without WebGL the preview falls back to tfjs's CPU backend and says so.
const noGl = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
try {
  const page = await noGl.newPage();
  // A browser without WebGL: canvases refuse WebGL contexts (Chromium's flags do not reliably do this headless).
  await page.addInitScript(() => {
    for (const C of [HTMLCanvasElement, globalThis.OffscreenCanvas].filter(Boolean)) {
      const get = C.prototype.getContext;
      C.prototype.getContext = function (type, ...rest) {
        return /webgl/i.test(type) ? null : get.call(this, type, ...rest);
      };
    }
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(pageHtml());
  await check('without WebGL: the CPU backend, with a note, and the same numbers', async () => {
    await page.locator('#grid-1').waitFor({ timeout: 20_000 });
    assert.match(await page.locator('#status').innerText(), /backend: cpu \(.*WebGL.*using the CPU backend\.\)/);
    assert.deepEqual(await page.locator('#grid-1 .cell').allInnerTexts(), ['4', '5', '8', '9']);
    assert.deepEqual(errors, []);
  });
} finally {
  await noGl.close();
}
summary();
