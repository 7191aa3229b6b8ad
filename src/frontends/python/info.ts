// What the Python front end is (language ids, file extensions), without loading its parser.

import type { FrontEndInfo } from '../common/frontend';

/** The Python front end's identity: `.py` files and notebooks (`.ipynb`, Python kernels). */
export const pythonInfo: FrontEndInfo = {
  id: 'python',
  languages: ['python'],
  fileExtensions: ['.py', '.ipynb'],
  ipythonCells: true,
  languageOf: () => 'python',
};
