// Loads tree-sitter-python (web-tree-sitter + the grammar's .wasm) once and parses Python source.

import * as path from 'node:path';
import * as fs from 'node:fs';
import { Language, Parser, type Tree } from 'web-tree-sitter';

let ready: Promise<Parser> | undefined;
let parser: Parser | undefined;
/** The Emscripten module behind web-tree-sitter: `Parser.init` builds it on the options object it is given. */
let wasmModule: Record<string, unknown> | undefined;

/** Directories searched for `tree-sitter.wasm` and `tree-sitter-python.wasm`: next to the bundle first, then node_modules. */
function candidates(file: string, extraDir?: string): string[] {
  const dirs = [extraDir, typeof __dirname === 'string' ? __dirname : undefined].filter((d): d is string => !!d);
  const out = dirs.map((d) => path.join(d, file));
  try {
    out.push(require.resolve(file === 'tree-sitter.wasm' ? 'web-tree-sitter/tree-sitter.wasm' : 'tree-sitter-python/tree-sitter-python.wasm'));
  } catch {
    // not installed as a package: the bundle's copy must exist
  }
  return out;
}

function locate(file: string, extraDir?: string): string {
  const found = candidates(file, extraDir).find((p) => fs.existsSync(p));
  if (!found) throw new Error(`Shape Lens: cannot find ${file} (looked in ${candidates(file, extraDir).join(', ')})`);
  return found;
}

/** Initialises the parser once; `wasmDir` overrides where the .wasm files are looked for. */
export function initPythonParser(wasmDir?: string): Promise<Parser> {
  ready ??= (async () => {
    const moduleOptions: Record<string, unknown> = { locateFile: () => locate('tree-sitter.wasm', wasmDir) };
    await Parser.init(moduleOptions);
    wasmModule = moduleOptions;
    const lang = await Language.load(fs.readFileSync(locate('tree-sitter-python.wasm', wasmDir)));
    const p = new Parser();
    p.setLanguage(lang);
    parser = p;
    return p;
  })();
  return ready;
}

/** The wasm module's exports, for the fast tree walk in ast.ts (undefined if web-tree-sitter was initialised elsewhere). */
export function treeSitterModule(): Record<string, unknown> | undefined {
  return wasmModule;
}

/** Parses after `initPythonParser` resolved. Returns null if the parser is not ready or gives up. */
export function parsePython(text: string): Tree | null {
  if (!parser) return null;
  return parser.parse(text);
}
