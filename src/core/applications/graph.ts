// keras.applications models as real layer graphs: the replay in layers/applications.ts emits each
// layer Keras creates (name, class, config, inputs) and this builds it through the graph builder,
// so every layer gets its rule's shape and params and the model answers `get_layer`, `layers`,
// `input` / `output` and `summary()` as Keras' does.

import type { GraphBuilder } from '../builder';
import type { LayerConfig } from '../config';
import type { SourceRange } from '../diagnostics';
import type { CallNode, ModelGraph, SymbolicTensor } from '../graph';
import { recordApplication } from '../layers/applications';
import type { ParamCount } from '../layers/types';
import { isUnknownDim } from '../shape';


/** An application built as a graph, with the totals the replay summed (tests cross-check them). */
export interface ApplicationGraph {
  model: ModelGraph;
  replayParams: ParamCount;
}

/**
 * `keras.applications.<className>(**config)` as a functional model, or null when it stays one
 * layer (a setting Shape Lens cannot read, or a ValueError Keras would raise, which the layer's
 * rule reports). With `inputTensor` (`input_tensor=`), the layers are
 * called on that tensor and the model's inputs are the Inputs it comes from, as Keras does.
 */
export function buildApplication(
  builder: GraphBuilder,
  className: string,
  config: LayerConfig,
  range?: SourceRange,
  inputTensor?: SymbolicTensor,
  functionName: string | null = null,
): ApplicationGraph | null {
  if (inputTensor && (!inputTensor.shape || inputTensor.shape.length !== 4 || inputTensor.shape.some(isUnknownDim))) return null;
  let input: SymbolicTensor | undefined;
  const recorded = recordApplication(
    className,
    config,
    {
      input: (shape) => (input = inputTensor ?? builder.createInput(shape, range)),
      layer: (cls: string, cfg: LayerConfig, inputs: unknown[]) => builder.call(builder.createLayer(cls, cfg), inputs as SymbolicTensor[], range)[0],
      // A Sequential inside the application (ConvNeXt's stem): built by its call, as Keras builds it; not a model of its own in the report.
      sequential: (name: string, layers: [string, LayerConfig][], input: unknown) => {
        const seq = builder.sequential(name, range, functionName);
        for (const [cls, cfg] of layers) seq.add(builder.createLayer(cls, cfg));
        builder.forgetModel(seq.graph);
        return builder.call(builder.modelAsLayer(seq.graph), [input as SymbolicTensor], range)[0];
      },
    },
    inputTensor ? (inputTensor.shape as (number | null)[]) : undefined,
  );
  if (!recorded || !input) return null;
  const inputs = inputTensor ? sourceInputs(inputTensor) : [input];
  const model = builder.functional(inputs, [recorded.output as SymbolicTensor], recorded.name, range, functionName);
  model.nameFrom = 'keras';
  return { model, replayParams: recorded.params };
}

/** `operation_utils.get_source_inputs`: the Input tensors a tensor is computed from. */
function sourceInputs(t: SymbolicTensor): SymbolicTensor[] {
  const out: SymbolicTensor[] = [];
  const seen = new Set<CallNode>();
  const stack = [t];
  while (stack.length > 0 && seen.size < 100000) {
    const x = stack.pop()!;
    const call = x.source;
    if (!call || call.layer.isInput) {
      if (!out.includes(x)) out.push(x);
      continue;
    }
    if (seen.has(call)) continue;
    seen.add(call);
    for (let i = call.inputs.length - 1; i >= 0; i--) stack.push(call.inputs[i]);
  }
  return out;
}
