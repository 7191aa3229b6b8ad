// The webview bundles in a plain page that stands in for VS Code: the panel's CSP (minus the nonce),
// VS Code's dark theme variables, and a recorder in place of acquireVsCodeApi (window.posted).
// Also the model lab's targets of a fixture file, computed as the language server computes them.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const OUT = join(ROOT, 'out/e2e');
const require = createRequire(import.meta.url);

/** A page like a panel's HTML shell (`bundle`: main = the pooling preview, lab = the model lab), with the host replaced by a recorder. */
export function pageHtml(bundle = 'main') {
  const dir = join(ROOT, 'out/webview-page');
  mkdirSync(dir, { recursive: true });
  const theme = {
    '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px', '--vscode-foreground': '#cccccc',
    '--vscode-editor-background': '#1f1f1f', '--vscode-editor-foreground': '#cccccc', '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-editor-font-family': 'monospace', '--vscode-editor-font-size': '13px', '--vscode-button-background': '#0078d4',
    '--vscode-button-foreground': '#ffffff', '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc',
    '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc', '--vscode-dropdown-background': '#313131',
    '--vscode-dropdown-foreground': '#cccccc', '--vscode-focusBorder': '#0078d4', '--vscode-badge-background': '#616161',
    '--vscode-badge-foreground': '#f8f8f8', '--vscode-errorForeground': '#f85149', '--vscode-editorWarning-foreground': '#cca700',
    '--vscode-charts-orange': '#d18616', '--vscode-charts-blue': '#3794ff', '--vscode-sideBar-background': '#181818',
  };
  const style = Object.entries(theme).map(([k, v]) => `${k}: ${v};`).join(' ');
  // The panel's CSP minus the nonce (the stand-in host below is an inline script): no eval, no remote loads.
  const csp = `default-src 'none'; style-src file: 'unsafe-inline'; img-src file: blob: data:; script-src file: 'unsafe-inline'`;
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="${pathToFileURL(join(ROOT, `dist/webview/${bundle}.css`))}">
<style>html { ${style} }</style>
<script>
  window.posted = [];
  let state;
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => state, setState: (s) => { state = s; } });
</script></head>
<body><main id="app"></main><script src="${pathToFileURL(join(ROOT, `dist/webview/${bundle}.js`))}"></script></body></html>`;
  writeFileSync(join(dir, `${bundle}.html`), html);
  return pathToFileURL(join(dir, `${bundle}.html`)).href;
}

/** Bundles test/e2e/lab-target.ts (the Python front end's wasm next to it) and returns its targets for `file`. */
export async function targetsOf(file) {
  mkdirSync(OUT, { recursive: true });
  await esbuild.build({
    entryPoints: [join(ROOT, 'test/e2e/lab-target.ts')],
    outfile: join(OUT, 'lab-target.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
    plugins: [{ name: 'tfjs-frontend-external', setup: (b) => b.onResolve({ filter: /(^|\/)tfjs\/frontend$/ }, () => ({ path: '../../dist/tfjs-frontend.js', external: true })) }],
  });
  for (const f of [require.resolve('web-tree-sitter/tree-sitter.wasm'), require.resolve('tree-sitter-python/tree-sitter-python.wasm')]) copyFileSync(f, join(OUT, f.split(/[\\/]/).pop()));
  return JSON.parse(execFileSync(process.execPath, [join(OUT, 'lab-target.js'), file], { encoding: 'utf8' }));
}
