// Module specifier resolution for the JS/TS front end: `./data`, `../config.js` (→ .ts), index files.

import * as path from 'node:path';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/**
 * Files a relative import may refer to, in the order TypeScript and bundlers try them: the exact
 * path, the path with each extension, `.js` written for a `.ts` source (TypeScript ESM style), and
 * index files. POSIX paths in, POSIX paths out.
 */
export function moduleCandidates(fromFile: string, spec: string): string[] {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), spec));
  const out = [base];
  const ext = path.posix.extname(base);
  if (ext === '.js' || ext === '.jsx' || ext === '.mjs' || ext === '.cjs') {
    const stem = base.slice(0, -ext.length);
    const ts = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] }[ext] ?? [];
    for (const e of ts) out.push(stem + e);
  }
  for (const e of EXTENSIONS) out.push(base + e);
  for (const e of EXTENSIONS) out.push(`${base}/index${e}`);
  return out;
}
