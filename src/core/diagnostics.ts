// Diagnostics as data: analysis reports problems into a sink and keeps going, never throws.

export type Severity = 'error' | 'warning' | 'info';

/** A source range as character offsets into one file's text (converted to positions at the edge). */
export interface SourceRange {
  start: number;
  end: number;
  /** The file the offsets belong to, when not the file being analysed (imported helpers). */
  file?: string;
}

export interface Diagnostic {
  severity: Severity;
  /** Stable identifier, e.g. `negative-dimension`, `rank-mismatch`, `unknown-layer`. */
  code: string;
  message: string;
  range?: SourceRange;
  /** Machine-readable hint for a quick fix, e.g. `{ kind: 'set-arg', arg: 'padding', value: "'same'" }`. */
  fix?: { kind: 'set-arg'; arg: string; value: string; title: string };
}

/** Collects diagnostics; bounded so a pathological file cannot flood the editor. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly limit = 500) {}

  report(d: Diagnostic): void {
    const key = `${d.code}|${d.message}|${d.range?.file ?? ''}|${d.range?.start ?? ''}`;
    if (this.seen.has(key) || this.items.length >= this.limit) return;
    this.seen.add(key);
    this.items.push(d);
  }
  error(code: string, message: string, range?: SourceRange): void {
    this.report({ severity: 'error', code, message, range });
  }
  warning(code: string, message: string, range?: SourceRange): void {
    this.report({ severity: 'warning', code, message, range });
  }
  info(code: string, message: string, range?: SourceRange): void {
    this.report({ severity: 'info', code, message, range });
  }
}
