// Prints the model lab's target for each model of a file, as the language server computes it
// (analysis, then src/panels/labTarget.ts): what test/e2e/lab.mjs posts to the lab's webview.
//   node out/e2e/lab-target.js FILE
// (src/cli.ts is not imported: its bundle would run the CLI.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { frontEndForFile, frontEnds, loadFrontEnd } from '../../src/frontends/registry';
import { pythonCallers, readSmallFile } from '../../src/node-host';
import { labTarget } from '../../src/panels/labTarget';

async function main(file: string): Promise<void> {
  const info = frontEndForFile(file) ?? frontEnds[0];
  const frontEnd = loadFrontEnd(info);
  await frontEnd.init?.();
  const host = { readFile: readSmallFile, absolute: (f: string) => path.resolve(f), callers: (f: string) => pythonCallers(f, readSmallFile) };
  const a = await frontEnd.analyseFile(fs.readFileSync(file, 'utf8'), file, { host });
  const lines = a.text.split('\n');
  const starts: number[] = [];
  let offset = 0;
  for (const l of lines) {
    starts.push(offset);
    offset += l.length + 1;
  }
  const lineAt = (o: number) => {
    let i = 0;
    while (i + 1 < starts.length && starts[i + 1] <= o) i++;
    return i + 1;
  };
  const targets = a.models.map((m) => {
    const t = labTarget(`${file}#model:${m.model.name}`, m, (l) => (l.range && !l.range.file ? lineAt(l.range.start) : null), a.language === 'python' ? 'keras' : 'tfjs');
    t.document = `file://${file}`;
    return t;
  });
  process.stdout.write(JSON.stringify(targets));
}

void main(process.argv[2]);
