// Discriminators of multi-type topics, as Freshet's dictionary and embedded connectors read them
// (src/catalog/dictionary/discriminator.ts): a dotted JSON path `$.type` / `$.meta.kind` into the message body whose
// value (a string, or a number/boolean as its text) names the message's type.
package dev.freshet.flink.format;

import dev.freshet.flink.Json;
import dev.freshet.flink.store.JsText;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/** A parsed JSON-path discriminator. Header discriminators are not supported by the format (it sees no headers). */
public final class Discriminator implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern STEP = Pattern.compile("^[A-Za-z_$][\\w$-]*$");

  private final String[] steps;

  private Discriminator(String[] steps) {
    this.steps = steps;
  }

  /** Parses {@code $.a.b}; throws IllegalArgumentException with the reason otherwise. */
  public static Discriminator parse(String text) {
    String t = text.trim();
    if (t.startsWith("header:")) {
      throw new IllegalArgumentException("header discriminators ('" + text + "') are not supported by the freshet-json format");
    }
    if (!t.startsWith("$.")) throw new IllegalArgumentException("discriminator '" + text + "' must be a JSON path such as '$.type'");
    String[] steps = t.substring(2).split("\\.", -1);
    for (String s : steps) {
      if (!STEP.matcher(s).matches()) {
        throw new IllegalArgumentException("discriminator '" + text + "' must be a dotted path of plain names, e.g. '$.type' or '$.meta.kind'");
      }
    }
    return new Discriminator(steps);
  }

  /** The type of a message, or null when the body is not a JSON object or the path is absent or not a scalar. */
  public String typeOf(byte[] message) {
    Object cur;
    try {
      cur = Json.parse(new String(message, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return null;
    }
    for (String s : steps) {
      if (!(cur instanceof Map<?, ?> m)) return null;
      cur = m.get(s);
    }
    if (cur instanceof String str) return str;
    if (cur instanceof Boolean b) return b.toString();
    if (cur instanceof Long l) return JsText.number(l);
    if (cur instanceof Double d) return JsText.number(d);
    return null;
  }
}
