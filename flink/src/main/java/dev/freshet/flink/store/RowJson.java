// The JSON text of a feature-table row in the online stores, written and read exactly as Freshet's embedded engine
// does (src/connectors/stores/row-codec.ts): one object per row, column name -> value, columns in table order,
// no white space; numbers as JavaScript prints them (JsText), NaN/Infinity as strings, DATE/TIME/TIMESTAMP as text
// (StoreText), BYTES base64, ARRAY arrays, ROW objects by field name, MAP an object when its key type is a string
// type and no key is NULL, else [[key, value], ...]. Decoding is by column name (missing columns read as NULL).
package dev.freshet.flink.store;

import dev.freshet.flink.Json;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.MultisetType;
import org.apache.flink.table.types.logical.RowType;

/** Encoder/decoder of one row type. Serializable: it travels inside the sink and lookup functions. */
public final class RowJson implements Serializable {
  private static final long serialVersionUID = 1L;

  private final RowType type;
  private final String[] names;
  private transient RowData.FieldGetter[] getters;

  public RowJson(RowType type) {
    this.type = type;
    this.names = type.getFieldNames().toArray(new String[0]);
  }

  public RowType type() {
    return type;
  }

  /** The JSON text of a row. */
  public String encode(RowData row) {
    StringBuilder sb = new StringBuilder(64);
    writeRow(row, type, getters(), sb);
    return sb.toString();
  }

  /** A row from stored JSON text; throws on malformed text or a value of the wrong type. */
  public RowData decode(String text) {
    Object o = Json.parse(text);
    if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException("stored value is not a JSON object: " + abbreviate(text));
    return readRow(m, type);
  }

  private RowData.FieldGetter[] getters() {
    if (getters == null) getters = fieldGetters(type);
    return getters;
  }

  private static RowData.FieldGetter[] fieldGetters(RowType t) {
    RowData.FieldGetter[] g = new RowData.FieldGetter[t.getFieldCount()];
    for (int i = 0; i < g.length; i++) g[i] = RowData.createFieldGetter(t.getTypeAt(i), i);
    return g;
  }

  private static void writeRow(RowData row, RowType t, RowData.FieldGetter[] getters, StringBuilder sb) {
    sb.append('{');
    List<String> names = t.getFieldNames();
    for (int i = 0; i < getters.length; i++) {
      if (i > 0) sb.append(',');
      JsText.quote(names.get(i), sb);
      sb.append(':');
      writeValue(getters[i].getFieldOrNull(row), t.getTypeAt(i), sb);
    }
    sb.append('}');
  }

  /** Appends one internal value (Flink's RowData representation) of type {@code t}. */
  public static void writeValue(Object v, LogicalType t, StringBuilder sb) {
    if (v == null) {
      sb.append("null");
      return;
    }
    switch (t.getTypeRoot()) {
      case BOOLEAN -> sb.append(((Boolean) v) ? "true" : "false");
      case TINYINT, SMALLINT, INTEGER, INTERVAL_YEAR_MONTH -> sb.append(((Number) v).intValue());
      case BIGINT, INTERVAL_DAY_TIME -> sb.append(JsText.number(((Number) v).longValue()));
      case FLOAT, DOUBLE -> sb.append(JsText.jsonNumber(((Number) v).doubleValue()));
      // Freshet holds DECIMAL as a JavaScript number (ADR 0004), so it is written as that number's text.
      case DECIMAL -> sb.append(JsText.jsonNumber(((DecimalData) v).toBigDecimal().doubleValue()));
      case CHAR, VARCHAR -> JsText.quote(v.toString(), sb);
      case BINARY, VARBINARY -> sb.append('"').append(StoreText.base64((byte[]) v)).append('"');
      case DATE -> sb.append('"').append(StoreText.date((Integer) v)).append('"');
      case TIME_WITHOUT_TIME_ZONE -> sb.append('"').append(StoreText.time((Integer) v)).append('"');
      case TIMESTAMP_WITHOUT_TIME_ZONE -> sb.append('"').append(StoreText.timestamp(((TimestampData) v).getMillisecond(), false)).append('"');
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> sb.append('"').append(StoreText.timestamp(((TimestampData) v).getMillisecond(), true)).append('"');
      case ARRAY -> {
        LogicalType et = ((ArrayType) t).getElementType();
        ArrayData a = (ArrayData) v;
        ArrayData.ElementGetter g = ArrayData.createElementGetter(et);
        sb.append('[');
        for (int i = 0; i < a.size(); i++) {
          if (i > 0) sb.append(',');
          writeValue(g.getElementOrNull(a, i), et, sb);
        }
        sb.append(']');
      }
      case MAP, MULTISET -> writeMap((MapData) v, t, sb);
      case ROW -> {
        RowType rt = (RowType) t;
        writeRow((RowData) v, rt, fieldGetters(rt), sb);
      }
      default -> throw new IllegalArgumentException("type " + t.asSummaryString() + " cannot be stored in an online table");
    }
  }

