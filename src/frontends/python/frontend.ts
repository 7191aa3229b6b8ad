// The Python front end behind the front-end contract: .py source and .ipynb notebooks.

import type { FrontEnd } from '../common/frontend';
import { analyzeNotebook, analyzePython, initPythonParser } from './analyze';
import { IncrementalPython } from './incremental';
import { pythonInfo } from './info';

/** Python (Keras) source and Jupyter notebooks. `init()` loads tree-sitter's wasm. */
export const pythonFrontEnd: FrontEnd = {
  ...pythonInfo,
  init: async (assetsDir) => {
    await initPythonParser(assetsDir);
  },
  analyse: (text, file, options = {}) => analyzePython(text, file, options),
  analyseFile: (content, file, options = {}) => (/\.ipynb$/i.test(file) ? analyzeNotebook(content, file, options) : analyzePython(content, file, options)),
  incremental: (file) => {
    const doc = new IncrementalPython(file);
    return { update: (text, options = {}) => doc.update(text, options), dispose: () => doc.dispose() };
  },
};
