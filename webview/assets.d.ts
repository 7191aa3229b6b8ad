// Virtual modules the webview bundles are built with (esbuild plugins in webview/build/).

declare module 'shape-lens:digits' {
  /** The model lab's MNIST digits asset (webview/build/digits.mjs describes the layout). */
  const bytes: Uint8Array;
  export default bytes;
}
