// Test helper: analyse Python source held in memory (one file, or several for cross-file imports).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzePython, initPythonParser, type AnalyzeOptions, type PythonProjectHost } from '../../../src/frontends/python/analyze';
import { analysisToJson, type FileAnalysis, type JsonFile } from '../../../src/core/analysis';
import type { ModelSummary } from '../../../src/core/summary';

/** Resolves imports among in-memory files keyed by POSIX path (`pkg/config.py`). */
export function memoryHost(files: Record<string, string>): PythonProjectHost {
  return { readFile: (p) => files[path.posix.normalize(p)] };
}

/** Reads the project's files from disk, as the CLI does. */
export const diskHost: PythonProjectHost = {
  readFile: (p) => {
    try {
      return fs.statSync(p).isFile() ? fs.readFileSync(p, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  },
  absolute: (p) => path.resolve(p),
};

/** Analyses one file on disk in place (its imports read from disk). */
export async function analyzeOnDisk(file: string, opts: Omit<AnalyzeOptions, 'host'> = {}): Promise<{ analysis: FileAnalysis; json: JsonFile }> {
  await initPythonParser();
  const analysis = analyzePython(fs.readFileSync(file, 'utf8'), file, { ...opts, host: diskHost });
  return { analysis, json: analysisToJson(analysis) };
}

/** Analyses `main` (default `main.py`) among `files`; returns the analysis and its JSON form. */
export async function analyze(source: string, others: Record<string, string> = {}, file = 'main.py'): Promise<{ analysis: FileAnalysis; json: JsonFile }> {
  await initPythonParser();
  const files = { ...others, [file]: source };
  const analysis = analyzePython(source, file, { host: memoryHost(files) });
  return { analysis, json: analysisToJson(analysis) };
}

/** A file of test/fixtures/python, found by walking up from the bundle (out/test/unit). */
export function pythonFixture(name: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const p = path.join(dir, 'test', 'fixtures', 'python', name);
    if (fs.existsSync(p)) return fs.readFileSync(p, 'utf8');
    if (path.dirname(dir) === dir) throw new Error(`fixture ${name} not found`);
  }
}

/** The model summaries of `source` (with `others` importable beside it). */
export async function modelsOf(source: string, others: Record<string, string> = {}): Promise<ModelSummary[]> {
  return (await analyze(source, others)).analysis.models;
}
