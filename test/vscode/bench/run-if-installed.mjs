// `npm run bench` ends with the editor benchmark when code-server is installed (npm run test:vscode:setup).
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const tools = process.env.SHAPE_LENS_CODE_SERVER_DIR || '.vscode-test/code-server';
if (!existsSync(tools)) {
  console.log('\nEditor benchmark skipped: run `npm run test:vscode:setup` once (installs code-server), then `npm run bench` again.');
} else {
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'bench:vscode'], { stdio: 'inherit' });
}