  private static void writeMap(MapData m, LogicalType t, StringBuilder sb) {
    LogicalType kt = t instanceof MapType mt ? mt.getKeyType() : ((MultisetType) t).getElementType();
    LogicalType vt = t instanceof MapType mt ? mt.getValueType() : new org.apache.flink.table.types.logical.IntType(false);
    ArrayData keys = m.keyArray();
    ArrayData values = m.valueArray();
    ArrayData.ElementGetter kg = ArrayData.createElementGetter(kt);
    ArrayData.ElementGetter vg = ArrayData.createElementGetter(vt);
    boolean stringKeys = kt.is(LogicalTypeFamily.CHARACTER_STRING);
    for (int i = 0; stringKeys && i < keys.size(); i++) if (keys.isNullAt(i)) stringKeys = false;
    if (stringKeys) {
      sb.append('{');
      for (int i = 0; i < keys.size(); i++) {
        if (i > 0) sb.append(',');
        JsText.quote(kg.getElementOrNull(keys, i).toString(), sb);
        sb.append(':');
        writeValue(vg.getElementOrNull(values, i), vt, sb);
      }
      sb.append('}');
      return;
    }
    sb.append('[');
    for (int i = 0; i < keys.size(); i++) {
      if (i > 0) sb.append(',');
      sb.append('[');
      writeValue(kg.getElementOrNull(keys, i), kt, sb);
      sb.append(',');
      writeValue(vg.getElementOrNull(values, i), vt, sb);
      sb.append(']');
    }
    sb.append(']');
  }

  private static GenericRowData readRow(Map<?, ?> m, RowType t) {
    GenericRowData row = new GenericRowData(t.getFieldCount());
    List<String> names = t.getFieldNames();
    for (int i = 0; i < names.size(); i++) row.setField(i, readValue(m.get(names.get(i)), t.getTypeAt(i)));
    return row;
  }

  /** One JSON value (as Json.parse gives it) as Flink's internal value of type {@code t}. */
  public static Object readValue(Object j, LogicalType t) {
    if (j == null) return null;
    switch (t.getTypeRoot()) {
      case BOOLEAN:
        if (j instanceof Boolean b) return b;
        break;
      case TINYINT:
        if (j instanceof Number n) return n.byteValue();
        break;
      case SMALLINT:
        if (j instanceof Number n) return n.shortValue();
        break;
      case INTEGER:
      case INTERVAL_YEAR_MONTH:
        if (j instanceof Number n) return n.intValue();
        break;
      case BIGINT:
      case INTERVAL_DAY_TIME:
        if (j instanceof Number n) return n.longValue();
        break;
      case FLOAT:
        if (j instanceof Number n) return n.floatValue();
        if (isSpecial(j)) return Float.parseFloat((String) j);
        break;
      case DOUBLE:
        if (j instanceof Number n) return n.doubleValue();
        if (isSpecial(j)) return Double.parseDouble((String) j);
        break;
      case DECIMAL: {
        DecimalType dt = (DecimalType) t;
        if (j instanceof Number n) {
          BigDecimal bd = n instanceof Long l ? BigDecimal.valueOf(l) : new BigDecimal(JsText.number(n.doubleValue()));
          return DecimalData.fromBigDecimal(bd, dt.getPrecision(), dt.getScale());
        }
        break;
      }
      case CHAR:
      case VARCHAR:
        if (j instanceof String s) return StringData.fromString(s);
        break;
      case BINARY:
      case VARBINARY:
        if (j instanceof String s) return java.util.Base64.getDecoder().decode(s);
        break;
      case DATE:
        if (j instanceof String s) return (int) StoreText.parseDate(s);
        break;
      case TIME_WITHOUT_TIME_ZONE:
        if (j instanceof String s) return StoreText.parseTime(s);
        break;
      case TIMESTAMP_WITHOUT_TIME_ZONE:
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        if (j instanceof String s) return TimestampData.fromEpochMillis(StoreText.parseTimestamp(s));
        break;
      case ARRAY:
        if (j instanceof List<?> l) {
          LogicalType et = ((ArrayType) t).getElementType();
          Object[] out = new Object[l.size()];
          for (int i = 0; i < out.length; i++) out[i] = readValue(l.get(i), et);
          return new GenericArrayData(out);
        }
        break;
      case MAP: {
        MapType mt = (MapType) t;
        Map<Object, Object> out = new LinkedHashMap<>();
        if (j instanceof Map<?, ?> o) {
          for (Map.Entry<?, ?> e : o.entrySet()) out.put(readValue(e.getKey(), mt.getKeyType()), readValue(e.getValue(), mt.getValueType()));
          return new GenericMapData(out);
        }
        if (j instanceof List<?> pairs) {
          for (Object p : pairs) {
            if (!(p instanceof List<?> kv) || kv.size() != 2) throw bad(t, j);
            out.put(readValue(kv.get(0), mt.getKeyType()), readValue(kv.get(1), mt.getValueType()));
          }
          return new GenericMapData(out);
        }
        break;
      }
      case ROW:
        if (j instanceof Map<?, ?> o) return readRow(o, (RowType) t);
        break;
      default:
        break;
    }
    throw bad(t, j);
  }

