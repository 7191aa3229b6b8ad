// Test helper: analyse JS/TS tfjs source held in memory (one file, or several for cross-file imports).

import { analyzeTfjs, type TfjsProjectHost } from '../../../src/frontends/tfjs/analyze';
import { moduleCandidates } from '../../../src/frontends/tfjs/resolve';
import { analysisToJson, type FileAnalysis, type JsonFile } from '../../../src/core/analysis';

/** Resolves relative imports among in-memory files keyed by POSIX path (`src/data.ts`). */
export function memoryJsHost(files: Record<string, string>): TfjsProjectHost {
  return {
    resolve(fromFile, spec) {
      for (const p of moduleCandidates(fromFile, spec)) if (files[p] !== undefined) return { path: p, text: files[p] };
      return undefined;
    },
  };
}

/** Analyses `file` (default `main.ts`; the extension picks JS or TS) among `others`. */
export async function analyzeJs(source: string, others: Record<string, string> = {}, file = 'main.ts'): Promise<{ analysis: FileAnalysis; json: JsonFile }> {
  const files = { ...others, [file]: source };
  const analysis = analyzeTfjs(source, file, { host: memoryJsHost(files) });
  return { analysis, json: analysisToJson(analysis) };
}
