// Trains a Pooling lab request in node, with the same code the lab's worker runs (webview/train.ts
// `trainBoth` on tfjs' CPU backend): test/e2e/lab.mjs compares the worker's epoch rows with these.
//   node out/e2e/lab-train.js REQUEST.json   (prints the run's epoch and end events as JSON)
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import asset from 'shape-lens:digits';
import { decodeDigits } from '../../webview/digits';
import { trainBoth, type TrainEvent, type TrainRequest } from '../../webview/train';

async function main(file: string): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  const request = JSON.parse(fs.readFileSync(file, 'utf8')) as TrainRequest;
  const events: TrainEvent[] = [];
  await trainBoth(request, decodeDigits(asset), async () => undefined, (e) => {
    if (e.type === 'epoch' || e.type === 'end') events.push(e);
  });
  process.stdout.write(JSON.stringify(events));
}

void main(process.argv[2]);
