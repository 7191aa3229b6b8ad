// A layer's knowledge sits with its rule: every Python signature and tfjs factory name resolves to a
// rule, and each rule's factories resolve back to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getRule, knownClassNames, ruleForTfjsFactory } from '../../src/core/layers/registry';
import { PYTHON_ARGS, TFJS_FACTORIES } from '../../src/core/layers/signatures';

test('every Python signature belongs to a registered rule and is on it', () => {
  for (const [cls, args] of Object.entries(PYTHON_ARGS)) {
    const rule = getRule(cls);
    assert.ok(rule, `no rule for ${cls}`);
    assert.equal(rule.className, cls, `${cls} is an alias`);
    assert.deepEqual(rule.pythonArgs, args, cls);
    assert.equal(new Set(args).size, args.length, `${cls}: repeated argument`);
  }
});

test('every tfjs factory resolves to its rule, and back', () => {
  const seen = new Set<string>();
  for (const [cls, factories] of Object.entries(TFJS_FACTORIES)) {
    const rule = getRule(cls);
    assert.ok(rule, `no rule for ${cls}`);
    assert.equal(rule.className, cls, `${cls} is an alias`);
    for (const f of factories) {
      assert.ok(!seen.has(f), `factory ${f} listed twice`);
      seen.add(f);
      assert.equal(ruleForTfjsFactory(f), rule, f);
      assert.ok(rule.tfjsFactories?.includes(f), f);
    }
  }
  for (const name of knownClassNames()) {
    const rule = getRule(name)!;
    for (const f of rule.tfjsFactories ?? []) assert.equal(ruleForTfjsFactory(f)?.className, rule.className, f);
  }
  assert.equal(ruleForTfjsFactory('maxPool2d')?.className, 'MaxPooling2D');
  assert.equal(ruleForTfjsFactory('noSuchLayer'), undefined);
});
