// Prints the editor benchmark figures written by test/vscode/bench (median, baseline, ratio).
import { readFileSync } from 'node:fs';

const figures = JSON.parse(readFileSync(process.argv[2], 'utf8'));
console.log('\nShape Lens editor benchmark (inside code-server)\n');
console.log(`${'figure'.padEnd(14)}${'median ms'.padStart(11)}${'baseline ms'.padStart(13)}${'ratio'.padStart(9)}  what`);
for (const [name, f] of Object.entries(figures)) {
  const ratio = f.baseline > 0 ? `${(f.median / f.baseline).toFixed(1)}×` : '-';
  console.log(`${name.padEnd(14)}${f.median.toFixed(2).padStart(11)}${f.baseline.toFixed(2).padStart(13)}${ratio.padStart(9)}  ${f.note}`);
}
