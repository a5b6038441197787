/** The one table `pnpm bench` prints, and the JSON it writes next to it. */

export type Status = 'met' | 'missed' | 'info' | 'skipped'

export interface Row {
  section: string
  /** What is measured, e.g. "/authorize req/s". */
  measure: string
  /** Our figure (proxy, bundle, store...). */
  ours: string
  /** The same work without the proxy, or the seed's, when there is one. */
  baseline?: string
  /** Ratio or difference of ours against the baseline. */
  compare?: string
  target?: string
  status: Status
}

export interface SectionResult {
  rows: Row[]
  /** Raw numbers for the JSON file. */
  data: Record<string, unknown>
}

export function skipped(section: string, measure: string, why: string): Row {
  return { section, measure, ours: `skipped: ${why}`, status: 'skipped' }
}

export function fmt(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return 'n/a'
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US')
  return value.toFixed(digits)
}

const HEADERS = [
  'section',
  'measure',
  'ours',
  'baseline',
  'ratio / diff',
  'target',
  'status',
] as const

/** A Markdown table: readable in a terminal and pasteable into BENCHMARKS.md as it is. */
export function renderTable(rows: readonly Row[]): string {
  const cells = rows.map((row) => [
    row.section,
    row.measure,
    row.ours,
    row.baseline ?? '',
    row.compare ?? '',
    row.target ?? '',
    row.status,
  ])
  const widths = HEADERS.map((header, column) =>
    Math.max(header.length, ...cells.map((line) => (line[column] as string).length)),
  )
  const line = (values: readonly string[]) =>
    `| ${values.map((value, column) => value.padEnd(widths[column] as number)).join(' | ')} |`
  return [line(HEADERS), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join(
    '\n',
  )
}

/** With an explicit sign: "+0.42", "-1.10". */
export function signed(value: number, digits = 2): string {
  return `${value >= 0 ? '+' : ''}${fmt(value, digits)}`
}
