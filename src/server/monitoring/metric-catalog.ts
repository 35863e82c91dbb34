/**
 * Every metric family Freshet exports, with its Prometheus type, help text and labels: the single list `/metrics`,
 * the UI's metric picker, alert-rule validation and docs/monitoring.md agree on. Counters end in `_total`;
 * `_p50`/`_p99` gauges are quantiles over the last minute of the matching histogram's observations.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDef { name: string; type: MetricType; help: string; labels: readonly string[]; buckets?: readonly number[] }

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const FAST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const METRICS: readonly MetricDef[] = [
  { name: 'freshet_job_up', type: 'gauge', help: 'Whether the job runs on this instance (starting or running).', labels: ['job'] },
  { name: 'freshet_job_failed', type: 'gauge', help: 'Whether the job is failed (1) or not (0).', labels: ['job'] },
  { name: 'freshet_job_restarting', type: 'gauge', help: 'Whether the job waits for an automatic restart.', labels: ['job'] },
  { name: 'freshet_job_restarts_total', type: 'counter', help: 'Automatic restarts of the job by the supervisor.', labels: ['job'] },
  { name: 'freshet_job_events_total', type: 'counter', help: 'Lifecycle events of the job on this instance (started, failed, restarting, stopped, leader-acquired, leader-lost).', labels: ['job', 'kind'] },
  { name: 'freshet_job_records_in_total', type: 'counter', help: 'Records read by the job from all its sources.', labels: ['job'] },
  { name: 'freshet_job_records_out_total', type: 'counter', help: 'Records written by the job (rows to its outputs, or result changes without outputs).', labels: ['job'] },
  { name: 'freshet_source_records_in_total', type: 'counter', help: 'Records read from one source table of a job.', labels: ['job', 'source'] },
  { name: 'freshet_source_idle_seconds', type: 'gauge', help: 'Seconds since the source last delivered a record (since the job started when it never did).', labels: ['job', 'source'] },
  { name: 'freshet_kafka_consumer_lag', type: 'gauge', help: 'Kafka consumer lag of a partition: high watermark minus the next offset to read.', labels: ['job', 'source', 'topic', 'partition'] },
  { name: 'freshet_source_lag', type: 'gauge', help: 'Kafka consumer lag of a source table, summed over its partitions.', labels: ['job', 'source'] },
  { name: 'freshet_output_records_out_total', type: 'counter', help: 'Rows (or tiles) written to one output table of a job.', labels: ['job', 'output'] },
  { name: 'freshet_event_to_store_seconds', type: 'histogram', help: 'Latency from event time to the acknowledged store write, per written batch.', labels: ['job', 'output'], buckets: LATENCY_BUCKETS },
  { name: 'freshet_arrival_to_store_seconds', type: 'histogram', help: 'Latency from the arrival (read) of a batch to the acknowledged store write it caused.', labels: ['job', 'output'], buckets: LATENCY_BUCKETS },
  { name: 'freshet_event_to_store_p99_seconds', type: 'gauge', help: 'p99 of event time → store write over the last minute.', labels: ['job', 'output'] },
  { name: 'freshet_event_to_store_p50_seconds', type: 'gauge', help: 'Median of event time → store write over the last minute.', labels: ['job', 'output'] },
  { name: 'freshet_arrival_to_store_p99_seconds', type: 'gauge', help: 'p99 of arrival → store write over the last minute.', labels: ['job', 'output'] },
  { name: 'freshet_arrival_to_store_p50_seconds', type: 'gauge', help: 'Median of arrival → store write over the last minute.', labels: ['job', 'output'] },
  { name: 'freshet_watermark_delay_seconds', type: 'gauge', help: 'Wall clock minus the job\'s source watermark.', labels: ['job'] },
  { name: 'freshet_checkpoints_total', type: 'counter', help: 'Completed checkpoints.', labels: ['job'] },
  { name: 'freshet_checkpoint_failures_total', type: 'counter', help: 'Failed checkpoint attempts.', labels: ['job'] },
  { name: 'freshet_checkpoint_duration_seconds', type: 'histogram', help: 'Wall time of a checkpoint (flush sinks, snapshot, durable write).', labels: ['job'], buckets: FAST_BUCKETS },
  { name: 'freshet_checkpoint_last_duration_seconds', type: 'gauge', help: 'Duration of the last completed checkpoint.', labels: ['job'] },
  { name: 'freshet_checkpoint_size_bytes', type: 'gauge', help: 'Size of the last completed checkpoint.', labels: ['job'] },
  { name: 'freshet_state_size_bytes', type: 'gauge', help: 'State size of the job (its last checkpoint\'s bytes).', labels: ['job'] },
  { name: 'freshet_late_records_total', type: 'counter', help: 'Records dropped because they arrived after the watermark closed their window.', labels: ['job'] },
  { name: 'freshet_dropped_records_total', type: 'counter', help: 'Records dropped for other reasons (before the tile boundary, failed lookups).', labels: ['job', 'reason'] },
  { name: 'freshet_malformed_records_total', type: 'counter', help: 'Source records that could not be decoded.', labels: ['job', 'source'] },
  { name: 'freshet_dead_letters_total', type: 'counter', help: 'Records dead-lettered (malformed records and rows that failed evaluation).', labels: ['job'] },
  { name: 'freshet_serving_requests_total', type: 'counter', help: 'Feature-serving requests.', labels: ['table', 'status'] },
  { name: 'freshet_serving_latency_seconds', type: 'histogram', help: 'Feature-serving request latency.', labels: ['table'], buckets: FAST_BUCKETS },
  { name: 'freshet_serving_qps', type: 'gauge', help: 'Feature-serving requests per second over the last minute.', labels: ['table'] },
  { name: 'freshet_serving_latency_p99_seconds', type: 'gauge', help: 'p99 serving latency over the last minute.', labels: ['table'] },
  { name: 'freshet_check_value', type: 'gauge', help: 'Results of offline checks (registered check providers), by check name and its labels.', labels: ['check'] },
  { name: 'freshet_alerts_firing', type: 'gauge', help: 'Alerts firing, by rule and severity.', labels: ['rule', 'severity'] },
];

export const METRIC_BY_NAME: ReadonlyMap<string, MetricDef> = new Map(METRICS.map((m) => [m.name, m]));
