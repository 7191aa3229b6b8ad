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
