// `shape-lens summary FILE_OR_DIR... [--json]`: Keras model summaries from source (.py, .ipynb,
// JS/TS), without running it; `shape-lens export FILE`: a model's Keras JSON config.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { projectKerasPin, pythonCallers, readSmallFile, SKIP_DIRS } from './node-host';
import { parseKerasVersion, type KerasVersion, type KerasVersionOption } from './core/keras-version';
import { analysisToJson, lineStartsOf, positionOf, reportedSummaries, unreadableFile, type FileAnalysis } from './core/analysis';
import { DiagnosticCode } from './core/diagnostics';
import { formatSummary, formatUnknownNotes } from './core/summary';
import { exportModel } from './core/export';
import { COST_COLUMNS, formatCostTable, type CostColumn } from './core/cost';
import { formatOutputShape } from './core/shape';
import { costFormulas, formatSizeNotes, formulaParams } from './core/symbolicText';
import type { ProjectHost } from './frontends/common/frontend';
import { frontEndForFile, frontEnds, loadFrontEnd } from './frontends/registry';

const USAGE = `Usage: shape-lens summary FILE_OR_DIR... [--json] [--keras 2|3] [--columns LIST]
       shape-lens export FILE [--model NAME] [--out model.json] [--keras 2|3]
       shape-lens lsp --stdio | --node-ipc

The lsp command runs the Shape Lens language server (diagnostics, hovers and inlay hints for
any LSP client) on stdin/stdout or Node IPC.


Prints the Keras summary (layers, output shapes, parameter counts) of every model built in the
given Keras (.py), Jupyter notebook (.ipynb) and TensorFlow.js (.js .mjs .cjs .jsx .ts .mts .cts
.tsx) files, without running them. Folders are searched recursively for those files. A notebook's
code cells are read in order as one program; IPython magics, ! shell lines and ? help lines are
skipped.

Where the code leaves a size open (Input(shape=(None, None, 3)), a builder's parameter without
a default), a Param # that Shape Lens cannot count prints its formula in the open sizes
(latent_size·3456 + 3456), and a "Sizes" note under the table writes the None and ? dims as
formulas ((None, ⌊H/2⌋ − 1, ⌊W/2⌋ − 1, 32)). A "# shape-lens: H=224, W=224" comment in the file
gives open sizes values.

Options:
  --json        one JSON document for all files
  --at-summary  each model as of its model.summary() calls (before later add() or
                trainable changes), as Keras prints it there
  --keras 2|3   summaries as tf.keras 2 (TF 2.13-2.15) or Keras 3 prints them; default:
                the project's pins (requirements*.txt, pyproject.toml, setup.py/.cfg,
                environment.yml, Pipfile: tensorflow<2.16 or keras<3 is 2), else 3.
                A file's own "# shape-lens: keras=2" comment wins over both.
  --columns params,macs,flops,memory,rf
                a table of the chosen columns instead of Keras' summary: parameters,
                MACs and FLOPs (tf.profiler's count) of a forward pass per sample, each
                output's bytes per sample, receptive field (size /effective stride)
  -h, --help    this text

Exit code: 0 if no error-severity diagnostic was found, 1 otherwise, 2 on usage errors.

The export command writes one model's Keras JSON config: what model.to_json() gives, in the
tf.keras 2 layout that TensorFlow.js' tf.models.modelFromJSON reads and Netron opens (topology
only, no weights). Layers tfjs-layers lacks, or whose settings Shape Lens does not know, are left
out with what follows them, and listed on stderr.

Options:
  --model NAME  the model to export when the file builds several (by its Keras name)
  --out FILE    write the JSON to FILE instead of stdout

Exit code: 0 when the whole model was exported, 1 when only part or none of it was (or the
file has no such model), 2 on usage errors.`;

const COMMANDS = ['summary', 'export'];
const OPTIONS = ['--json', '--at-summary', '--keras', '--columns', '--model', '--out', '--help', '-h'];
/** Options that take a value (`--keras 2` or `--keras=2`). */
const VALUE_OPTIONS = ['--keras', '--columns', '--model', '--out'];

/**
 * Files given on the command line, with folders expanded (recursively, sorted) to their model
 * source files; `emptyDirs` are folders that held none.
 */
