/**
 * Discriminators of multi-type topics: `$.type` / `$.meta.kind` (a dotted JSON path into the message body) or
 * `header:<name>` (a message header). The same rules are used by inference, the ingest path and the connectors'
 * `freshet.discriminator` option, so a message is routed to the same type everywhere.
 */

export type DiscriminatorPath = { kind: 'json'; steps: string[] } | { kind: 'header'; name: string };

/** Parses a discriminator; returns an error message when it is neither `$.a.b` nor `header:<name>`. */
export function parseDiscriminator(text: string): DiscriminatorPath | string {
  const t = text.trim();
  if (t.startsWith('header:')) {
    const name = t.slice('header:'.length).trim();
    return name.length > 0 ? { kind: 'header', name } : "a header discriminator needs a name: 'header:<name>'";
  }
  if (!t.startsWith('$.')) return `discriminator '${text}' must be a JSON path such as '$.type' or a header such as 'header:type'`;
  const steps = t.slice(2).split('.');
  if (steps.some((s) => !/^[A-Za-z_$][\w$-]*$/.test(s))) return `discriminator '${text}' must be a dotted path of plain names, e.g. '$.type' or '$.meta.kind'`;
  return { kind: 'json', steps };
}

/**
 * The type value of a parsed message body (plain object or a Map from json-text), or undefined when the path is
 * absent or holds an object, array or null. Numbers and booleans are read as their text.
 */
export function discriminatorValue(body: unknown, path: DiscriminatorPath, headers?: Record<string, string> | null): string | undefined {
  // Own properties only: a header named like an Object.prototype member (`constructor`) is absent unless sent.
  if (path.kind === 'header') return headers != null && Object.hasOwn(headers, path.name) ? headers[path.name] : undefined;
  let cur: unknown = body;
  for (const s of path.steps) {
    if (cur instanceof Map) cur = cur.get(s);
    else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) cur = Object.hasOwn(cur, s) ? (cur as Record<string, unknown>)[s] : undefined;
    else return undefined;
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  if (cur !== null && typeof cur === 'object' && 'text' in cur && typeof (cur as { text: unknown }).text === 'string' && !(cur instanceof Map)) {
    return (cur as { text: string }).text; // a JsonNumber
  }
  return undefined;
}
