// What hovers and hints say about a layer, a model and a `summary()` call, as Markdown / plain text,
// for the language server's hovers and hints (no vscode here).

import { formatCount, formatOutputShape, formatShape, formatShortCount, formatWeightBytes } from '../core/shape';
import { formatSummary, formatUnknownNotes, knownParams, rowHasUnknown, unknownRows, type ModelSummary, type SummaryRow } from '../core/summary';
import type { SummarySnapshot } from '../core/builder';
import type { KerasVersionChoice } from '../core/keras-version';
import { describeLayerCost, describeModelCost, modelCost, type LayerCost } from '../core/cost';
import { formatFormula, type Formula } from '../core/formula';
import { symbolicMacs, symbolicModel, type SymbolicRow } from '../core/symbolic';
import { formatSizeNotes, formatSymbolicShape, formulaParams, hintParams, hintShape, rowSymbols } from '../core/symbolicText';

/** The MAC convention, said where MACs are shown. */
const MAC_CONVENTION = 'per sample; one MAC per weight multiply-add of convs and dense layers and per multiply of attention and recurrent matmuls';

/** A fenced code block (as VS Code's `appendCodeblock` writes it). */
export function codeBlock(code: string, language = 'text'): string {
  return `\n\`\`\`${language}\n${code}\n\`\`\`\n`;
}

/** Markdown links that give open sizes a value (the server's command links), after the open sizes line. */
export type AssumeLinks = (symbols: readonly string[]) => string;

/**
 * A layer's hover: name, class and model (and ` · cell 3` in a notebook), input → output shapes,
 * what the None / `?` dims are in the open sizes (`sym`), params (with the formula), the open
 * sizes (with `assume` links), the cost, the arithmetic, why `?`.
 */
export function layerHoverMarkdown(row: SummaryRow, modelName: string, where = '', cost?: LayerCost, sym?: SymbolicRow, assume?: AssumeLinks, macs?: Formula): string {
  const layer = row.layer;
  const parts: string[] = [`**${row.name}** (${row.className}) · model \`${modelName}\`${where}\n\n`];
  if (row.stale) parts.push(`*Stale:* the value this line had before it stopped parsing; it updates when the line parses again.\n\n`);
  const ins = (layer.inputShapes ?? []).map((s) => formatShape(s));
  const arrow = ins.length > 0 ? `${ins.join(', ')} → ` : '';
  parts.push(codeBlock(`${arrow}${formatOutputShape(row.outputShape)}`));
  if (sym?.shape) parts.push(`Sizes: \`${formatSymbolicShape(sym.shape)}\`\n\n`);
  if (row.unbuilt) parts.push('Params: 0 (unbuilt: the model never receives an input shape)\n\n');
  else {
    const params = layer.nested
      ? `${formatCount(row.params)} (the nested model's total)`
      : row.params === null && sym?.params
        ? `\`${formatFormula(sym.params)}\``
        : layer.params?.formula
          ? `${layer.params.formula}`
          : formatCount(row.params);
    parts.push(`Params: ${params}`);
    if (row.nonTrainableParams) parts.push(` · ${formatCount(row.nonTrainableParams)} non-trainable`);
    parts.push('\n\n');
  }
  const open = rowSymbols(sym);
  if (open.length > 0) parts.push(`${openSizesText(open)}${assume ? assume(open) : ''}\n\n`);
  if (cost && cost.calls > 0) {
    parts.push(`${describeLayerCost(cost)}\n\n`);
    if (macs) parts.push(`MACs: \`${formatFormula(macs)}\`\n\n`);
    parts.push(`*${MAC_CONVENTION}*`);
    // With a formula the `?`s are the open sizes, not something Shape Lens could not count.
    if (macs) parts.push(`\n\n\`?\`: the sizes are open (${open.map((n) => `\`${n}\``).join(', ')}); the MACs are the formula above`);
    else if (cost.why) parts.push(`\n\n\`?\`: ${escapeMarkdown(cost.why)}`);
    if (!cost.receptiveField && cost.rfWhy) parts.push(`\n\nNo receptive field: ${escapeMarkdown(cost.rfWhy)}`);
    parts.push('\n\n');
  }
  if (layer.explain.length > 0) parts.push(codeBlock(layer.explain.join('\n')));
  if (rowHasUnknown(row)) parts.push(`\`?\` is not known to Shape Lens (it is not Keras' \`None\`): ${escapeMarkdown(layer.unknownWhy ?? 'it could not follow how this layer is built')}.\n\n`);
  return parts.join('');
}

/** `model.summary()`: the table Keras prints at that call (later `add`s and `trainable` changes not yet made). */
export function snapshotHoverMarkdown(s: SummarySnapshot): string {
  const table = formatSummary(s.summary, undefined, undefined, formulaParams(s.summary));
  return `What \`${s.model.name}.summary()\` prints here:\n\n${codeBlock([table, ...formatUnknownNotes(s.summary), ...formatSizeNotes(s.summary)].join('\n'))}`;
}

