// The one list of front ends. The CLI and the editor pick a front end here by file extension or VS
// Code language id; a third language is one folder implementing common/frontend.ts plus one entry.

import { extensionOf, type FrontEnd, type FrontEndInfo } from './common/frontend';
import { pythonFrontEnd } from './python/frontend';
import { tfjsInfo } from './tfjs/info';

interface Entry {
  info: FrontEndInfo;
  load(): FrontEnd;
  /** Loaded on first use (a large bundle of its own), never at start-up. */
  lazy?: true;
}

let tfjs: FrontEnd | undefined;

const ENTRIES: readonly Entry[] = [
  { info: pythonFrontEnd, load: () => pythonFrontEnd },
  {
    info: tfjsInfo,
    lazy: true,
    // Loaded on first use (its own bundle, dist/tfjs-frontend.js: see esbuild.mjs): Python-only work never loads the TypeScript parser.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy load
    load: () => (tfjs ??= (require('./tfjs/frontend') as typeof import('./tfjs/frontend')).tfjsFrontEnd),
  },
];

/** Every front end's identity, in registry order (nothing is loaded); the first (Python) also reads files of no known extension. */
export const frontEnds: readonly FrontEndInfo[] = ENTRIES.map((e) => e.info);

/** The front end that reads files with this path's extension, if any (nothing is loaded). */
export function frontEndForFile(file: string): FrontEndInfo | undefined {
  const ext = extensionOf(file);
  return ext ? frontEnds.find((f) => f.fileExtensions.includes(ext)) : undefined;
}

/** The front end for documents of a VS Code language id, if any (nothing is loaded). */
export function frontEndForLanguage(languageId: string): FrontEndInfo | undefined {
  return frontEnds.find((f) => f.languages.includes(languageId));
}

/** Every file extension some front end reads. */
export function sourceExtensions(): string[] {
  return frontEnds.flatMap((f) => f.fileExtensions);
}

/** The front ends bundled with the caller (not lazy): the ones to `init()` at start-up. */
export function eagerFrontEnds(): { info: FrontEndInfo; frontEnd: FrontEnd }[] {
  return ENTRIES.filter((e) => !e.lazy).map((e) => ({ info: e.info, frontEnd: e.load() }));
}

/** Loads a front end (on first use for lazy ones). Call its `init()` before analysing. */
export function loadFrontEnd(info: FrontEndInfo): FrontEnd {
  const entry = ENTRIES.find((e) => e.info.id === info.id);
  if (!entry) throw new Error(`Shape Lens: no front end ${info.id}`);
  return entry.load();
}
