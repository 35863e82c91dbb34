/**
 * The error a format decoder throws for input it cannot read. It is data for the connector, which decides whether to
 * skip the record (counting and reporting it) or fail the job; it never reaches the user as a bare throw.
 */

export class DecodeError extends Error {
  /** What is wrong, without position: e.g. `"abc" is not a valid INT`. */
  readonly reason: string;
  /** Column or nested field path (`address.city`, `tags[2]`), when the error is about one value. */
  path: string | undefined;

  constructor(reason: string, path?: string) {
    super(reason);
    this.name = 'DecodeError';
    this.reason = reason;
    this.path = path;
    this.message = DecodeError.render(reason, path);
  }

  /** Prepends a parent segment to the path while the error unwinds through nested converters. */
  prefix(segment: string): this {
    if (this.path === undefined) this.path = segment;
    else this.path = this.path.startsWith('[') ? segment + this.path : `${segment}.${this.path}`;
    this.message = DecodeError.render(this.reason, this.path);
    return this;
  }

  private static render(reason: string, path: string | undefined): string {
    return path === undefined ? reason : `field '${path}': ${reason}`;
  }
}

/** Normalises anything thrown inside a converter into a DecodeError (a RangeError from a bad value, say). */
export function toDecodeError(e: unknown): DecodeError {
  if (e instanceof DecodeError) return e;
  return new DecodeError(e instanceof Error ? e.message : String(e));
}
