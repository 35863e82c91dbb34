// What a factory's refusal says: Flink's FactoryUtil wraps a factory's ValidationException, so option tests read
// the whole cause chain.
package dev.freshet.flink.connector;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.flink.table.api.ValidationException;

/** Shared by the connectors' factory tests. */
public final class FactoryErrors {
  private FactoryErrors() {}

  /** The messages of the ValidationException {@code r} throws and of its causes, one a line. */
  public static String error(Runnable r) {
    Throwable t = assertThrows(ValidationException.class, r::run);
    StringBuilder sb = new StringBuilder();
    for (; t != null; t = t.getCause()) sb.append(t.getMessage()).append('\n');
    return sb.toString();
  }
}