/** `Open sizes: \`H\`, \`W\` (the code gives them no value; the formulas are in them)`. */
export function openSizesText(symbols: readonly string[]): string {
  return `Open sizes: ${symbols.map((x) => `\`${x}\``).join(', ')} (the code gives ${symbols.length === 1 ? 'it no value' : 'them no value'}; the formulas are in ${symbols.length === 1 ? 'it' : 'them'})`;
}

/** One value a `shape-lens:` comment gave, with the 1-based line of the comment. */
export interface AssumptionAt {
  name: string;
  value: number;
  line: number | null;
}

/** `with H = 224, W = 224 (shape-lens comment, line 3)`; empty for none. */
export function describeAssumptions(list: readonly AssumptionAt[]): string {
  if (list.length === 0) return '';
  const lines = [...new Set(list.map((a) => a.line).filter((l): l is number => l !== null))];
  const where = lines.length === 0 ? 'shape-lens comment' : lines.length === 1 ? `shape-lens comment, line ${lines[0]}` : `shape-lens comments, lines ${lines.join(', ')}`;
  return `with ${list.map((a) => `${a.name} = ${a.value}`).join(', ')} (${where})`;
}

/**
 * A model's hover: class, rows, Keras version, output, totals (or why they are `?`, or their
 * formula in the open sizes), the open sizes, and the values `shape-lens:` comments gave.
 */
export function modelHoverMarkdown(m: ModelSummary, keras?: KerasVersionChoice, assumed: readonly AssumptionAt[] = [], assume?: AssumeLinks): string {
  const sym = symbolicModel(m);
  const parts: string[] = [];
  parts.push(`**${m.model.name}** (${m.model.className}) · ${m.rows.length} layers${keras ? ` · Keras ${keras.version} (${escapeMarkdown(keras.from === 'default' ? 'no Keras 2 pin found' : keras.from)})` : ''}\n\n`);
  parts.push(`Output: \`${formatOutputShape(m.outputShape)}\`\n\n`);
  if (m.model.argumentsFrom && m.model.functionName) {
    parts.push(`Built by \`${m.model.functionName}()\` with the arguments of the call in \`${m.model.argumentsFrom}\``);
    if (m.model.otherCallSites?.length) parts.push(` (other calls: ${m.model.otherCallSites.map((w) => `\`${w}\``).join(', ')})`);
    parts.push('\n\n');
  }
  if (m.totalParams === null && sym.totalParams) parts.push(`Total params: **${escapeMarkdown(formatFormula(sym.totalParams))}**\n\n`);
  else if (m.totalParams === null) {
    const unknown = unknownRows(m);
    parts.push(m.model.incomplete ? `Total params: **?** (${escapeMarkdown(m.model.incomplete)})\n\n` : `Total params: **?** (at least ${formatCount(knownParams(m))} + unknown)\n\n`);
    if (unknown.length > 0) parts.push(`Not known to Shape Lens: ${unknown.slice(0, 5).map(({ row, why }) => `\`${row.name}\` (${escapeMarkdown(why)})`).join(', ')}${unknown.length > 5 ? `, and ${unknown.length - 5} more` : ''}\n\n`);
  } else parts.push(`Total params: **${formatCount(m.totalParams)}** (${formatWeightBytes(m.totalParams)})\n\n`);
  if (sym.symbols.length > 0) parts.push(`${openSizesText(sym.symbols)}${assume ? assume(sym.symbols) : ''}\n\n`);
  if (assumed.length > 0) parts.push(`Sizes ${escapeMarkdown(describeAssumptions(assumed))}\n\n`);
  parts.push(`Trainable: ${formatCount(m.trainableParams)} · Non-trainable: ${formatCount(m.nonTrainableParams)}`);
  const cost = modelCost(m);
  parts.push(`\n\n${describeModelCost(cost)} (${MAC_CONVENTION})`);
  const macs = cost.totalMacs === null && sym.symbols.length > 0 ? symbolicMacs(m).total : undefined;
  if (macs) parts.push(`\n\nMACs: \`${formatFormula(macs)}\` (\`?\` above: the sizes are open)`);
  else if (cost.why) parts.push(`\n\n\`?\`: ${escapeMarkdown(cost.why)}`);
  return parts.join('');
}

/**
 * An inlay hint's text for a row: `(None, 13, 13, 32) · 320 params`, or the shape alone; with
 * `macs` given (null: unknown) also `· 48.7 k MACs`; `(stale)` on a line being typed. Where `sym`
 * and `macsFormula` have formulas short enough (core/symbolicText.ts) they replace the None / `?`
 * dims and the `?` params and MACs.
 */
export function describeRow(row: SummaryRow, withParams: boolean, macs?: number | null, sym?: SymbolicRow, macsFormula?: Formula): string {
  const shape = hintShape(row.outputShape, sym?.shape) ?? formatOutputShape(row.outputShape);
  const count = row.params === null ? hintParams(sym?.params) ?? '?' : formatCount(row.params);
  const params = !withParams ? '' : row.unbuilt ? ' · unbuilt' : ` · ${count} params`;
  const macsText = macs === null ? hintParams(macsFormula) ?? '?' : macs === undefined ? '' : formatShortCount(macs);
  const cost = macs === undefined || row.unbuilt ? '' : ` · ${macsText} MACs`;
  return `${shape}${params}${cost}${row.stale ? ' (stale)' : ''}`;
}

/** Text from the analysis inside Markdown: backticks in it stay code, nothing else is markup. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\*_[\]<>]/g, (c) => `\\${c}`);
}