export function collectFiles(args: string[]): { files: string[]; missing: string[]; emptyDirs: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const emptyDirs: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 12) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folder: nothing to analyse in it
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(p, depth + 1);
      } else if (frontEndForFile(entry.name) && !/\.d\.[cm]?ts$/.test(entry.name)) files.push(p);
    }
  };
  for (const a of args) {
    if (!fs.existsSync(a)) missing.push(a);
    else if (fs.statSync(a).isDirectory()) {
      const before = files.length;
      walk(a, 0);
      if (files.length === before) emptyDirs.push(a);
    } else files.push(a);
  }
  return { files, missing, emptyDirs };
}

/** Reads the project's files from disk for imports (resolution is each front end's, as its language does it). */
export const diskHost: ProjectHost = {
  readFile: readSmallFile,
  absolute: (file) => path.resolve(file),
  callers: (file) => pythonCallers(file, readSmallFile),
};


/**
 * Analyses one file with the front end its extension picks (files of no front end's extension are
 * read as Python), as Keras `keras` if given, else as the project pins it. Never throws.
 */
export async function analyzeFile(file: string, keras?: KerasVersion): Promise<FileAnalysis> {
  const info = frontEndForFile(file) ?? frontEnds[0];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return unreadableFile(file, info.languageOf(file), { severity: 'error', code: DiagnosticCode.readError, message: `Cannot read this file: ${(e as Error).message}` });
  }
  const frontEnd = loadFrontEnd(info);
  await frontEnd.init?.();
  // Only Python code is Keras 2 or 3 (tfjs follows its own layers API).
  const option: KerasVersionOption | undefined = info.id !== 'python' ? undefined : keras ? { explicit: { version: keras, from: `--keras ${keras}` } } : { pinned: projectKerasPin(file) };
  return frontEnd.analyseFile(text, file, { host: diskHost, keras: option });
}

function printHuman(a: FileAnalysis, out: string[], atSummary: boolean, columns?: CostColumn[]): void {
  out.push(a.keras ? `${a.file} (Keras ${a.keras.version}: ${a.keras.from === 'default' ? 'no Keras 2 pin found' : a.keras.from})` : a.file);
  if (a.models.length === 0) out.push('  (no Keras or TensorFlow.js model found)');
  const starts = lineStartsOf(a.text);
  for (const { summary: m, at } of reportedSummaries(a, atSummary)) {
    const notes: string[] = [];
    if (at) notes.push(`as of ${m.model.name}.summary() on line ${positionOf(a, starts, at.start).line}`);
    if (m.model.functionName) notes.push(`built in ${m.model.functionName}()${m.model.argumentsFrom ? ` with the arguments of the call in ${m.model.argumentsFrom}${m.model.otherCallSites?.length ? ` (other calls: ${m.model.otherCallSites.join(', ')})` : ''}` : ''}; output ${formatOutputShape(m.outputShape)}`);
    out.push('');
    // Keras 3 fits its table to the terminal it prints in; so does the CLI when it prints to one.
    const table = columns ? formatCostTable(m, columns, costFormulas(m, columns.includes('macs'))) : formatSummary(m, undefined, process.stdout.isTTY ? process.stdout.columns : undefined, formulaParams(m));
    out.push(`${table}${notes.length > 0 ? `\n(${notes.join('; ')})` : ''}`);
    out.push(...formatUnknownNotes(m));
    out.push(...formatSizeNotes(m));
  }
  for (const d of a.diagnostics) {
    let loc = d.range?.file ?? a.file;
    if (d.range && !d.range.file) {
      const p = positionOf(a, starts, d.range.start);
      loc = p.cell === undefined ? `${a.file}:${p.line}` : `${a.file}:cell ${p.cell}:${p.line}`;
    }
    out.push(`${loc}: ${d.severity} [${d.code}] ${d.message}`);
  }
  out.push('');
}

type Parsed =
  | { help: true }
  | { help: false; error?: string; command: 'summary' | 'export'; json: boolean; atSummary: boolean; keras?: KerasVersion; columns?: CostColumn[]; model?: string; out?: string; paths: string[] };

