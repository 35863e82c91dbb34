// The `freshet-json` format: Flink's JSON format for one type of a multi-type topic. Messages whose discriminator
// (`freshet-json.discriminator`, e.g. '$.type') holds `freshet-json.discriminator.value` are decoded by Flink's JSON
// decoder with the other `freshet-json.*` options (the `json.*` options under this prefix); messages of other types
// are skipped, as Freshet's embedded Kafka source does with its `freshet.discriminator` options. Freshet's spec
// builder rewrites such tables to this format.
package dev.freshet.flink.format;

import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.formats.json.JsonFormatFactory;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.types.DataType;
import org.apache.flink.util.Collector;

/** Factory of the `freshet-json` decoding format. */
public final class DiscriminatedJsonFormatFactory implements DeserializationFormatFactory {
  public static final String IDENTIFIER = "freshet-json";

  public static final ConfigOption<String> DISCRIMINATOR = ConfigOptions.key("discriminator").stringType().noDefaultValue()
      .withDescription("JSON path of the message type, e.g. '$.type'.");
  public static final ConfigOption<String> DISCRIMINATOR_VALUE = ConfigOptions.key("discriminator.value").stringType().noDefaultValue()
      .withDescription("The type whose messages this table reads.");

  private final JsonFormatFactory json = new JsonFormatFactory();

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of(DISCRIMINATOR, DISCRIMINATOR_VALUE);
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    return json.optionalOptions();
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(DynamicTableFactory.Context context, ReadableConfig options) {
    Discriminator d;
    try {
      d = Discriminator.parse(options.get(DISCRIMINATOR));
    } catch (IllegalArgumentException e) {
      throw new ValidationException(e.getMessage());
    }
    String value = options.get(DISCRIMINATOR_VALUE);
    Configuration inner = new Configuration();
    Set<ConfigOption<?>> known = new HashSet<>(json.optionalOptions());
    for (ConfigOption o : known) options.getOptional(o).ifPresent(v -> inner.set(o, v));
    DecodingFormat<DeserializationSchema<RowData>> jsonFormat = json.createDecodingFormat(context, inner);
    return new DecodingFormat<>() {
      @Override
      public DeserializationSchema<RowData> createRuntimeDecoder(DynamicTableSource.Context ctx, DataType physicalDataType) {
        return new Decoder(jsonFormat.createRuntimeDecoder(ctx, physicalDataType), d, value);
      }

      @Override
      public ChangelogMode getChangelogMode() {
        return jsonFormat.getChangelogMode();
      }
    };
  }

  /** Decodes the messages of one type with the JSON decoder; skips the others. */
  static final class Decoder implements DeserializationSchema<RowData> {
    private static final long serialVersionUID = 1L;
    private final DeserializationSchema<RowData> inner;
    private final Discriminator discriminator;
    private final String value;

    Decoder(DeserializationSchema<RowData> inner, Discriminator discriminator, String value) {
      this.inner = inner;
      this.discriminator = discriminator;
      this.value = value;
    }

    @Override
    public void open(InitializationContext context) throws Exception {
      inner.open(context);
    }

    boolean mine(byte[] message) {
      return message != null && value.equals(discriminator.typeOf(message));
    }

    @Override
    public RowData deserialize(byte[] message) throws java.io.IOException {
      return mine(message) ? inner.deserialize(message) : null;
    }

    @Override
    public void deserialize(byte[] message, Collector<RowData> out) throws java.io.IOException {
      if (mine(message)) inner.deserialize(message, out);
    }

    @Override
    public boolean isEndOfStream(RowData next) {
      return false;
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
      return inner.getProducedType();
    }
  }
}
