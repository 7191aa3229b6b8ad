// The automatic-name counters of the incremental Python analysis by position (incremental-timeline.ts):
// a counter's tree starts at the statements' own events and grows when a later phase advances it;
// every prefix sum must equal a plain sum of the advances made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Timeline } from '../../src/frontends/common/incremental-timeline';
import { mulberry32 } from './helpers/cnn-gen';

test('counters before each position equal a plain sum of the advances, across phases and after taking some out', () => {
  for (const stmts of [1, 2, 7, 64, 100]) {
    const rng = mulberry32(stmts);
    const timeline = new Timeline(stmts);
    const made: { pos: number; base: string; d: number }[] = [];
    for (let step = 0; step < 300; step++) {
      // Mostly statements' own events (phase 0), sometimes a later phase (the tree grows then).
      const phase = rng() < 0.8 ? 0 : 1 + Math.floor(rng() * 5);
      const pos = phase * stmts + Math.floor(rng() * stmts);
      const base = ['dense', 'conv2d', 'flatten'][Math.floor(rng() * 3)];
      const d = 1 + Math.floor(rng() * 4);
      timeline.add(pos, [[base, d]]);
      made.push({ pos, base, d });
      if (rng() < 0.2) {
        const gone = made.splice(Math.floor(rng() * made.length), 1)[0];
        timeline.add(gone.pos, [[gone.base, gone.d]], -1);
      }
      const at = Math.floor(rng() * (6 * stmts + 1));
      const want = new Map<string, number>();
      for (const m of made) if (m.pos < at) want.set(m.base, (want.get(m.base) ?? 0) + m.d);
      assert.deepEqual(timeline.before(at), new Map([...want].filter(([, v]) => v !== 0)), `${stmts} statements, step ${step}, before ${at}`);
    }
    const total = new Map<string, number>();
    for (const m of made) total.set(m.base, (total.get(m.base) ?? 0) + m.d);
    assert.deepEqual(timeline.totals(), new Map([...total].filter(([, v]) => v !== 0)));
  }
});
