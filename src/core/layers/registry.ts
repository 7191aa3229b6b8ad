// Layer rules by Keras class name. Each family file exports its rules; this is the only list.

import type { LayerRule } from './types';
import { convRules } from './conv';
import { poolingRules } from './pooling';
import { coreRules } from './core';
import { normalizationRules } from './normalization';
import { reshapingRules } from './reshaping';
import { mergingRules } from './merging';
import { recurrentRules } from './recurrent';
import { activationRules } from './activation';
import { regularizationRules } from './regularization';
import { preprocessingRules } from './preprocessing';
import { wrapperRules } from './wrappers';
import { applicationRules } from './applications';
import { attentionRules } from './attention';
import { opsRules } from '../ops/rules';
import { vocabularyRules } from './vocabulary';
import { PYTHON_ARGS, TFJS_FACTORIES } from './signatures';

const byName = new Map<string, LayerRule>();
const byTfjsFactory = new Map<string, LayerRule>();

for (const rule of [
  ...opsRules,
  ...convRules,
  ...poolingRules,
  ...coreRules,
  ...normalizationRules,
  ...reshapingRules,
  ...mergingRules,
  ...recurrentRules,
  ...activationRules,
  ...regularizationRules,
  ...preprocessingRules,
  ...wrapperRules,
  ...applicationRules,
  ...attentionRules,
  ...vocabularyRules,
]) {
  byName.set(rule.className, rule);
  for (const alias of rule.aliases ?? []) byName.set(alias, rule);
  if (Object.hasOwn(PYTHON_ARGS, rule.className)) rule.pythonArgs ??= PYTHON_ARGS[rule.className];
  if (Object.hasOwn(TFJS_FACTORIES, rule.className)) rule.tfjsFactories ??= TFJS_FACTORIES[rule.className];
  for (const f of rule.tfjsFactories ?? []) byTfjsFactory.set(f, rule);
}

/** The rule a tfjs `tf.layers.<factory>` makes (`conv2d`, `maxPool2d` → MaxPooling2D), if any. */
export function ruleForTfjsFactory(factory: string): LayerRule | undefined {
  return byTfjsFactory.get(factory);
}

/** The rule for a Keras class name or alias, or undefined for classes the analysis does not know. */
export function getRule(className: string): LayerRule | undefined {
  return byName.get(className);
}

/** Every class name and alias with a rule (used by front ends to recognise `layers.X`). */
export function knownClassNames(): string[] {
  return [...byName.keys()];
}

/** The canonical class name for an alias (`MaxPool2D` → `MaxPooling2D`). */
export function canonicalClassName(name: string): string {
  return byName.get(name)?.className ?? name;
}
