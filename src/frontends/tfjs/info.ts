// What the JS/TS (tfjs) front end is (language ids, file extensions), without loading the TypeScript parser.

import type { Language } from '../../core/analysis';
import type { FrontEndInfo } from '../common/frontend';

/** The tfjs front end's identity: JavaScript and TypeScript files, JSX included. */
export const tfjsInfo: FrontEndInfo = {
  id: 'tfjs',
  languages: ['javascript', 'typescript', 'javascriptreact', 'typescriptreact'],
  fileExtensions: ['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx'],
  languageOf,
};

/** `typescript` for .ts/.tsx/.mts/.cts files, else `javascript`. */
export function languageOf(file: string): Language {
  return /\.(c|m)?tsx?$/i.test(file) ? 'typescript' : 'javascript';
}
