// The one list of op rules (kept apart from index.ts so the layer registry can import it without
// importing the evaluator, which imports the registry).

import type { LayerRule } from '../layers/types';
import { elementwiseRules } from './elementwise';
import { shapeRules } from './shape';
import { indexingRules } from './indexing';
import { reduceRules } from './reduce';
import { linalgRules } from './linalg';
import { nnRules } from './nn';

/** Every op rule (the registry adds them to the layer rules). */
export const opsRules: LayerRule[] = [...elementwiseRules, ...shapeRules, ...indexingRules, ...reduceRules, ...linalgRules, ...nnRules];

/** Names of the ops that have a rule (`reshape`, `matmul`, ...). */
export const OP_NAMES: ReadonlySet<string> = new Set(opsRules.map((r) => r.className.slice(4)));
