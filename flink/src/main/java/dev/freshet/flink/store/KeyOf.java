// The key selector that routes a feature-table changelog by entity key (the store key text), so each key's changes
// reach one Versioner instance in order and its counter lives in that instance's keyed state.
package dev.freshet.flink.store;

import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.table.data.RowData;

/** Encodes the row's entity key; a NULL key column (Flink's NOT NULL enforcer normally stops those) is refused. */
public final class KeyOf implements KeySelector<RowData, String> {
  private static final long serialVersionUID = 1L;

  private final StoreKey key;
  private final String table;

  public KeyOf(StoreKey key, String table) {
    this.key = key;
    this.table = table;
  }

  @Override
  public String getKey(RowData row) {
    String k = key.encode(row);
    if (k == null) throw new IllegalArgumentException("online table '" + table + "': a primary key column is NULL");
    return k;
  }
}
