// Test helper: analyse Python source held in memory (one file, or several for cross-file imports).

import * as path from 'node:path';
import { analyzePython, initPythonParser, type PythonProjectHost } from '../../../src/frontends/python/analyze';
import { analysisToJson, type FileAnalysis, type JsonFile } from '../../../src/core/analysis';

/** Resolves imports among in-memory files keyed by POSIX path (`pkg/config.py`). */
export function memoryHost(files: Record<string, string>): PythonProjectHost {
  return { readFile: (p) => files[path.posix.normalize(p)] };
}

/** Analyses `main` (default `main.py`) among `files`; returns the analysis and its JSON form. */
export async function analyze(source: string, others: Record<string, string> = {}, file = 'main.py'): Promise<{ analysis: FileAnalysis; json: JsonFile }> {
  await initPythonParser();
  const files = { ...others, [file]: source };
  const analysis = analyzePython(source, file, { host: memoryHost(files) });
  return { analysis, json: analysisToJson(analysis) };
}