/** The command line: `summary` / `export` plus paths and options (`--keras 2` or `--keras=2`); `--` ends the options. */
export function parseArgs(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags: string[] = [];
  const values = new Map<string, string>();
  let optionsEnded = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const valueOption = optionsEnded ? undefined : VALUE_OPTIONS.find((o) => a === o || a.startsWith(`${o}=`));
    if (!optionsEnded && a === '--') optionsEnded = true;
    else if (valueOption) {
      values.set(valueOption, a === valueOption ? argv[++i] ?? '' : a.slice(valueOption.length + 1));
      flags.push(valueOption);
    } else if (!optionsEnded && a.startsWith('-') && a !== '-') flags.push(a);
    else positional.push(a);
  }
  if (flags.includes('--help') || flags.includes('-h')) return { help: true };
  const json = flags.includes('--json');
  const atSummary = flags.includes('--at-summary');
  const fail = (error: string): Parsed => ({ help: false, error, command: 'summary', json, atSummary, paths: [] });
  const unknownFlag = flags.find((f) => !OPTIONS.includes(f));
  if (unknownFlag !== undefined) return fail(`unknown option ${unknownFlag}${didYouMean(unknownFlag.replace(/=.*/, ''), OPTIONS)}`);
  const kerasValue = values.get('--keras');
  const keras = kerasValue !== undefined ? parseKerasVersion(kerasValue) : undefined;
  if (kerasValue !== undefined && keras === undefined) return fail(`--keras takes 2 or 3 (got ${JSON.stringify(kerasValue)})`);
  const [command, ...paths] = positional;
  if (command === undefined) return fail('missing command (summary or export)');
  if (!COMMANDS.includes(command)) return fail(`unknown command ${command}${didYouMean(command, COMMANDS)}`);
  const model = values.get('--model');
  const out = values.get('--out');
  if (command === 'export') {
    const misplaced = flags.find((f) => f === '--json' || f === '--at-summary' || f === '--columns');
    if (misplaced) return fail(`${misplaced} is an option of summary, not export`);
    if (paths.length !== 1) return fail(paths.length === 0 ? 'export needs a file' : `export takes one file (got ${paths.length})`);
    if (model === '') return fail('--model needs a model name');
    if (out === '') return fail('--out needs a file name');
    return { help: false, command, json, atSummary, keras, model, out, paths };
  }
  const exportOnly = flags.find((f) => f === '--model' || f === '--out');
  if (exportOnly) return fail(`${exportOnly} is an option of export, not summary`);
  if (paths.length === 0) return fail(`${command} needs at least one file or folder`);
  const columnsValue = values.get('--columns');
  if (columnsValue === undefined) return { help: false, command: 'summary', json, atSummary, keras, paths };
  const columns = columnsValue.split(',').map((c) => c.trim()).filter((c) => c !== '');
  const bad = columns.find((c) => !(COST_COLUMNS as readonly string[]).includes(c));
  if (bad !== undefined || columns.length === 0) return fail(`--columns takes a comma-separated list of ${COST_COLUMNS.join(', ')}${bad !== undefined ? ` (got ${JSON.stringify(bad)})` : ''}`);
  return { help: false, command: 'summary', json, atSummary, keras, columns: columns as CostColumn[], paths };
}

