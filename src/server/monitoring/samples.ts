/**
 * The flat sample model monitoring works on: every figure is a `{name, labels, value}` taken at one instant. The
 * collector produces them, the time-series store keeps them, alert rules select them, and `/metrics` renders them.
 * A series is identified by its name and its labels (key order does not matter).
 */
export type Labels = Record<string, string>;

export interface Sample { name: string; labels: Labels; value: number }

/** Canonical identity of a series: `name{a="1",b="2"}` with labels sorted by key. */
export function seriesKey(name: string, labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return name;
  return `${name}{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;
}

/** True when every label of `match` has that value in `labels`; a value `*` only requires the label to exist. */
export function labelsMatch(labels: Labels, match: Labels | undefined): boolean {
  if (!match) return true;
  for (const [k, v] of Object.entries(match)) {
    const have = labels[k];
    if (have === undefined || (v !== '*' && have !== v)) return false;
  }
  return true;
}
