package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureSchemaTest {

  private final FeatureSchema schema =
      FeatureSchema.builder("payments-v1")
          .numeric("amount")
          .numeric("txn_1h")
          .flag("new \"dev\"")
          .build();

  @Test
  void roundTripsThroughJson() {
    FeatureSchema back = FeatureSchema.fromJson(schema.toJson());
    assertThat(back).isEqualTo(schema).hasSameHashCodeAs(schema);
    assertThat(back.features().get(2).type()).isEqualTo(FeatureSchema.Type.FLAG);
    assertThat(back.toString()).contains("payments-v1");
  }

  @Test
  void readsHandWrittenJsonWithWhitespaceAndEscapes() {
    FeatureSchema s =
        FeatureSchema.fromJson(
            "{ \"version\" : \"v2\", \"n\": 1.5, \"ok\": true,\n \"features\": [ {\"name\":\"a\\u0041\"},"
                + " {\"name\":\"b\\n\", \"type\":\"flag\"} ], \"x\": {} , \"y\": [] }");
    assertThat(s.names()).containsExactly("aA", "b\n");
    assertThat(s.features().get(0).type()).isEqualTo(FeatureSchema.Type.NUMERIC);
  }

  @Test
  void comparesNamesInOrderAcrossVersionsAndTypes() {
    FeatureSchema sameNames =
        FeatureSchema.of("payments-v2", List.of("amount", "txn_1h", "new \"dev\""));
    FeatureSchema reordered =
        FeatureSchema.of("payments-v1", List.of("txn_1h", "amount", "new \"dev\""));
    FeatureSchema shorter = FeatureSchema.of("payments-v1", List.of("amount", "txn_1h"));
    assertThat(schema.sameNames(schema)).isTrue();
    assertThat(schema.sameNames(sameNames)).isTrue();
    assertThat(schema.sameNames(sameNames)).as("again, from the cache").isTrue();
    assertThat(sameNames.sameNames(schema)).isTrue();
    assertThat(schema.sameNames(reordered)).isFalse();
    assertThat(schema.sameNames(shorter)).isFalse();
    assertThat(schema.sameNames(sameNames)).as("after other comparisons").isTrue();
    assertThat(schema.sameNames(reordered)).as("a mismatch after a match").isFalse();
    assertThatThrownBy(() -> schema.sameNames(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> schema.names().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void indexesFeaturesByName() {
    assertThat(schema.indexOf("txn_1h")).isEqualTo(1);
    assertThat(schema.indexOf("nope")).isEqualTo(-1);
    assertThat(schema.size()).isEqualTo(3);
    assertThat(schema.version()).isEqualTo("payments-v1");
  }

  @Test
  void detectsReorderedMissingAndExtraFeatures() {
    FeatureSchema s = FeatureSchema.of("v", List.of("a", "b", "c"));
    s.requireMatches(List.of("a", "b", "c"));
    assertThatThrownBy(() -> s.requireMatches(List.of("b", "a", "c")))
        .hasMessageContaining("feature 'b' is in slot 1 of schema v but in slot 0 of the model");
    assertThatThrownBy(() -> s.requireMatches(List.of("a", "b", "z")))
        .hasMessageContaining("needs feature 'z'");
    assertThatThrownBy(() -> s.requireMatches(List.of("a", "b")))
        .hasMessageContaining("first extra feature: 'c'");
  }

  @Test
  void refusesInvalidSchemas() {
    assertThatThrownBy(() -> FeatureSchema.of("v", List.of("a", "a")))
        .hasMessageContaining("'a' appears twice");
    assertThatThrownBy(() -> FeatureSchema.of(" ", List.of("a"))).hasMessageContaining("version");
    assertThatThrownBy(() -> FeatureSchema.of("v", List.of())).hasMessageContaining("at least one");
    assertThatThrownBy(() -> FeatureSchema.of("v", List.of(" "))).hasMessageContaining("blank");
    assertThatThrownBy(() -> FeatureSchema.fromJson("{\"features\":[]}"))
        .hasMessageContaining("'version'");
    assertThatThrownBy(() -> FeatureSchema.fromJson("{\"version\":\"v\"}"))
        .hasMessageContaining("'features'");
    assertThatThrownBy(() -> FeatureSchema.fromJson("{\"version\":\"v\",\"features\":[1]}"))
        .hasMessageContaining("needs a string 'name'");
    assertThatThrownBy(
            () ->
                FeatureSchema.fromJson(
                    "{\"version\":\"v\",\"features\":[{\"name\":\"a\",\"type\":\"blob\"}]}"))
        .hasMessageContaining("unknown type blob");
    assertThatThrownBy(() -> FeatureSchema.fromJson("{\"version\":\"v\""))
        .hasMessageContaining("offset");
    assertThatThrownBy(() -> FeatureSchema.fromJson("{} x")).hasMessageContaining("trailing");
    assertThatThrownBy(() -> FeatureSchema.fromJson("{\"a\" 1}"))
        .hasMessageContaining("expected ':'");
    assertThatThrownBy(() -> FeatureSchema.fromJson("[1 2]")).hasMessageContaining("expected ','");
    assertThatThrownBy(() -> FeatureSchema.fromJson("\"abc")).hasMessageContaining("unterminated");
    assertThatThrownBy(() -> FeatureSchema.fromJson(",")).hasMessageContaining("unexpected");
  }
}
