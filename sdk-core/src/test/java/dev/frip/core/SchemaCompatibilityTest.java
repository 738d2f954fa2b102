package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compatibility rule of FRIP's event schemas: every change is BACKWARD compatible, so a
 * consumer on the new schema reads every record written with the last released one. Each current
 * schema is checked against the copy released last, kept under {@code schemas/released/}.
 */
class SchemaCompatibilityTest {

  /** The last released version; bump it, and copy the .avsc files, when a release is cut. */
  static final String LAST_RELEASE = "0.1.0";

  static Stream<TopicSpec> topicsWithSchemas() {
    return Stream.concat(Topics.SEED.stream(), Topics.OUTPUTS.stream());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("topicsWithSchemas")
  void currentSchemaReadsEverythingTheLastReleaseWrote(TopicSpec topic) throws IOException {
    Schema released = released(topic.name());
    Schema current = topic.valueSchema();

    SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(current, released);

    assertThat(result.getType())
        .as(
            "%s: the current schema cannot read records written with release %s: %s",
            topic.name(), LAST_RELEASE, result.getResult().getIncompatibilities())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void theCheckCatchesABreakingChange() throws IOException {
    // A required field without a default added to payments: old records cannot be read.
    Schema released = released("payments");
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : released.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(new Schema.Field("risk_tier", Schema.create(Schema.Type.STRING), "no default"));
    Schema broken =
        Schema.createRecord(
            released.getName(), released.getDoc(), released.getNamespace(), false, fields);

    SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(broken, released);

    assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    assertThat(result.getResult().getIncompatibilities().toString()).contains("risk_tier");
  }

  @Test
  void everyReleasedSchemaHasTheCommonEventFields() throws IOException {
    for (TopicSpec topic : topicsWithSchemas().toList()) {
      Schema s = released(topic.name());
      assertThat(s.getField("event_id").schema().getLogicalType().getName())
          .as(topic.name())
          .isEqualTo("uuid");
      assertThat(s.getField("event_time").schema().getLogicalType().getName())
          .as(topic.name())
          .isEqualTo("timestamp-millis");
    }
  }

  private static Schema released(String topic) throws IOException {
    String path = "/schemas/released/" + LAST_RELEASE + "/" + topic + ".avsc";
    Schema.Parser parser = new Schema.Parser();
    if (topic.equals("alerts")) {
      // alerts.avsc reuses the Action enum defined in fraud_scores.avsc.
      try (InputStream in = open("/schemas/released/" + LAST_RELEASE + "/fraud_scores.avsc")) {
        parser.parse(in);
      }
    }
    try (InputStream in = open(path)) {
      return parser.parse(in);
    }
  }

  private static InputStream open(String path) {
    InputStream in = SchemaCompatibilityTest.class.getResourceAsStream(path);
    assertThat(in).as("released schema %s", path).isNotNull();
    return in;
  }
}
