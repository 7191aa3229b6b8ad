// Where the repository and its fixtures are, found from a bundled test (out/test/unit, out/helper-*).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The nearest folder above `__dirname` holding `rel` (a path inside the repository). */
function above(rel: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, rel);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${rel} not found above ${__dirname}`);
  }
}

/** The repository root (the folder with package.json). */
export function repoRoot(): string {
  return path.dirname(above('package.json'));
}

/** `test/fixtures/<kind>` of the repository. */
export function fixturesDir(kind: 'python' | 'tfjs' | 'notebooks'): string {
  return above(path.join('test', 'fixtures', kind));
}

/** Every file of `test/fixtures/<kind>` ending in `ext` (subfolders too): its path inside that folder (with `/`) and its text. */
export function fixtureSources(kind: 'python' | 'tfjs' | 'notebooks', ext = ''): [string, string][] {
  const dir = fixturesDir(kind);
  const out: [string, string][] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(ext)) out.push([path.relative(dir, p).split(path.sep).join('/'), fs.readFileSync(p, 'utf8')]);
    }
  };
  walk(dir);
  return out;
}
