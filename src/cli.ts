// `shape-lens summary FILE... [--json]`: Keras model summaries from source, without running it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { analysisToJson, type FileAnalysis } from './core/analysis';
import { formatSummary } from './core/summary';
import { formatOutputShape } from './core/shape';
import { analyzePython, initPythonParser, type PythonProjectHost } from './frontends/python/analyze';

const USAGE = `Usage: shape-lens summary FILE_OR_DIR... [--json]

Prints the Keras summary (layers, output shapes, parameter counts) of every model built in the
given Keras (.py) and TensorFlow.js (.js .mjs .cjs .jsx .ts .mts .cts .tsx) files, without running
them. Directories are searched for those files.

Options:
  --json     one JSON document for all files
  --help     this text

Exit code: 0 if no error-severity diagnostic was found, 1 otherwise, 2 on usage errors.`;

const SKIP_DIRS = new Set(['node_modules', '.git', '__pycache__', '.venv', 'venv', 'env', '.tox', 'dist', 'build', 'site-packages']);
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const SOURCE_FILE = /\.(py|js|mjs|cjs|jsx|ts|mts|cts|tsx)$/i;
const JS_FILE = /\.(js|mjs|cjs|jsx|ts|mts|cts|tsx)$/i;

/** Files given on the command line, with directories expanded to their model source files. */
export function collectFiles(args: string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 12) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(p, depth + 1);
      } else if (SOURCE_FILE.test(entry.name) && !/\.d\.[cm]?ts$/.test(entry.name)) files.push(p);
    }
  };
  for (const a of args) {
    if (!fs.existsSync(a)) missing.push(a);
    else if (fs.statSync(a).isDirectory()) walk(a, 0);
    else files.push(a);
  }
  return { files, missing };
}

/** A project file's text, or undefined if it is missing, not a file, or too large to analyse. */
function readSmallFile(p: string): string | undefined {
  try {
    const st = fs.statSync(p);
    return st.isFile() && st.size <= MAX_FILE_BYTES ? fs.readFileSync(p, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the project's Python files from disk for imports (resolution is the front end's, as Python does it). */
export const diskHost: PythonProjectHost = {
  readFile: readSmallFile,
  absolute: (file) => path.resolve(file),
};

/** Resolves relative JS/TS imports from disk (`./data` → data.ts / data.js / data/index.ts ...). */
function jsDiskHost(): import('./frontends/tfjs/analyze').TfjsProjectHost {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for JS/TS files
  const { moduleCandidates } = require('./frontends/tfjs/resolve') as typeof import('./frontends/tfjs/resolve');
  return {
    resolve(fromFile, spec) {
      if (!spec.startsWith('.')) return undefined;
      for (const candidate of moduleCandidates(path.resolve(fromFile), spec)) {
        const text = readSmallFile(candidate);
        if (text !== undefined) return { path: candidate, text };
      }
      return undefined;
    },
  };
}

export async function analyzeFile(file: string): Promise<FileAnalysis> {
  const text = fs.readFileSync(file, 'utf8');
  if (JS_FILE.test(file)) {
    // Loaded on first use: Python-only runs never load the TypeScript parser.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
    const { analyzeTfjs } = require('./frontends/tfjs/analyze') as typeof import('./frontends/tfjs/analyze');
    return analyzeTfjs(text, file, { host: jsDiskHost() });
  }
  await initPythonParser();
  return analyzePython(text, file, { host: diskHost });
}

function printHuman(a: FileAnalysis, out: string[]): void {
  out.push(`${a.file}`);
  if (a.models.length === 0) out.push('  (no Keras models found)');
  for (const m of a.models) {
    const where = m.model.functionName ? ` in ${m.model.functionName}()` : '';
    out.push('');
    out.push(`${formatSummary(m)}${where ? `\n(built${where}; output ${formatOutputShape(m.outputShape)})` : ''}`);
  }
  const lineOf = (off: number) => a.text.slice(0, off).split('\n').length;
  for (const d of a.diagnostics) {
    const loc = d.range && !d.range.file ? `${a.file}:${lineOf(d.range.start)}` : d.range?.file ? d.range.file : a.file;
    out.push(`${loc}: ${d.severity} [${d.code}] ${d.message}`);
  }
  out.push('');
}

export async function main(argv: string[]): Promise<number> {
  const args = argv.filter((a) => !a.startsWith('--'));
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  if (flags.has('--help') || args[0] !== 'summary' || args.length < 2) {
    (flags.has('--help') ? console.log : console.error)(USAGE);
    return flags.has('--help') ? 0 : 2;
  }
  const { files, missing } = collectFiles(args.slice(1));
  for (const m of missing) console.error(`shape-lens: no such file or directory: ${m}`);
  if (missing.length > 0) return 2;
  const analyses: FileAnalysis[] = [];
  for (const f of files) analyses.push(await analyzeFile(f));
  const hasError = analyses.some((a) => a.diagnostics.some((d) => d.severity === 'error'));
  if (flags.has('--json')) {
    process.stdout.write(`${JSON.stringify({ files: analyses.map((a) => analysisToJson(a)) }, null, 2)}\n`);
  } else {
    const out: string[] = [];
    for (const a of analyses) printHuman(a, out);
    process.stdout.write(out.join('\n'));
  }
  return hasError ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    // exitCode, not exit(): a piped stdout must drain before the process ends.
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(`shape-lens: ${(e as Error).stack ?? e}`);
      process.exit(2);
    },
  );
}
