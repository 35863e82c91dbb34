// The template job's entry point: runs a Freshet job spec's Flink SQL statements as one Flink job.
package dev.freshet.flink;

import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * {@code main(--spec <file> | --spec-base64 <data>)}: sets the spec's options, runs its DDL in order on a streaming
 * TableEnvironment, and submits all its INSERTs as one statement set, so they share sources and form one job whose
 * name is the spec's name. Submitted through the REST API the call returns once the job is submitted (the cluster runs
 * main() detached); it never waits for an unbounded job.
 */
public final class FreshetJob {
  private FreshetJob() {}

  public static void main(String[] args) {
    JobSpec spec = JobSpec.fromArgs(args);
    TableResult result = run(spec);
    result.getJobClient().ifPresent(c -> System.out.println("freshet: submitted job " + c.getJobID() + " (" + spec.name() + ")"));
  }

  /** Builds the environment from the spec and submits the job; returns the statement set's result. */
  public static TableResult run(JobSpec spec) {
    Configuration conf = new Configuration();
    for (Map.Entry<String, String> e : spec.config().entrySet()) conf.setString(e.getKey(), e.getValue());
    conf.setString("pipeline.name", spec.name());
    // The context environment (the cluster's, when run from an uploaded jar) merged with the spec's options.
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
    // Table options (table.exec.*, table.local-time-zone, ...) are read from the TableConfig.
    for (Map.Entry<String, String> e : spec.config().entrySet()) tEnv.getConfig().getConfiguration().setString(e.getKey(), e.getValue());
    tEnv.getConfig().getConfiguration().setString("pipeline.name", spec.name());

    // Errors name the statement's index in the spec ("statement 2 failed: ..."), which the deployer maps back to the
    // script's line.
    StatementSet set = tEnv.createStatementSet();
    List<JobSpec.Statement> statements = spec.statements();
    for (int i = 0; i < statements.size(); i++) {
      JobSpec.Statement s = statements.get(i);
      if (s.kind() != JobSpec.Kind.DDL) continue;
      try {
        tEnv.executeSql(spec.resolveSecrets(s.sql()));
      } catch (RuntimeException e) {
        throw new JobSpecException("statement " + i + " failed: " + e.getMessage(), e);
      }
    }
    for (int i = 0; i < statements.size(); i++) {
      JobSpec.Statement s = statements.get(i);
      if (s.kind() != JobSpec.Kind.INSERT) continue;
      try {
        set.addInsertSql(spec.resolveSecrets(s.sql()));
      } catch (RuntimeException e) {
        throw new JobSpecException("statement " + i + " failed: " + e.getMessage(), e);
      }
    }
    return set.execute();
  }
}
