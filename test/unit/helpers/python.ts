// Test helper: analyse Python source held in memory (one file, or several for cross-file imports).

import * as path from 'node:path';
import { analyzePython, initPythonParser, type PythonProjectHost } from '../../../src/frontends/python/analyze';
import { pythonModuleCandidates } from '../../../src/frontends/python/resolve';
import { analysisToJson, type FileAnalysis, type JsonFile } from '../../../src/core/analysis';

/** Resolves imports among in-memory files keyed by POSIX path (`pkg/config.py`). */
export function memoryHost(files: Record<string, string>): PythonProjectHost {
  return {
    resolve(fromFile, moduleName, level) {
      for (const p of pythonModuleCandidates(fromFile, moduleName, level, [], path.posix)) if (files[p] !== undefined) return { path: p, text: files[p] };
      return undefined;
    },
  };
}

/** Analyses `main` (default `main.py`) among `files`; returns the analysis and its JSON form. */
export async function analyze(source: string, others: Record<string, string> = {}, file = 'main.py'): Promise<{ analysis: FileAnalysis; json: JsonFile }> {
  await initPythonParser();
  const files = { ...others, [file]: source };
  const analysis = analyzePython(source, file, { host: memoryHost(files) });
  return { analysis, json: analysisToJson(analysis) };
}
