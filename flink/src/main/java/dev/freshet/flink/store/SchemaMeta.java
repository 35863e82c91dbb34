// The `schema` meta entry every Freshet store sink writes beside a feature table (src/connectors/stores/kv-sink.ts):
// {"columns":[{"name":..,"type":..}],"primaryKey":[..]} in JSON.stringify's form (no white space, columns in table
// order, primary key columns in table column order). Shared by the Flink connectors so they all write the same text.
package dev.freshet.flink.store;

import java.util.Arrays;
import java.util.List;
import org.apache.flink.table.types.logical.RowType;

/** The schema meta text of a feature table. */
public final class SchemaMeta {
  private SchemaMeta() {}

  /** The meta entry's name. */
  public static final String NAME = "schema";

  public static String json(RowType rowType, int[] primaryKey) {
    StringBuilder sb = new StringBuilder("{\"columns\":[");
    List<String> names = rowType.getFieldNames();
    for (int i = 0; i < names.size(); i++) {
      if (i > 0) sb.append(',');
      sb.append("{\"name\":");
      JsText.quote(names.get(i), sb);
      sb.append(",\"type\":");
      JsText.quote(RowJson.typeText(rowType.getTypeAt(i)), sb);
      sb.append('}');
    }
    sb.append("],\"primaryKey\":[");
    int[] pk = primaryKey.clone();
    Arrays.sort(pk);
    for (int i = 0; i < pk.length; i++) {
      if (i > 0) sb.append(',');
      JsText.quote(names.get(pk[i]), sb);
    }
    return sb.append("]}").toString();
  }
}
