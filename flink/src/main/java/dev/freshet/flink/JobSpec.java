// The Freshet job spec as the template job reads it (format: docs/job-spec.md). The TypeScript side writes it
// (src/flink/job-spec.ts); both sides must change together, and FORMAT_VERSION says which format this reader knows.
package dev.freshet.flink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A parsed, validated job spec. Invariants: {@code statements} is non-empty and holds at least one INSERT; every
 * {@code config} value is a string; every name in {@code requires} is one this jar provides.
 */
public final class JobSpec {
  /** The spec format version this reader understands. */
  public static final int FORMAT_VERSION = 1;

  /**
   * Capabilities this jar provides. A spec lists in {@code requires} what it needs beyond plain Flink SQL, so an older
   * jar fails with a clear message instead of running a job that silently lacks a feature.
   */
  public static final Set<String> CAPABILITIES = Set.of("sql", "redis", "aerospike", "secrets", "multi-type", "changed-keys", "tiles");

  /** What a statement does in the job: DDL runs at once on the TableEnvironment; INSERTs form one statement set. */
  public enum Kind {
    DDL,
    INSERT
  }

  /** One Flink SQL statement of the spec, in script order. */
  public record Statement(Kind kind, String sql) {}

  private static final Set<String> TOP_LEVEL_KEYS = Set.of("version", "name", "config", "statements", "requires", "secrets", "meta");

  private final int version;
  private final String name;
  private final Map<String, String> config;
  private final List<Statement> statements;
  private final List<String> requires;
  private final Map<String, String> secrets;

  private JobSpec(int version, String name, Map<String, String> config, List<Statement> statements, List<String> requires,
      Map<String, String> secrets) {
    this.version = version;
    this.name = name;
    this.config = Collections.unmodifiableMap(config);
    this.statements = List.copyOf(statements);
    this.requires = List.copyOf(requires);
    this.secrets = Collections.unmodifiableMap(secrets);
  }

  /**
   * Secret option values by name. The SQL text holds the quoted placeholder {@code '{{freshet-secret:<name>}}'} in
   * their place; {@link #resolveSecrets} puts the values in just before a statement runs.
   */
  public Map<String, String> secrets() {
    return secrets;
  }

  private static final java.util.regex.Pattern LEFTOVER_SECRET = java.util.regex.Pattern.compile("'\\{\\{freshet-secret:[^}']*\\}\\}'");

  /** The statement's SQL with every secret placeholder replaced by its value as a quoted SQL string literal. */
  public String resolveSecrets(String sql) {
    if (!sql.contains("'{{freshet-secret:")) return sql;
    String out = sql;
    for (Map.Entry<String, String> e : secrets.entrySet()) {
      out = out.replace("'{{freshet-secret:" + e.getKey() + "}}'", "'" + e.getValue().replace("'", "''") + "'");
    }
    if (LEFTOVER_SECRET.matcher(out).find()) throw new JobSpecException("a statement names a secret that the spec's secrets do not hold");
    return out;
  }

  public int version() {
    return version;
  }

  public String name() {
    return name;
  }

  /** Flink options set on the job's TableEnvironment, in spec order. */
  public Map<String, String> config() {
    return config;
  }

  public List<Statement> statements() {
    return statements;
  }

  public List<String> requires() {
    return requires;
  }

  /** DDL statements in order. */
  public List<Statement> ddl() {
    return statements.stream().filter(s -> s.kind() == Kind.DDL).toList();
  }

  /** INSERT statements in order (never empty). */
  public List<Statement> inserts() {
    return statements.stream().filter(s -> s.kind() == Kind.INSERT).toList();
  }

  /**
   * Reads the spec named by the program arguments: {@code --spec <file>} or {@code --spec-base64 <base64 of the
   * JSON>} (what the Freshet deployer passes, as it needs no shared file system).
   */
  public static JobSpec fromArgs(String[] args) {
    String file = null;
    String b64 = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if ((a.equals("--spec") || a.equals("--spec-base64")) && i + 1 < args.length) {
        if (file != null || b64 != null) throw new JobSpecException("give the spec once: --spec <file> or --spec-base64 <data>");
        if (a.equals("--spec")) file = args[++i];
        else b64 = args[++i];
      } else {
        throw new JobSpecException("unexpected argument '" + a + "'; usage: --spec <file> | --spec-base64 <data>");
      }
    }
    if (file != null) {
      try {
        return parse(Files.readString(Path.of(file), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new JobSpecException("cannot read the job spec " + file + ": " + e.getMessage(), e);
      }
    }
    if (b64 != null) {
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(b64.trim());
      } catch (IllegalArgumentException e) {
        throw new JobSpecException("--spec-base64 is not valid base64: " + e.getMessage(), e);
      }
      return parse(new String(bytes, StandardCharsets.UTF_8));
    }
    throw new JobSpecException("no job spec given; usage: --spec <file> | --spec-base64 <data>");
  }

