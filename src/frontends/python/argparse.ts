// Command-line arguments (`argparse`): a value given `default=` is that default, one without is a
// size the code leaves open by its name (`args.latent_size` → `latent_size`, see core/symbolic.ts),
// or the value a `# shape-lens: latent_size=64` comment assumes. Only what model code reads of a
// parser is modelled: `add_argument`, argument groups, `set_defaults`, `parse_args`,
// `parse_known_args`; anything else stays unknown.

import type { SourceRange } from '../../core/diagnostics';
import { FALSE, NONE, TRUE, num, tuple, unknown, type CallArgs, type Value } from '../common/values';
import type { PythonInterpreter } from './interpreter';

/** One parser's arguments: destination → its default (null: none given). Groups share their parser's. */
type Arguments = Map<string, Value | null>;

/** Parsers (and their groups) and the namespaces they parsed, by the unknown value that stands for each. */
const parsers = new WeakMap<object, Arguments>();
const namespaces = new WeakMap<object, Arguments>();

/** Bounds the arguments one parser records (a generated file cannot grow it without limit). */
const MAX_ARGUMENTS = 1000;

/** `argparse.ArgumentParser(...)`: an unknown value the parser's methods are read from. */
export function argumentParser(path: string, range: SourceRange): Value | undefined {
  if (path !== 'argparse.ArgumentParser') return undefined;
  const v = unknown('call:argparse.ArgumentParser', range);
  parsers.set(v, new Map());
  return v;
}

/** An attribute of a parser, a group or a namespace; undefined for any other value. */
export function argparseAttr(ip: PythonInterpreter, obj: Value & { k: 'unknown' }, name: string): Value | undefined {
  const ns = namespaces.get(obj);
  if (ns) {
    if (!ns.has(name)) return undefined;
    const v = ns.get(name);
    return v ?? ip.openSize(name);
  }
  const args = parsers.get(obj);
  if (!args) return undefined;
  const method = (call: (a: CallArgs) => Value): Value => ({ k: 'builtin', name, call });
  switch (name) {
    case 'add_argument':
      return method((a) => {
        addArgument(args, a);
        return unknown();
      });
    case 'add_argument_group':
    case 'add_mutually_exclusive_group':
      return method(() => {
        const group = unknown(`call:${name}`);
        parsers.set(group, args);
        return group;
      });
    case 'set_defaults':
      return method((a) => {
        for (const [k, v] of a.keywords) if (args.has(k) || args.size < MAX_ARGUMENTS) args.set(k, v);
        return NONE;
      });
    case 'parse_args':
    case 'parse_known_args':
      return method(() => {
        const parsed = unknown(`call:${name}`);
        namespaces.set(parsed, args);
        return name === 'parse_args' ? parsed : tuple([parsed, unknown()]);
      });
    default:
      return undefined;
  }
}

/** Records what `add_argument('--latent-size', type=int, default=64)` gives: its destination and default. */
function addArgument(args: Arguments, a: CallArgs): void {
  const flags = a.positional.flatMap((v) => (v.k === 'str' ? [v.v] : []));
  const destV = a.keywords.get('dest');
  const long = flags.find((f) => f.startsWith('--')) ?? flags.find((f) => f.startsWith('-')) ?? flags[0];
  const dest = destV?.k === 'str' ? destV.v : long?.replace(/^-+/, '').replace(/-/g, '_');
  if (!dest || !/^[A-Za-z_]\w*$/.test(dest) || (!args.has(dest) && args.size >= MAX_ARGUMENTS)) return;
  if (a.rest) return void args.set(dest, unknown());
  const action = a.keywords.get('action');
  const nargs = a.keywords.get('nargs');
  // `default=None` is no value either: the command line is meant to give one (as for no default).
  const given = a.keywords.get('default');
  let v: Value | null = given && given.k !== 'none' ? given : null;
  if (v === null && action?.k === 'str') {
    // store_true / store_false default to the opposite; other actions (count, append) to None.
    v = action.v === 'store_true' ? FALSE : action.v === 'store_false' ? TRUE : NONE;
  }
  // argparse converts a string default with `type`: `type=int, default='64'` gives 64.
  const type = a.keywords.get('type');
  if (v?.k === 'str' && type?.k === 'builtin' && type.name === 'int' && /^\s*[-+]?\d+\s*$/.test(v.v)) v = num(parseInt(v.v, 10), true);
  // A list of values (`nargs='+'`) is no size: it stays unknown without a name.
  if (v === null && nargs && !(nargs.k === 'str' && nargs.v === '?')) v = unknown(`argument ${dest}`);
  args.set(dest, v);
}
