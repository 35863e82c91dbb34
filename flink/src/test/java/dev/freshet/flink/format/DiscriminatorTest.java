// Multi-type topics: a message belongs to a type table when its discriminator holds the type, read as Freshet's
// dictionary reads it (src/catalog/dictionary/discriminator.ts): strings as they are, numbers/booleans as their text.
package dev.freshet.flink.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

class DiscriminatorTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readsTheTypeAtTheJsonPath() {
    Discriminator d = Discriminator.parse(" $.meta.kind ");
    assertEquals("order", d.typeOf(b("{\"meta\": {\"kind\": \"order\"}, \"x\": 1}")));
    assertEquals("7", d.typeOf(b("{\"meta\": {\"kind\": 7}}")));
    assertEquals("1.5", d.typeOf(b("{\"meta\": {\"kind\": 1.5}}")));
    assertEquals("true", d.typeOf(b("{\"meta\": {\"kind\": true}}")));
    assertNull(d.typeOf(b("{\"meta\": {\"kind\": null}}")));
    assertNull(d.typeOf(b("{\"meta\": {\"kind\": {\"a\": 1}}}")));
    assertNull(d.typeOf(b("{\"meta\": 3}")));
    assertNull(d.typeOf(b("not json")));
    assertThrows(IllegalArgumentException.class, () -> Discriminator.parse("header:type"));
    assertThrows(IllegalArgumentException.class, () -> Discriminator.parse("type"));
    assertThrows(IllegalArgumentException.class, () -> Discriminator.parse("$.a..b"));
  }

  @Test
  void theDecoderPassesOnlyItsTypeToTheJsonDecoder() throws Exception {
    List<String> decoded = new ArrayList<>();
    DeserializationSchema<RowData> inner = new DeserializationSchema<>() {
      @Override
      public RowData deserialize(byte[] message) {
        decoded.add(new String(message, StandardCharsets.UTF_8));
        return new GenericRowData(0);
      }

      @Override
      public boolean isEndOfStream(RowData nextElement) {
        return false;
      }

      @Override
      public TypeInformation<RowData> getProducedType() {
        return null;
      }
    };
    DiscriminatedJsonFormatFactory.Decoder dec = new DiscriminatedJsonFormatFactory.Decoder(inner, Discriminator.parse("$.type"), "order");
    List<RowData> out = new ArrayList<>();
    Collector<RowData> c = new Collector<>() {
      @Override
      public void collect(RowData r) {
        out.add(r);
      }

      @Override
      public void close() {}
    };
    dec.deserialize(b("{\"type\": \"order\", \"a\": 1}"), c);
    dec.deserialize(b("{\"type\": \"click\"}"), c);
    dec.deserialize(b("garbage"), c);
    dec.deserialize(null, c);
    assertEquals(List.of("{\"type\": \"order\", \"a\": 1}"), decoded);
    assertEquals(1, out.size());
    assertTrue(dec.mine(b("{\"type\":\"order\"}")));
    assertFalse(dec.mine(b("{\"type\":\"orders\"}")));
  }
}
