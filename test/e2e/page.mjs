// The webview bundles in a plain page that stands in for VS Code: the panel's CSP (minus the nonce),
// VS Code's dark theme variables, and a recorder in place of acquireVsCodeApi (window.posted).
// Also the model lab's targets of a fixture file, computed as the language server computes them.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const OUT = join(ROOT, 'out/e2e');
const require = createRequire(import.meta.url);

/**
 * A page like a panel's HTML shell (`bundle`: main = the pooling preview, lab = the model lab), with
 * the host replaced by a recorder. A file: page, or with `server` (serve() below) served over http
 * as VS Code serves a webview: the page from one origin, the bundles from another.
 */
export function pageHtml(bundle = 'main', server = null) {
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
  // The model lab's worker script is fetched from the bundles' origin and started from a blob: URL, as in VS Code.
  const src = server ? server.assets : 'file:';
  const asset = (name) => (server ? `${server.assets}/dist/webview/${name}` : pathToFileURL(join(ROOT, `dist/webview/${name}`)).href);
  const csp = `default-src 'none'; style-src ${src} 'unsafe-inline'; img-src ${src} blob: data:; script-src ${src} 'unsafe-inline'${bundle === 'lab' ? `; connect-src ${src}; worker-src blob:` : ''}`;
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="${asset(`${bundle}.css`)}">
<style>html { ${style} }</style>
<script>
  window.posted = [];
  let state;
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => state, setState: (s) => { state = s; } });
</script></head>
<body><main id="app"></main><script src="${asset(`${bundle}.js`)}"></script></body></html>`;
  writeFileSync(join(dir, `${bundle}.html`), html);
  return server ? `${server.page}/out/webview-page/${bundle}.html` : pathToFileURL(join(dir, `${bundle}.html`)).href;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/**
 * Serves out/webview-page and dist/webview on 127.0.0.1 (a file: page cannot start a worker): pages
 * at http://127.0.0.1:port, the bundles at http://localhost:port, another origin, with CORS allowed
 * as VS Code's resource server does. `close()` when done.
 */
export async function serve() {
  const server = createServer((req, res) => {
    const path = join(ROOT, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const allowed = [join(ROOT, 'out/webview-page') + sep, join(ROOT, 'dist/webview') + sep].some((d) => path.startsWith(d));
    if (!allowed || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream', 'Access-Control-Allow-Origin': '*' });
    res.end(readFileSync(path));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { page: `http://127.0.0.1:${port}`, assets: `http://localhost:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
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

/** Trains `request` (a TrainRequest) in node with the lab's own training code (test/e2e/lab-train.ts); its epoch and end events. */
export async function trainInNode(request) {
  mkdirSync(OUT, { recursive: true });
  const { digitsPlugin } = await import('../../webview/build/digits.mjs');
  await esbuild.build({
    entryPoints: [join(ROOT, 'test/e2e/lab-train.ts')],
    outfile: join(OUT, 'lab-train.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    external: ['@tensorflow/tfjs', '@tensorflow/*'],
    plugins: [digitsPlugin],
  });
  const file = join(OUT, 'lab-train-request.json');
  writeFileSync(file, JSON.stringify(request));
  // stderr kept out of the output (tfjs' note on its node backend), and in the error when it fails.
  return JSON.parse(execFileSync(process.execPath, [join(OUT, 'lab-train.js'), file], { encoding: 'utf8', cwd: ROOT, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] }));
}
