// File-system helpers the CLI's and the editor's project hosts share (node only; the analysis core
// and front ends never touch the disk themselves).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { isPinFile, kerasPinOfFile, type KerasVersionChoice } from './core/keras-version';

/** Folders never searched for project files. */
export const SKIP_DIRS = new Set(['node_modules', '.git', '__pycache__', '.venv', 'venv', 'env', '.tox', 'dist', 'build', 'site-packages']);

const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** A project file's text, or undefined if it is missing, not a file, or too large to analyse. */
export function readSmallFile(p: string): string | undefined {
  try {
    const st = fs.statSync(p);
    return st.isFile() && st.size <= MAX_FILE_BYTES ? fs.readFileSync(p, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** Callers found for a file stay good this long (the editor asks on every analysis). */
const CACHE_MS = 10_000;
const recent = new Map<string, { at: number; files: string[] }>();

/** At most this many .py files are looked through for callers of a file's builders. */
const MAX_CALLER_SCAN = 400;

/**
 * Python files of `file`'s project (the folder above its top package, else its own folder, and
 * their subfolders) that import its module: where a builder it defines may be called. Same folder
 * first, then by path.
 */
export function pythonCallers(file: string, readFile: (p: string) => string | undefined): string[] {
  const abs = path.resolve(file);
  const cached = recent.get(abs);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.files;
  const mod = path.basename(abs, '.py');
  if (mod === '__init__') return [];
  let root = path.dirname(abs);
  while (fs.existsSync(path.join(root, '__init__.py')) && path.dirname(root) !== root) root = path.dirname(root);
  const found: string[] = [];
  let seen = 0;
  const walk = (dir: string, depth: number): void => {
    if (depth > 6 || seen > MAX_CALLER_SCAN) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(p, depth + 1);
      } else if (e.name.endsWith('.py') && p !== abs && ++seen <= MAX_CALLER_SCAN) {
        const text = readFile(p);
        if (text !== undefined && new RegExp(`^\\s*(from\\s+[\\w.]*\\b${mod}\\b|import\\s+[\\w.]*\\b${mod}\\b)`, 'm').test(text)) found.push(p);
      }
    }
  };
  walk(root, 0);
  const here = path.dirname(abs);
  const files = found.sort((a, b) => Number(path.dirname(b) === here) - Number(path.dirname(a) === here) || a.localeCompare(b));
  if (recent.size > 200) recent.clear();
  recent.set(abs, { at: Date.now(), files });
  return files;
}

const pinCache = new Map<string, { at: number; pin: KerasVersionChoice | undefined }>();

/**
 * The Keras version the project of `file` pins (requirements*.txt, pyproject.toml, setup.py /
 * setup.cfg, environment.yml, Pipfile), looking in the file's folder and upward: the nearest folder
 * with a pin decides. The walk stops at a workspace root in `roots`, at a folder holding `.git`,
 * or after 12 folders. undefined when nothing is pinned (Keras 3 then).
 */
export function projectKerasPin(file: string, roots: readonly string[] = [], readFile: (p: string) => string | undefined = readSmallFile): KerasVersionChoice | undefined {
  const stops = new Set(roots.map((r) => path.resolve(r)));
  const own = path.dirname(path.resolve(file));
  let dir = own;
  for (let depth = 0; depth < 12; depth++) {
    const pin = folderPin(dir, readFile);
    // Named from the file's folder: `../requirements.txt: tensorflow==2.12.0`.
    if (pin) return dir === own ? pin : { version: pin.version, from: path.join(path.relative(own, dir), pin.from) };
    if (stops.has(dir) || fs.existsSync(path.join(dir, '.git')) || path.dirname(dir) === dir) break;
    dir = path.dirname(dir);
  }
  return undefined;
}

/** The pin of one folder's files (cached for a few seconds: asked on every analysis). */
function folderPin(dir: string, readFile: (p: string) => string | undefined): KerasVersionChoice | undefined {
  const cached = pinCache.get(dir);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.pin;
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir).filter(isPinFile).sort(pinFileOrder);
  } catch {
    names = [];
  }
  let pin: KerasVersionChoice | undefined;
  for (const name of names) {
    const text = readFile(path.join(dir, name));
    pin = text === undefined ? undefined : kerasPinOfFile(name, text);
    if (pin) break;
  }
  if (pinCache.size > 500) pinCache.clear();
  pinCache.set(dir, { at: Date.now(), pin });
  return pin;
}

/** requirements files first (plain `requirements.txt` before `requirements-dev.txt`), then the others. */
function pinFileOrder(a: string, b: string): number {
  const rank = (n: string) => (n.toLowerCase() === 'requirements.txt' ? 0 : /^requirements/i.test(n) ? 1 : 2);
  return rank(a) - rank(b) || a.localeCompare(b);
}