  private static boolean isSpecial(Object j) {
    return "NaN".equals(j) || "Infinity".equals(j) || "-Infinity".equals(j);
  }

  private static IllegalArgumentException bad(LogicalType t, Object j) {
    return new IllegalArgumentException("stored value " + abbreviate(String.valueOf(j)) + " is not a valid " + t.asSummaryString());
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }

  /** Flink's summary of a type in the form Freshet's schema meta uses (typeToString in src/common/types.ts). */
  public static String typeText(LogicalType t) {
    String s = switch (t.getTypeRoot()) {
      case VARCHAR -> ((org.apache.flink.table.types.logical.VarCharType) t).getLength() == Integer.MAX_VALUE ? "STRING"
          : "VARCHAR(" + ((org.apache.flink.table.types.logical.VarCharType) t).getLength() + ")";
      case CHAR -> "CHAR(" + ((org.apache.flink.table.types.logical.CharType) t).getLength() + ")";
      case DECIMAL -> "DECIMAL(" + ((DecimalType) t).getPrecision() + ", " + ((DecimalType) t).getScale() + ")";
      case TINYINT -> "TINYINT";
      case SMALLINT -> "SMALLINT";
      case INTEGER -> "INT";
      case BIGINT -> "BIGINT";
      case FLOAT -> "FLOAT";
      case DOUBLE -> "DOUBLE";
      case BOOLEAN -> "BOOLEAN";
      case DATE -> "DATE";
      case BINARY, VARBINARY -> "BYTES";
      case TIME_WITHOUT_TIME_ZONE -> "TIME(" + ((org.apache.flink.table.types.logical.TimeType) t).getPrecision() + ")";
      case TIMESTAMP_WITHOUT_TIME_ZONE -> "TIMESTAMP(" + ((org.apache.flink.table.types.logical.TimestampType) t).getPrecision() + ")";
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> "TIMESTAMP_LTZ(" + ((LocalZonedTimestampType) t).getPrecision() + ")";
      case INTERVAL_DAY_TIME -> "INTERVAL SECOND(3)";
      case INTERVAL_YEAR_MONTH -> "INTERVAL MONTH";
      case ARRAY -> "ARRAY<" + typeText(((ArrayType) t).getElementType()) + ">";
      case MAP -> "MAP<" + typeText(((MapType) t).getKeyType()) + ", "
          + typeText(((MapType) t).getValueType()) + ">";
      case ROW -> {
        List<String> parts = new ArrayList<>();
        RowType rt = (RowType) t;
        for (int i = 0; i < rt.getFieldCount(); i++) parts.add("`" + rt.getFieldNames().get(i) + "` " + typeText(rt.getTypeAt(i)));
        yield "ROW<" + String.join(", ", parts) + ">";
      }
      default -> t.asSummaryString();
    };
    return t.isNullable() ? s : s + " NOT NULL";
  }
}
