/**
 * The proxy's metrics as CloudWatch Embedded Metric Format: one JSON line on stdout per
 * measurement, which CloudWatch Logs turns into metrics. No SDK call and no buffering, so a
 * request costs one `write` per metric and nothing is lost when a function is frozen or times
 * out after answering. Names and dimensions come from core's METRICS table, in CloudWatch's
 * PascalCase (`failures` with `route` is `Failures` with `Route`).
 */
import {
  type CounterName,
  DEFAULT_EMF_NAMESPACE,
  type HistogramName,
  invalidOption,
  METRICS,
  type MetricLabels,
  type MetricName,
  type MetricsSink,
} from '@idp-proxy/core'

export interface EmfMetricsOptions {
  /** The CloudWatch namespace. Default `IdpProxy`. */
  namespace?: string
  /**
   * Dimensions added to every metric, e.g. `{ Service: 'idp-proxy', Stage: 'prod' }` (at most 5;
   * each one multiplies the metrics CloudWatch bills for).
   */
  dimensions?: Readonly<Record<string, string>>
  /**
   * Where each line goes. Default `process.stdout.write`: not `console.log`, which on Lambda
   * prefixes a timestamp and request id (text log format) or wraps the line in a JSON object
   * (JSON log format), and CloudWatch then extracts nothing.
   */
  write?: (line: string) => void
  /** Clock for the documents' `Timestamp` (ms since the epoch). Default `Date.now`. */
  now?: () => number
}

export { DEFAULT_EMF_NAMESPACE }

// CloudWatch allows 30 dimensions per metric; the proxy's own use at most 3.
const MAX_EXTRA_DIMENSIONS = 5

/** A MetricsSink that writes Embedded Metric Format lines. */
export function emfMetrics(options: EmfMetricsOptions = {}): MetricsSink {
  const namespace = options.namespace ?? DEFAULT_EMF_NAMESPACE
  // CloudWatch's rule: these characters, at most 255, and AWS/ is reserved for AWS's own.
  if (
    typeof namespace !== 'string' ||
    !/^[\w.\-/#: ]{1,255}$/.test(namespace) ||
    namespace.startsWith('AWS/')
  ) {
    throw invalidOption('metrics.namespace', 'must be a CloudWatch namespace (1-255 characters)')
  }
  const extra = resolveDimensions(options.dimensions)
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`))
  const now = options.now ?? (() => Date.now())

  const emit = (name: MetricName, value: number, unit: string, labels: MetricLabels) => {
    const dimensions: Record<string, string> = { ...extra }
    for (const label of METRICS[name].labels) {
      const value = labels[label]
      // A missing label value would make CloudWatch drop the whole document.
      dimensions[pascal(label)] = value === undefined || value === '' ? 'none' : value
    }
    const metric = pascal(name)
    write(
      JSON.stringify({
        _aws: {
          Timestamp: now(),
          CloudWatchMetrics: [
            {
              Namespace: namespace,
              Dimensions: [Object.keys(dimensions)],
              Metrics: [{ Name: metric, Unit: unit }],
            },
          ],
        },
        ...dimensions,
        [metric]: value,
      }),
    )
  }
  return {
    count(name: CounterName, labels: MetricLabels) {
      emit(name, 1, 'Count', labels)
    },
    observe(name: HistogramName, valueMs: number, labels: MetricLabels) {
      emit(name, valueMs, 'Milliseconds', labels)
    },
  }
}

/** `idp_request_duration` -> `IdpRequestDuration`. */
export function pascal(name: string): string {
  return name.replace(/(^|_)([a-z])/g, (_, _sep: string, char: string) => char.toUpperCase())
}

function resolveDimensions(value: EmfMetricsOptions['dimensions']): Record<string, string> {
  if (value === undefined) return {}
  const entries = Object.entries(value)
  if (entries.length > MAX_EXTRA_DIMENSIONS) {
    throw invalidOption('metrics.dimensions', `at most ${MAX_EXTRA_DIMENSIONS} dimensions`)
  }
  const own = new Set(Object.values(METRICS).flatMap((metric) => metric.labels.map(pascal)))
  for (const [name, dimension] of entries) {
    if (!/^[A-Za-z][\w-]{0,249}$/.test(name) || own.has(name) || name === '_aws') {
      throw invalidOption(`metrics.dimensions.${name}`, 'is not a free dimension name')
    }
    if (typeof dimension !== 'string' || dimension === '' || dimension.length > 1024) {
      throw invalidOption(`metrics.dimensions.${name}`, 'must be a string of 1-1024 characters')
    }
  }
  return { ...value }
}
