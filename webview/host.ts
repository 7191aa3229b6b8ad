// The only place that touches `acquireVsCodeApi`: the rest of the webview talks to the host and
// keeps its state through this small typed interface (and can run without VS Code in tests).

import type { WebviewToHost } from '../src/protocol';

/** `Out`: the messages this panel's webview posts (the pooling preview's by default). */
export interface Host<S, Out = WebviewToHost> {
  post(message: Out): void;
  getState(): S | undefined;
  setState(state: S): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** The VS Code webview API when running in VS Code, else an in-page stand-in (state kept in memory). */
export function connect<S, Out = WebviewToHost>(isState: (x: unknown) => x is S): Host<S, Out> {
  if (typeof acquireVsCodeApi === 'function') {
    const api = acquireVsCodeApi();
    return {
      post: (m) => api.postMessage(m),
      getState: () => {
        const s = api.getState();
        return isState(s) ? s : undefined;
      },
      setState: (s) => api.setState(s),
    };
  }
  let state: S | undefined;
  return { post: () => {}, getState: () => state, setState: (s) => (state = s) };
}

/** Calls `handler` with each valid message from the host; anything else is dropped. */
export function onHostMessage<M>(guard: (x: unknown) => x is M, handler: (m: M) => void): void {
  window.addEventListener('message', (e: MessageEvent) => {
    if (guard(e.data)) handler(e.data);
  });
}
