// Bundles the harness self-test extension and its tests module into out/test/vscode/harness/
// (extension dir for the runners: package.json + extension.js + tests.js). Kept out of test/ so
// lint never sees bundles.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, '../../../out/test/vscode/harness');
mkdirSync(outDir, { recursive: true });
await esbuild.build({
  entryPoints: { extension: join(here, 'extension.ts'), tests: join(here, 'tests.ts') },
  outdir: outDir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  external: ['vscode'],
  logLevel: 'warning',
});
copyFileSync(join(here, 'package.json'), join(outDir, 'package.json'));
console.log(outDir);
