// Unit tests of the job spec reader (no Flink cluster): the accepted format and the error messages of bad specs.
package dev.freshet.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSpecTest {
  private static final String SPEC = """
      {"version": 1, "name": "features",
       "config": {"execution.checkpointing.interval": "10 s", "table.exec.state.ttl": "1 h"},
       "statements": [
         {"kind": "ddl", "sql": "CREATE TABLE src (a INT) WITH ('connector' = 'datagen')"},
         {"kind": "ddl", "sql": "CREATE VIEW v AS SELECT a FROM src"},
         {"kind": "insert", "sql": "INSERT INTO snk SELECT a FROM v"},
         "  -- comment\\n INSERT INTO snk2 SELECT \\"x\\\\y\\u00e9\\" FROM v"
       ],
       "meta": {"freshet": "0.1.0", "nested": [1, 2.5e3, true, null]}}
      """;

  @Test
  void parsesAValidSpec() {
    JobSpec s = JobSpec.parse(SPEC);
    assertEquals(1, s.version());
    assertEquals("features", s.name());
    assertEquals(List.of("execution.checkpointing.interval", "table.exec.state.ttl"), List.copyOf(s.config().keySet()));
    assertEquals("1 h", s.config().get("table.exec.state.ttl"));
    assertEquals(4, s.statements().size());
    assertEquals(2, s.ddl().size());
    assertEquals(2, s.inserts().size());
    assertEquals("CREATE VIEW v AS SELECT a FROM src", s.ddl().get(1).sql());
    assertEquals("  -- comment\n INSERT INTO snk2 SELECT \"x\\y\u00e9\" FROM v", s.inserts().get(1).sql());
    assertEquals(JobSpec.Kind.INSERT, s.statements().get(3).kind());
  }

  @Test
  void readsTheSpecFromAFileOrBase64(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("spec.json");
    Files.writeString(f, SPEC, StandardCharsets.UTF_8);
    assertEquals("features", JobSpec.fromArgs(new String[] {"--spec", f.toString()}).name());
    String b64 = Base64.getEncoder().encodeToString(SPEC.getBytes(StandardCharsets.UTF_8));
    assertEquals(4, JobSpec.fromArgs(new String[] {"--spec-base64", b64}).statements().size());
    assertMessage(() -> JobSpec.fromArgs(new String[] {}), "no job spec given");
    assertMessage(() -> JobSpec.fromArgs(new String[] {"--spec-base64", "%%%"}), "not valid base64");
    assertMessage(() -> JobSpec.fromArgs(new String[] {"--spec", dir.resolve("missing.json").toString()}), "cannot read the job spec");
    assertMessage(() -> JobSpec.fromArgs(new String[] {"--what"}), "unexpected argument '--what'");
  }

  @Test
  void classifiesStatementsByTheirFirstKeyword() {
    assertEquals("INSERT", JobSpec.firstWord("/* hint */ -- x\n  insert into t select 1"));
    assertEquals(JobSpec.Kind.DDL, JobSpec.classify("CREATE TEMPORARY VIEW v AS SELECT 1"));
    assertEquals(JobSpec.Kind.INSERT, JobSpec.classify("INSERT OVERWRITE t SELECT 1"));
  }

  @Test
  void rejectsBadSpecsWithTheFieldName() {
    assertMessage(() -> JobSpec.parse("[]"), "must be a JSON object");
    assertMessage(() -> JobSpec.parse("{\"version\": 2, \"name\": \"x\", \"statements\": [\"INSERT INTO t SELECT 1\"]}"),
        "reads format 1, the spec is format 2");
    assertMessage(() -> JobSpec.parse("{\"version\": 1, \"statements\": [\"INSERT INTO t SELECT 1\"]}"), "name:");
    assertMessage(() -> JobSpec.parse("{\"version\": 1, \"name\": \"x\", \"statements\": []}"), "statements: expected a non-empty array");
    assertMessage(() -> JobSpec.parse("{\"version\": 1, \"name\": \"x\", \"statements\": [\"CREATE TABLE t (a INT)\"]}"), "no INSERT");
    assertMessage(() -> JobSpec.parse("{\"version\": 1, \"name\": \"x\", \"config\": {\"a\": 1}, \"statements\": [\"INSERT INTO t SELECT 1\"]}"),
        "config.a: expected a string");
    assertMessage(() -> JobSpec.parse("{\"version\": 1, \"name\": \"x\", \"statements\": [{\"kind\": \"query\", \"sql\": \"SELECT 1\"}]}"),
        "statements[0].kind: expected \"ddl\" or \"insert\", got \"query\"");
    assertMessage(() -> JobSpec.parse("{\"version\": 1, \"name\": \"x\", \"statements\": [{\"kind\": \"ddl\", \"sql\": \"INSERT INTO t SELECT 1\"}]}"),
        "statements[0]: kind \"ddl\" does not match");
    assertMessage(() -> JobSpec.parse("{\"version\": 1, \"name\": \"x\", \"splits\": [], \"statements\": [\"INSERT INTO t SELECT 1\"]}"),
        "unknown field 'splits'");
    assertMessage(() -> JobSpec.parse("{\"version\": 1, \"name\": \"x\", \"requires\": [\"redis-sink\"], \"statements\": [\"INSERT INTO t SELECT 1\"]}"),
        "requires[0]: this template jar does not provide 'redis-sink'");
  }

  @Test
  void providesEveryCapabilityTheSpecBuilderAsksFor() {
    // The names of JobCapability in src/flink/job-spec.ts.
    JobSpec s = JobSpec.parse("{\"version\": 1, \"name\": \"x\", \"requires\": [\"sql\", \"redis\", \"aerospike\", \"secrets\", \"multi-type\"], "
        + "\"secrets\": {}, \"statements\": [\"INSERT INTO t SELECT 1\"]}");
    assertEquals(java.util.List.of("sql", "redis", "aerospike", "secrets", "multi-type"), s.requires());
  }

  @Test
  void rejectsMalformedJson() {
    assertMessage(() -> JobSpec.parse("{\"version\": 1,}"), "invalid JSON at offset 14");
    assertMessage(() -> JobSpec.parse("{\"a\": 1, \"a\": 2}"), "duplicate key \"a\"");
    assertMessage(() -> JobSpec.parse("{} x"), "unexpected content after the JSON value");
    assertMessage(() -> JobSpec.parse("{\"a\": \"x"), "unterminated string");
    assertMessage(() -> JobSpec.parse("{\"a\": 01}"), "expected ',' or '}'");
  }

  @Test
  void jsonValuesHaveTheDocumentedJavaTypes() {
    Object v = Json.parse("{\"i\": -12, \"big\": 123456789012345678901, \"d\": 1.5, \"s\": \"\\ud83d\\ude00\", \"b\": false, \"n\": null}");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(-12L, m.get("i"));
    assertEquals(1.2345678901234568E20, m.get("big"));
    assertEquals(1.5, m.get("d"));
    assertEquals("\ud83d\ude00", m.get("s"));
    assertEquals(Boolean.FALSE, m.get("b"));
    assertTrue(m.containsKey("n") && m.get("n") == null);
  }

  private static void assertMessage(Runnable r, String part) {
    JobSpecException e = assertThrows(JobSpecException.class, r::run);
    assertTrue(e.getMessage().contains(part), () -> "expected '" + part + "' in: " + e.getMessage());
  }

  @Test
  void secretsReplaceTheirPlaceholdersOnly() {
    JobSpec s = JobSpec.parse("""
        {"version": 1, "name": "f", "requires": ["redis", "secrets"], "secrets": {"s0": "p'w"},
         "statements": ["CREATE TABLE t (k STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'redis', 'password' = '{{freshet-secret:s0}}')",
                        "INSERT INTO t SELECT '{{freshet-secret:s0}}x'"]}
        """);
    assertEquals("CREATE TABLE t (k STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'redis', 'password' = 'p''w')",
        s.resolveSecrets(s.statements().get(0).sql()));
    assertEquals("INSERT INTO t SELECT '{{freshet-secret:s0}}x'", s.resolveSecrets(s.statements().get(1).sql()), "only whole quoted placeholders");
    JobSpec missing = JobSpec.parse("""
        {"version": 1, "name": "f", "secrets": {}, "statements": ["INSERT INTO t SELECT '{{freshet-secret:s9}}'"]}
        """);
    assertThrows(JobSpecException.class, () -> missing.resolveSecrets(missing.statements().get(0).sql()));
    assertThrows(JobSpecException.class, () -> JobSpec.parse("{\"version\": 1, \"name\": \"f\", \"secrets\": {\"a\": 1}, \"statements\": [\"INSERT INTO t SELECT 1\"]}"));
  }
}
