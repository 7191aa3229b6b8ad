// The results side of the incremental Python analysis (see incremental.ts): shared with the JS/TS
// analysis (common/incremental-timeline.ts), here with Python's statements.

import { Timeline as TimelineOf, type Event as EventOf, type GroupRun as GroupRunOf } from '../common/incremental-timeline';
import type { Stmt } from './incremental-groups';

export { collectRanges, movedLines, sameMultiset, shiftRanges, type Advance, type Phase } from '../common/incremental-timeline';

export type Event = EventOf<Stmt>;
export type GroupRun = GroupRunOf<Stmt>;
export class Timeline extends TimelineOf<Stmt> {}
