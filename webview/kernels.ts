// A faster CPU kernel for the one op that makes training convolutions on tfjs' CPU backend crawl:
// the gradient of a Conv2D's kernel (Conv2DBackpropFilter). tfjs' own reads every element through
// TensorBuffer.get (an index computed per call), about 100× slower than the forward convolution;
// this one walks the typed arrays directly and sums the same products (in float64, then stored as
// float32). Channels-last only; anything else goes to tfjs' own kernel. Registered once, on the
// CPU backend only (WebGL has its own shader).

import * as tf from '@tensorflow/tfjs';

interface KernelArgs {
  inputs: { x: tf.TensorInfo; dy: tf.TensorInfo };
  backend: { data: { get(id: object): { values: unknown } }; makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo };
  attrs: { strides: number | [number, number]; pad: 'valid' | 'same' | number; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
}

/** dW[r, c, i, o] = Σ over batch and output positions of x[b, y·sh + r − top, x·sw + c − left, i] · dy[b, y, x, o]. */
export function conv2dBackpropFilterNHWC(
  x: Float32Array,
  xShape: [number, number, number, number],
  dy: Float32Array,
  dyShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: [number, number],
  pad: { top: number; left: number },
): Float32Array {
  const [batch, inH, inW, inC] = xShape;
  const [, outH, outW, outC] = dyShape;
  const [fh, fw] = filterShape;
  const [sh, sw] = strides;
  const acc = new Float64Array(fh * fw * inC * outC);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const dyOff = ((b * outH + oy) * outW + ox) * outC;
        for (let r = 0; r < fh; r++) {
          const iy = oy * sh + r - pad.top;
          if (iy < 0 || iy >= inH) continue;
          for (let c = 0; c < fw; c++) {
            const ix = ox * sw + c - pad.left;
            if (ix < 0 || ix >= inW) continue;
            const xOff = ((b * inH + iy) * inW + ix) * inC;
            const wOff = (r * fw + c) * inC * outC;
            for (let i = 0; i < inC; i++) {
              const xv = x[xOff + i];
              if (xv === 0) continue;
              const row = wOff + i * outC;
              for (let o = 0; o < outC; o++) acc[row + o] += xv * dy[dyOff + o];
            }
          }
        }
      }
    }
  }
  return Float32Array.from(acc);
}

let registered = false;

/** Replaces the CPU backend's Conv2DBackpropFilter with the one above (channels-last; the rest to tfjs' own). */
export function registerFastKernels(): void {
  if (registered) return;
  registered = true;
  const own = tf.getKernel('Conv2DBackpropFilter', 'cpu');
  if (!own) return;
  tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'cpu',
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args as unknown as KernelArgs;
      const { x, dy } = inputs;
      if (attrs.dataFormat !== 'NHWC' || x.dtype !== 'float32' || dy.dtype !== 'float32' || x.shape.length !== 4) return own.kernelFunc(args);
      const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
      const xv = backend.data.get(x.dataId).values;
      const dyv = backend.data.get(dy.dataId).values;
      if (!(xv instanceof Float32Array) || !(dyv instanceof Float32Array)) return own.kernelFunc(args);
      const out = conv2dBackpropFilterNHWC(xv, x.shape as [number, number, number, number], dyv, dy.shape as [number, number, number, number], info.filterShape as [number, number, number, number], [info.strideHeight, info.strideWidth], info.padInfo);
      return backend.makeTensorInfo(info.filterShape, 'float32', out);
    },
  });
}
