// The Pooling lab's web worker: the whole training (both models, tfjs on its CPU backend, the
// faster kernel of webview/kernels.ts) runs here, off the panel's main thread, which only draws the
// progress this posts (webview/train.ts' TrainEvent messages). Started by webview/lab.ts from the
// built dist/webview/train-worker.js. Messages in: `train` (a TrainRequest and the digits) and
// `stop`; a new `train` stops the run in progress first. Out: `ready` (or `failed`), then events.

import * as tf from '@tensorflow/tfjs';
import { Stopped, trainBoth, type TrainEvent, type TrainRequest } from './train';
import type { Digits } from './digits';

/** The messages the lab posts to this worker. */
export type ToTrainWorker = { type: 'train'; request: TrainRequest; digits: Digits } | { type: 'stop'; run: number };
/** What this worker posts: ready (its tfjs backend) or why it failed, then each run's events. */
export type FromTrainWorker = { type: 'ready'; backend: string } | { type: 'failed'; error: string } | TrainEvent;

const scope = self as unknown as { postMessage(m: FromTrainWorker): void; onmessage: ((e: MessageEvent) => void) | null };

/** Yields to the worker's event loop (a message task, not a clamped timer), so a `stop` is seen between slices. */
function yieldTask(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}

let current: { run: number; stop: boolean } | null = null;
/** The run asked for last: a queued run superseded before it started is dropped. */
let latest = -1;
let queue: Promise<void> = Promise.resolve();

async function train(request: TrainRequest, digits: Digits): Promise<void> {
  if (request.run !== latest) return;
  const me = { run: request.run, stop: false };
  current = me;
  const pause = async () => {
    await yieldTask();
    if (me.stop) throw new Stopped();
  };
  await trainBoth(request, digits, pause, (e) => scope.postMessage(e));
  if (current === me) current = null;
}

const ready = tf.setBackend('cpu').then(() => tf.ready());

scope.onmessage = (e: MessageEvent) => {
  const m = e.data as ToTrainWorker;
  if (m?.type === 'stop') {
    if (current && current.run === m.run) current.stop = true;
  } else if (m?.type === 'train' && m.request && m.digits) {
    // One run at a time: the one in progress stops at its next slice, then this one starts.
    if (current) current.stop = true;
    latest = m.request.run;
    queue = queue.then(() => ready).then(() => train(m.request, m.digits), () => undefined);
  }
};

ready.then(
  () => scope.postMessage({ type: 'ready', backend: tf.getBackend() }),
  (e: unknown) => scope.postMessage({ type: 'failed', error: e instanceof Error ? e.message : String(e) }),
);
