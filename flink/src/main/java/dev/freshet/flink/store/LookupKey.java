// The key encoder of a feature-table lookup: Flink hands the lookup function a row of the join's key values in the
// order of LookupContext.getKeys(); rows are stored under the encoded primary key (StoreKey, table column order), so
// the lookup must bind exactly the primary key columns, and their values are re-ordered into table column order.
package dev.freshet.flink.store;

import java.util.Arrays;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/** Builds the StoreKey that encodes a lookup's key row. */
public final class LookupKey {
  private LookupKey() {}

  /**
   * @param keys the lookup's key column indices (LookupContext.getKeys(): one index per key, nested keys refused)
   * @param primaryKey the table's primary key column indices
   * @param what how errors name the table, e.g. "aerospike table 'user_features'"
   */
  public static StoreKey of(int[][] keys, int[] primaryKey, RowType rowType, String what) {
    int[] cols = new int[keys.length];
    for (int i = 0; i < keys.length; i++) {
      if (keys[i].length != 1) throw new ValidationException(what + ": nested lookup keys are not supported");
      cols[i] = keys[i][0];
    }
    int[] want = primaryKey.clone();
    int[] got = cols.clone();
    Arrays.sort(want);
    Arrays.sort(got);
    if (!Arrays.equals(want, got)) {
      throw new ValidationException(what + ": a lookup join must bind exactly the primary key columns " + names(rowType, want)
          + " (it binds " + names(rowType, got) + "), since rows are stored under the encoded primary key");
    }
    Integer[] order = new Integer[cols.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Integer.compare(cols[a], cols[b]));
    int[] positions = new int[cols.length];
    LogicalType[] types = new LogicalType[cols.length];
    for (int i = 0; i < order.length; i++) {
      positions[i] = order[i];
      types[i] = rowType.getTypeAt(cols[order[i]]);
    }
    return new StoreKey(positions, types);
  }

  private static String names(RowType rowType, int[] cols) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < cols.length; i++) sb.append(i > 0 ? ", " : "").append(rowType.getFieldNames().get(cols[i]));
    return sb.append(')').toString();
  }
}
