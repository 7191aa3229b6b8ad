// Smoke test of the test pipeline itself: shape formatting as Keras prints it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatShape, formatCount, formatWeightBytes } from '../../src/core/shape';

test('formatShape prints Python tuples', () => {
  assert.equal(formatShape([null, 13, 13, 32]), '(None, 13, 13, 32)');
  assert.equal(formatShape([null]), '(None,)');
  assert.equal(formatShape(null), '?');
});

test('formatCount and bytes match Keras 3 summary', () => {
  assert.equal(formatCount(477341), '477,341');
  assert.equal(formatWeightBytes(477341), '1.82 MB');
  assert.equal(formatWeightBytes(8861), '34.61 KB');
  assert.equal(formatWeightBytes(0), '0.00 B');
});