  /** Parses and validates a spec document. */
  public static JobSpec parse(String json) {
    Object root = Json.parse(json);
    if (!(root instanceof Map<?, ?> obj)) throw new JobSpecException("the job spec must be a JSON object");
    for (Object k : obj.keySet()) {
      if (!TOP_LEVEL_KEYS.contains((String) k)) {
        throw new JobSpecException("unknown field '" + k + "' (known: version, name, config, statements, requires, meta); "
            + "a newer Freshet may have written this spec: rebuild the template jar");
      }
    }
    Object v = obj.get("version");
    if (!(v instanceof Long ver)) throw new JobSpecException("version: expected an integer, got " + describe(v));
    if (ver != FORMAT_VERSION) {
      throw new JobSpecException("version: this template jar reads format " + FORMAT_VERSION + ", the spec is format " + ver);
    }
    Object n = obj.get("name");
    if (!(n instanceof String name) || name.isBlank()) throw new JobSpecException("name: expected a non-empty string, got " + describe(n));

    List<String> requires = new ArrayList<>();
    Object r = obj.get("requires");
    if (r != null) {
      if (!(r instanceof List<?> list)) throw new JobSpecException("requires: expected an array of strings");
      for (int i = 0; i < list.size(); i++) {
        if (!(list.get(i) instanceof String cap)) throw new JobSpecException("requires[" + i + "]: expected a string");
        if (!CAPABILITIES.contains(cap)) {
          throw new JobSpecException("requires[" + i + "]: this template jar does not provide '" + cap + "' (it provides "
              + String.join(", ", CAPABILITIES) + "); rebuild the template jar");
        }
        requires.add(cap);
      }
    }

    Map<String, String> config = new LinkedHashMap<>();
    Object c = obj.get("config");
    if (c != null) {
      if (!(c instanceof Map<?, ?> cm)) throw new JobSpecException("config: expected an object of string values");
      for (Map.Entry<?, ?> e : cm.entrySet()) {
        String key = (String) e.getKey();
        if (key.isBlank()) throw new JobSpecException("config: empty option key");
        if (!(e.getValue() instanceof String val)) {
          throw new JobSpecException("config." + key + ": expected a string (Flink option values are strings), got " + describe(e.getValue()));
        }
        config.put(key, val);
      }
    }

    Map<String, String> secrets = new LinkedHashMap<>();
    Object sec = obj.get("secrets");
    if (sec != null) {
      if (!(sec instanceof Map<?, ?> sm)) throw new JobSpecException("secrets: expected an object of string values");
      for (Map.Entry<?, ?> e : sm.entrySet()) {
        if (!(e.getValue() instanceof String val)) throw new JobSpecException("secrets." + e.getKey() + ": expected a string");
        secrets.put((String) e.getKey(), val);
      }
    }

    Object meta = obj.get("meta");
    if (meta != null && !(meta instanceof Map)) throw new JobSpecException("meta: expected an object");

    Object s = obj.get("statements");
    if (!(s instanceof List<?> list) || list.isEmpty()) throw new JobSpecException("statements: expected a non-empty array");
    List<Statement> statements = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) statements.add(statement(list.get(i), "statements[" + i + "]"));
    if (statements.stream().noneMatch(st -> st.kind() == Kind.INSERT)) {
      throw new JobSpecException("statements: no INSERT statement, so the job would write nothing");
    }
    return new JobSpec(FORMAT_VERSION, name, config, statements, requires, secrets);
  }

  /** A statement is {@code {"kind": "ddl"|"insert", "sql": "..."}}, or a bare SQL string classified by its first word. */
  private static Statement statement(Object o, String where) {
    if (o instanceof String sql) {
      if (sql.isBlank()) throw new JobSpecException(where + ": empty statement");
      return new Statement(classify(sql), sql);
    }
    if (!(o instanceof Map<?, ?> m)) throw new JobSpecException(where + ": expected an object {kind, sql} or a string");
    for (Object k : m.keySet()) {
      if (!k.equals("kind") && !k.equals("sql")) throw new JobSpecException(where + ": unknown field '" + k + "'");
    }
    if (!(m.get("sql") instanceof String sql) || sql.isBlank()) throw new JobSpecException(where + ".sql: expected a non-empty string");
    if (!(m.get("kind") instanceof String kind)) throw new JobSpecException(where + ".kind: expected \"ddl\" or \"insert\"");
    Kind k;
    switch (kind) {
      case "ddl" -> k = Kind.DDL;
      case "insert" -> k = Kind.INSERT;
      default -> throw new JobSpecException(where + ".kind: expected \"ddl\" or \"insert\", got \"" + kind + "\"");
    }
    if (k != classify(sql)) {
      throw new JobSpecException(where + ": kind \"" + kind + "\" does not match the statement, which starts with '" + firstWord(sql) + "'");
    }
    return new Statement(k, sql);
  }

  /** INSERT INTO / INSERT OVERWRITE are inserts; everything else (CREATE, DROP, USE, ALTER...) is DDL. */
  static Kind classify(String sql) {
    return firstWord(sql).equals("INSERT") ? Kind.INSERT : Kind.DDL;
  }

  /** The first keyword, upper-cased, after leading blanks and SQL comments. */
  static String firstWord(String sql) {
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (sql.startsWith("--", i)) {
        int nl = sql.indexOf('\n', i);
        i = nl < 0 ? n : nl + 1;
      } else if (sql.startsWith("/*", i)) {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else {
        break;
      }
    }
    int j = i;
    while (j < n && Character.isLetter(sql.charAt(j))) j++;
    return sql.substring(i, j).toUpperCase(Locale.ROOT);
  }

  private static String describe(Object v) {
    if (v == null) return "nothing";
    if (v instanceof String) return "a string";
    if (v instanceof Long || v instanceof Double) return "a number";
    if (v instanceof Boolean) return "a boolean";
    if (v instanceof List) return "an array";
    return "an object";
  }
}
