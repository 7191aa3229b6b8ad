// Placeholder: rules for this family are being written.

import type { LayerRule } from './types';

export const regularizationRules: LayerRule[] = [];
