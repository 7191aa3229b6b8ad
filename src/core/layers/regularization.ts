// Regularization layer rules: Dropout variants, Gaussian noise, ActivityRegularization (no weights, shape unchanged).

import { passThrough } from './core';
import type { LayerRule } from './types';

/** Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout, ActivityRegularization. */
export const regularizationRules: LayerRule[] = [
  passThrough('Dropout'),
  passThrough('SpatialDropout1D', undefined, 3),
  passThrough('SpatialDropout2D', undefined, 4),
  passThrough('SpatialDropout3D', undefined, 5),
  passThrough('GaussianNoise'),
  passThrough('GaussianDropout'),
  passThrough('AlphaDropout'),
  passThrough('ActivityRegularization'),
];
