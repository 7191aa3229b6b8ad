// The JS/TS (tfjs) front end behind the front-end contract. Its own bundle (dist/tfjs-frontend.js):
// the TypeScript parser loads only when a JS/TS file is analysed.

import * as path from 'node:path';
import type { FrontEnd, FrontEndOptions, ProjectHost } from '../common/frontend';
import { analyzeTfjs, type AnalyzeTfjsOptions, type TfjsProjectHost } from './analyze';
import { IncrementalTfjs } from './incremental';
import { tfjsInfo } from './info';
import { moduleCandidates } from './resolve';

/** Relative imports (`./data` → data.ts, data.js, data/index.ts ...) read through the project host. */
export function tfjsHost(host: ProjectHost): TfjsProjectHost {
  return {
    resolve(fromFile, spec) {
      if (!spec.startsWith('.')) return undefined;
      const from = (host.absolute ? host.absolute(fromFile) : fromFile).split(path.sep).join('/');
      for (const candidate of moduleCandidates(from, spec)) {
        const text = host.readFile(candidate.split('/').join(path.sep));
        if (text !== undefined) return { path: candidate, text };
      }
      return undefined;
    },
  };
}

/** The tfjs analysis options for the front-end contract's. */
function tfjsOptions(options: FrontEndOptions): AnalyzeTfjsOptions {
  return { limits: options.limits, host: options.host && tfjsHost(options.host) };
}

/** JavaScript and TypeScript files that build tfjs models. Needs no `init`. */
export const tfjsFrontEnd: FrontEnd = {
  ...tfjsInfo,
  analyse: (text, file, options = {}) => analyzeTfjs(text, file, tfjsOptions(options)),
  analyseFile: (content, file, options) => tfjsFrontEnd.analyse(content, file, options),
  incremental: (file) => {
    const doc = new IncrementalTfjs(file);
    return { update: (text, options = {}) => doc.update(text, tfjsOptions(options)), dispose: () => doc.dispose(), trim: () => doc.trim() };
  },
};