/** ` (did you mean X?)` for a near miss (edit distance ≤ 2), else ''. */
function didYouMean(word: string, known: string[]): string {
  const near = known.filter((k) => k.length > 2).find((k) => editDistance(word, k) <= 2);
  return near ? ` (did you mean ${near}?)` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'lsp') return runLanguageServer(argv.slice(1));
  const args = parseArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.error !== undefined) {
    console.error(`shape-lens: ${args.error}\n\n${USAGE}`);
    return 2;
  }
  if (args.command === 'export') return runExport(args.paths[0], args.model, args.out, args.keras);
  const { files, missing, emptyDirs } = collectFiles(args.paths);
  for (const m of missing) console.error(`shape-lens: no such file or directory: ${m}`);
  if (missing.length > 0) return 2;
  const analyses: FileAnalysis[] = [];
  for (const f of files) analyses.push(await analyzeFile(f, args.keras));
  const hasError = analyses.some((a) => a.diagnostics.some((d) => d.severity === 'error'));
  // Said plainly when nothing was found; on stderr with --json so stdout stays one JSON document.
  const notes = emptyDirs.map((d) => `${d}: no .py, .ipynb or JS/TS file in this folder`);
  if (analyses.every((a) => a.models.length === 0)) notes.push(`no Keras or TensorFlow.js model found in ${files.length} file${files.length === 1 ? '' : 's'}`);
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ files: analyses.map((a) => analysisToJson(a, a.file, args.atSummary)) }, null, 2)}\n`);
    for (const n of notes) console.error(`shape-lens: ${n}`);
  } else {
    const out: string[] = [];
    for (const a of analyses) printHuman(a, out, args.atSummary, args.columns);
    out.push(...notes);
    process.stdout.write(`${out.join('\n')}${notes.length > 0 ? '\n' : ''}`);
  }
  return hasError ? 1 : 0;
}

/**
 * `shape-lens export FILE [--model NAME] [--out FILE]`: one model's Keras JSON to a file or stdout;
 * what was left out, and every error, on stderr. 0: the whole model; 1: part or none of it, or a
 * problem with the file; 2: usage.
 */
async function runExport(file: string, modelName: string | undefined, out: string | undefined, keras: KerasVersion | undefined): Promise<number> {
  const fail = (message: string, code = 1): number => {
    console.error(`shape-lens: ${message}`);
    return code;
  };
  if (!fs.existsSync(file)) return fail(`no such file or directory: ${file}`, 2);
  if (fs.statSync(file).isDirectory()) return fail(`export takes a file, not a folder: ${file}`, 2);
  const a = await analyzeFile(file, keras);
  const unreadable = a.diagnostics.find((d) => d.code === DiagnosticCode.readError);
  if (unreadable) return fail(`${file}: ${unreadable.message}`);
  const names = a.models.map((m) => m.model.name);
  if (names.length === 0) return fail(`${file}: no Keras or TensorFlow.js model found`);
  const list = names.map((n) => JSON.stringify(n)).join(', ');
  const matching = modelName === undefined ? a.models : a.models.filter((m) => m.model.name === modelName);
  if (matching.length === 0) return fail(`${file}: no model named ${JSON.stringify(modelName)} (its models: ${list})`);
  if (modelName === undefined && matching.length > 1) return fail(`${file} builds ${names.length} models (${list}): pick one with --model NAME`);
  if (matching.length > 1) console.error(`shape-lens: ${matching.length} models of ${file} are named ${JSON.stringify(modelName)}: exporting the first`);
  const model = matching[0].model;
  const result = exportModel(model, a.language === 'python' ? 'keras' : 'tfjs');
  if (!result.json) {
    const why = result.reason ?? (result.skipped[0] ? `${result.skipped[0].name} (${result.skipped[0].className}): ${result.skipped[0].reason}` : 'nothing to export');
    return fail(`model ${JSON.stringify(model.name)} cannot be exported: ${why}`);
  }
  const text = `${JSON.stringify(result.json)}\n`;
  if (out === undefined) process.stdout.write(text);
  else {
    try {
      fs.writeFileSync(out, text);
    } catch (e) {
      return fail(`cannot write ${out}: ${(e as Error).message}`);
    }
  }
  if (result.skipped.length === 0) return 0;
  console.error(`shape-lens: model ${JSON.stringify(model.name)} exported without ${result.skipped.length} of its layers:`);
  for (const k of result.skipped) console.error(`  ${k.name} (${k.className}): ${k.reason}`);
  return 1;
}

/** `shape-lens lsp --stdio | --node-ipc`: serves until the client says exit (the returned promise never settles). */
async function runLanguageServer(argv: string[]): Promise<number> {
  const transport = argv.find((a) => a === '--stdio' || a === '--node-ipc');
  // vscode-languageclient adds `--clientProcessId=N` (the server then exits with its editor).
  if (!transport || argv.some((a) => a !== transport && !/^--clientProcessId=\d+$/.test(a))) {
    console.error(`shape-lens: lsp takes --stdio or --node-ipc\n\n${USAGE}`);
    return 2;
  }
  // A long-lived process: V8's young generation stays at its starting size instead of growing to
  // 32 MB the first time a large file is analysed (most of what an analysis allocates survives it
  // anyway: the syntax tree, then the results the server keeps). About 25 MB less RSS, no slower.
  setFlagsFromString('--semi-space-growth-factor=1');
  // A full collection the server asks for when idle after a large document (server.ts `collectWhenIdle`).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // The idle collection compacts every page it can (V8's memory reducer does, but only some 8 s
  // after allocation stops): what the analysis of a large document left half-empty is returned.
  // Twice: the second finishes the first's sweeping, which frees the evacuated pages (left to
  // background threads, a loaded machine's 2 cores kept them for seconds).
  const collectGarbage = () => {
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      gc();
      gc();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
  const { createConnection, ProposedFeatures } = await import('vscode-languageserver/node');
  const { startServer } = await import('./server/server');
  startServer(transport === '--stdio' ? createConnection(ProposedFeatures.all, process.stdin, process.stdout) : createConnection(ProposedFeatures.all), { collectGarbage });
  return new Promise<number>(() => undefined);
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
