// The entity key string of a feature-table row, encoded exactly as Freshet's embedded engine does
// (src/connectors/stores/store-key.ts, docs/stores.md): the primary key columns in table column order, each value as
// text (strings unchanged, numbers as JavaScript prints them, BOOLEAN true/false, DATE/TIME/TIMESTAMP text, BYTES
// base64, ARRAY/MAP/ROW their stored JSON); one column is its text unchanged, several are joined with '|' after
// escaping '\' and '|' with a backslash. A NULL key value has no encoding.
package dev.freshet.flink.store;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;

/** Encodes the key columns of rows of one table. Serializable (it is part of the sink's and lookup's functions). */
public final class StoreKey implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int[] positions;
  private final LogicalType[] types;
  private transient RowData.FieldGetter[] getters;

  /**
   * @param positions where the key columns are in the rows this encoder reads, given in TABLE column order (the
   *     canonical order of the encoding; sort the table's key column indices before mapping them)
   * @param types their types, in the same order
   */
  public StoreKey(int[] positions, LogicalType[] types) {
    if (positions.length == 0 || positions.length != types.length) throw new IllegalArgumentException("key columns and types must match and be non-empty");
    this.positions = positions.clone();
    this.types = types.clone();
  }

  /** The encoder for rows of the table itself: {@code keyColumns} are the primary key's column indices in any order. */
  public static StoreKey forTable(int[] keyColumns, LogicalType[] columnTypes) {
    int[] sorted = keyColumns.clone();
    Arrays.sort(sorted);
    LogicalType[] t = new LogicalType[sorted.length];
    for (int i = 0; i < sorted.length; i++) t[i] = columnTypes[sorted[i]];
    return new StoreKey(sorted, t);
  }

  /** The key text, or null when a key column is NULL. */
  public String encode(RowData row) {
    if (getters == null) {
      RowData.FieldGetter[] g = new RowData.FieldGetter[positions.length];
      for (int i = 0; i < g.length; i++) g[i] = RowData.createFieldGetter(types[i], positions[i]);
      getters = g;
    }
    if (positions.length == 1) {
      Object v = getters[0].getFieldOrNull(row);
      return v == null ? null : part(v, types[0]);
    }
    StringBuilder sb = new StringBuilder(32);
    for (int i = 0; i < positions.length; i++) {
      Object v = getters[i].getFieldOrNull(row);
      if (v == null) return null;
      String s = part(v, types[i]);
      if (i > 0) sb.append('|');
      if (s.indexOf('\\') < 0 && s.indexOf('|') < 0) {
        sb.append(s);
      } else {
        for (int c = 0; c < s.length(); c++) {
          char ch = s.charAt(c);
          if (ch == '\\' || ch == '|') sb.append('\\');
          sb.append(ch);
        }
      }
    }
    return sb.toString();
  }

  /** The text of one key value (an internal Flink value of type {@code t}). */
  public static String part(Object v, LogicalType t) {
    switch (t.getTypeRoot()) {
      case CHAR:
      case VARCHAR:
        return v.toString();
      case BOOLEAN:
        return ((Boolean) v) ? "true" : "false";
      case BINARY:
      case VARBINARY:
        return StoreText.base64((byte[]) v);
      case DATE:
        return StoreText.date((Integer) v);
      case TIME_WITHOUT_TIME_ZONE:
        return StoreText.time((Integer) v);
      case TIMESTAMP_WITHOUT_TIME_ZONE:
        return StoreText.timestamp(((TimestampData) v).getMillisecond(), false);
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return StoreText.timestamp(((TimestampData) v).getMillisecond(), true);
      case ARRAY:
      case MAP:
      case MULTISET:
      case ROW:
      case TINYINT:
      case SMALLINT:
      case INTEGER:
      case BIGINT:
      case FLOAT:
      case DOUBLE:
      case DECIMAL:
      case INTERVAL_DAY_TIME:
      case INTERVAL_YEAR_MONTH:
      default: {
        // Numbers print as their JSON text (which is String(n) for finite values); structured values as their JSON.
        StringBuilder sb = new StringBuilder();
        RowJson.writeValue(v, t, sb);
        String s = sb.toString();
        // String(NaN) is NaN, not "NaN" quoted.
        return s.startsWith("\"") && (t.getTypeRoot() == org.apache.flink.table.types.logical.LogicalTypeRoot.FLOAT
            || t.getTypeRoot() == org.apache.flink.table.types.logical.LogicalTypeRoot.DOUBLE
            || t.getTypeRoot() == org.apache.flink.table.types.logical.LogicalTypeRoot.DECIMAL) ? s.substring(1, s.length() - 1) : s;
      }
    }
  }
}
