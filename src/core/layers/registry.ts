// Layer rules by Keras class name. Each family file exports its rules; this is the only list.

import { Cfg, UNKNOWN, type LayerConfig } from '../config';
import { constant, type Formula, type FormulaShape } from '../formula';
import type { LayerRule, SymbolicResult } from './types';
import { convRules } from './conv';
import { poolingRules } from './pooling';
import { coreRules, sameShape } from './core';
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

/**
 * The formulas (core/symbolic.ts) of `className` with `config` on `inputs`: its rule's `symbolic`
 * hook, or its input's when its output is its input (`sameShape`); null without either. A setting
 * reads as its whole number, or as `open[key]` where the config holds UNKNOWN (a size the code
 * left open: `LayerNode.settingFormulas`).
 */
export function ruleFormulas(className: string, config: LayerConfig, inputs: FormulaShape[], open: Record<string, Formula> | undefined, withParams: boolean): SymbolicResult | null {
  const rule = getRule(className);
  if (!rule) return null;
  if (!rule.symbolic) return rule.outputShape === sameShape ? { output: inputs[0] } : null;
  const setting = (key: string): Formula | undefined => {
    const v = config[key];
    if (typeof v === 'number' && Number.isSafeInteger(v)) return constant(v);
    return v === UNKNOWN ? open?.[key] : undefined;
  };
  return rule.symbolic(inputs, new Cfg(config), setting, withParams);
}

/** Every class name and alias with a rule (used by front ends to recognise `layers.X`). */
export function knownClassNames(): string[] {
  return [...byName.keys()];
}

/** The canonical class name for an alias (`MaxPool2D` → `MaxPooling2D`). */
export function canonicalClassName(name: string): string {
  return byName.get(name)?.className ?? name;
}
