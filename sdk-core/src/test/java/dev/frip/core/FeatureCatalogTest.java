package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureCatalogTest {

  @Test
  void namesAreOrderedUniqueAndIndexed() {
    assertThat(FeatureCatalog.names()).doesNotHaveDuplicates().hasSize(FeatureCatalog.size());
    for (int i = 0; i < FeatureCatalog.size(); i++) {
      assertThat(FeatureCatalog.indexOf(FeatureCatalog.names().get(i))).isEqualTo(i);
    }
    assertThat(FeatureCatalog.names().get(0)).isEqualTo("amount");
    assertThat(FeatureCatalog.definition(FeatureCatalog.BATCH_IDX).name())
        .isEqualTo("terminal_risk_7d");
    assertThat(FeatureCatalog.definition(FeatureCatalog.NIGHT_IDX).name()).isEqualTo("is_night");
  }

  @Test
  void theIndexConstantsMatchTheNames() {
    assertThat(FeatureCatalog.indexOf("user_txn_count_10m"))
        .isEqualTo(FeatureCatalog.TXN_COUNT_IDX);
    assertThat(FeatureCatalog.indexOf("user_amount_sum_10m"))
        .isEqualTo(FeatureCatalog.AMOUNT_SUM_IDX);
    assertThat(FeatureCatalog.indexOf("user_amount_avg_24h"))
        .isEqualTo(FeatureCatalog.AMOUNT_AVG_IDX);
    assertThat(FeatureCatalog.indexOf("user_amount_zscore")).isEqualTo(FeatureCatalog.ZSCORE_IDX);
    assertThat(FeatureCatalog.indexOf("seconds_since_last_txn"))
        .isEqualTo(FeatureCatalog.SINCE_LAST_IDX);
    assertThat(FeatureCatalog.indexOf("user_distinct_merchants_24h"))
        .isEqualTo(FeatureCatalog.DISTINCT_IDX);
    assertThat(FeatureCatalog.indexOf("user_distinct_ips_7d"))
        .isEqualTo(FeatureCatalog.DISTINCT_IDX + 7);
    assertThat(FeatureCatalog.indexOf("new_device")).isEqualTo(FeatureCatalog.NEW_DEVICE_IDX);
    assertThat(FeatureCatalog.indexOf("new_country")).isEqualTo(FeatureCatalog.NEW_COUNTRY_IDX);
    assertThat(FeatureCatalog.indexOf("geo_velocity_kmh"))
        .isEqualTo(FeatureCatalog.GEO_VELOCITY_IDX);
    assertThat(FeatureCatalog.indexOf("refund_ratio_30d"))
        .isEqualTo(FeatureCatalog.REFUND_RATIO_IDX);
    assertThat(FeatureCatalog.indexOf("hour_of_day")).isEqualTo(FeatureCatalog.HOUR_IDX);
    assertThat(FeatureCatalog.indexOf("is_weekend")).isEqualTo(FeatureCatalog.WEEKEND_IDX);
    assertThat(FeatureCatalog.indexOf("users_per_ip_30d")).isEqualTo(FeatureCatalog.size() - 1);
  }

  @Test
  void theSchemaCarriesTheCatalogueAndCatchesAReorderedModel() {
    FeatureSchema schema = FeatureCatalog.schema();
    List<String> reordered = new ArrayList<>(FeatureCatalog.names());
    Collections.swap(reordered, 1, 2);

    assertThat(schema.version()).isEqualTo(FeatureCatalog.VERSION);
    assertThat(schema.names()).isEqualTo(FeatureCatalog.names());
    assertThat(schema.features().get(FeatureCatalog.indexOf("is_weekend")).type())
        .isEqualTo(FeatureSchema.Type.FLAG);
    assertThat(FeatureSchema.fromJson(schema.toJson())).isEqualTo(schema);
    assertThatThrownBy(() -> schema.requireMatches(reordered))
        .hasMessageContaining("user_txn_count_1h");
  }

  @Test
  void anUnknownNameIsReportedWithTheKnownOnes() {
    assertThatThrownBy(() -> FeatureCatalog.indexOf("user_txn_count_2h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown feature 'user_txn_count_2h'")
        .hasMessageContaining("user_txn_count_1h");
  }

  @Test
  void definitionsValidateTheirNames() {
    assertThatThrownBy(
            () ->
                new FeatureDefinition(
                    "Bad Name", FeatureType.REAL, FeatureDefinition.Source.PAYMENT, "x"))
        .hasMessageContaining("not snake_case");
    assertThat(FeatureType.COUNT.exact()).isTrue();
    assertThat(FeatureType.AMOUNT.exact()).isFalse();
  }
}
