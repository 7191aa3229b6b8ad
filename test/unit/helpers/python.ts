// Test helper: analyse Python source held in memory (one file, or several for cross-file imports).

import * as path from 'node:path';
import { analyzePython, initPythonParser, type PythonProjectHost } from '../../../src/frontends/python/analyze';
import { analysisToJson, type FileAnalysis, type JsonFile } from '../../../src/core/analysis';

/** Resolves imports among in-memory files keyed by POSIX path (`pkg/config.py`). */
export function memoryHost(files: Record<string, string>): PythonProjectHost {
  return {
    resolve(fromFile, moduleName, level) {
      const parts = moduleName ? moduleName.split('.') : [];
      let dir = path.posix.dirname(fromFile);
      const bases: string[] = [];
      if (level > 0) {
        for (let i = 1; i < level; i++) dir = path.posix.dirname(dir);
        bases.push(dir);
      } else {
        for (let i = 0; i < 6; i++) {
          bases.push(dir);
          const parent = path.posix.dirname(dir);
          if (parent === dir) break;
          dir = parent;
        }
      }
      for (const base of bases) {
        const stem = path.posix.join(base, ...parts);
        for (const p of [`${stem}.py`, `${stem}/__init__.py`]) if (files[p] !== undefined) return { path: p, text: files[p] };
      }
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
