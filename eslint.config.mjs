// ESLint flat config: typescript-eslint recommended, plus the purity rule for src/core.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test/fixtures/**', 'examples/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The analysis core is pure: no editor, no file system, no paths.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'src/core must not depend on VS Code.' },
          { name: 'fs', message: 'src/core must not touch the file system.' },
          { name: 'node:fs', message: 'src/core must not touch the file system.' },
          { name: 'path', message: 'src/core must not use path; offsets and names only.' },
          { name: 'node:path', message: 'src/core must not use path; offsets and names only.' },
        ],
        patterns: [{ group: ['../frontends/*', '../../frontends/*', '../editor/*', '../../editor/*'], message: 'src/core imports nothing outside core/.' }],
      }],
    },
  },
  {
    // The webview is a browser bundle: it shares only the message protocol with the extension.
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The webview cannot use the VS Code API; talk to the host through src/protocol.ts.' }],
        patterns: [{ group: ['../src/*', '!../src/protocol'], message: 'The webview imports only src/protocol.ts from src/.' }],
      }],
    },
  },
  {
    // The protocol is shared by the extension host and the webview: no imports at all.
    files: ['src/protocol.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['*'], message: 'src/protocol.ts is self-contained.' }] }] },
  },
);
