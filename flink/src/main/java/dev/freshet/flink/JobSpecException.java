// The one error type of the template job's input: a job spec that cannot be read or does not fit the format.
package dev.freshet.flink;

/** A job spec problem; the message names the field (e.g. {@code statements[2].kind}) and what was expected. */
public final class JobSpecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JobSpecException(String message) {
    super(message);
  }

  public JobSpecException(String message, Throwable cause) {
    super(message, cause);
  }
}
