package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeneratorConfigTest {

  @Test
  void platformDefaults() {
    GeneratorConfig c = GeneratorConfig.builder().build();
    assertThat(c.profile()).isEqualTo(Profile.PLATFORM);
    assertThat(c.users()).isEqualTo(10_000);
    assertThat(c.merchants()).isEqualTo(500);
    assertThat(c.terminals()).isEqualTo(2_000);
    assertThat(c.days()).isEqualTo(30);
    assertThat(c.fraudRate()).isEqualTo(0.01);
    assertThat(c.startDate()).isEqualTo(LocalDate.of(2026, 1, 1));
    assertThat(c.scenarios()).containsExactlyInAnyOrder(FraudScenario.values());
    assertThat(c.toString()).contains("profile=platform");
  }

  @Test
  void handbookDefaultsAreTheBooksDataset() {
    GeneratorConfig c = GeneratorConfig.builder().profile(Profile.HANDBOOK).seed(3).build();
    assertThat(c.users()).isEqualTo(5_000);
    assertThat(c.terminals()).isEqualTo(10_000);
    assertThat(c.merchants()).isEqualTo(10_000);
    assertThat(c.days()).isEqualTo(183);
    assertThat(c.startDate()).isEqualTo(LocalDate.of(2018, 4, 1));
    assertThat(c.seed()).isEqualTo(3);
    assertThat(c.scenarios()).isEqualTo(GeneratorConfig.HANDBOOK_SCENARIOS);
  }

  @Test
  void explicitSettingsWin() {
    GeneratorConfig c =
        GeneratorConfig.builder()
            .days(7)
            .startDate(LocalDate.of(2025, 5, 1))
            .users(10)
            .merchants(3)
            .terminals(4)
            .fraudRate(0.5)
            .scenarios(EnumSet.of(FraudScenario.REFUND_ABUSE))
            .build();
    assertThat(c.days()).isEqualTo(7);
    assertThat(c.startDate()).isEqualTo(LocalDate.of(2025, 5, 1));
    assertThat(c.users()).isEqualTo(10);
    assertThat(c.merchants()).isEqualTo(3);
    assertThat(c.terminals()).isEqualTo(4);
    assertThat(c.fraudRate()).isEqualTo(0.5);
    assertThat(c.scenarios()).containsExactly(FraudScenario.REFUND_ABUSE);
    assertThat(c.scenarioWeights()).containsEntry(FraudScenario.REFUND_ABUSE, 0.10);
  }

  @Test
  void weightsSetTheMix() {
    GeneratorConfig c =
        GeneratorConfig.builder()
            .scenarioWeights(
                Map.of(FraudScenario.CARD_TESTING, 3.0, FraudScenario.HIGH_AMOUNT, 0.0))
            .build();
    assertThat(c.scenarios()).containsExactly(FraudScenario.CARD_TESTING);
    assertThat(c.scenarioWeights()).containsEntry(FraudScenario.CARD_TESTING, 3.0);
  }

  @Test
  void daysOutOfRangeNameTheFlagAndTheRange() {
    assertThatThrownBy(() -> GeneratorConfig.builder().days(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--days was -3; allowed: 1 to 3650");
    assertThatThrownBy(() -> GeneratorConfig.builder().days(3651))
        .hasMessageStartingWith("--days was 3651");
  }

  @Test
  void fraudRateOutsideTheUnitIntervalIsRefused() {
    assertThatThrownBy(() -> GeneratorConfig.builder().fraudRate(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--fraud-rate was 1.5; allowed: a number in [0, 1]");
    assertThatThrownBy(() -> GeneratorConfig.builder().fraudRate(Double.NaN))
        .hasMessageStartingWith("--fraud-rate was NaN");
    assertThatThrownBy(() -> GeneratorConfig.builder().fraudRate(-0.1))
        .hasMessageStartingWith("--fraud-rate");
  }

  @Test
  void countsMustBePositive() {
    assertThatThrownBy(() -> GeneratorConfig.builder().users(0))
        .hasMessage("--users was 0; allowed: 1 to 10000000");
    assertThatThrownBy(() -> GeneratorConfig.builder().merchants(-1))
        .hasMessageStartingWith("--merchants was -1; allowed: 1 to");
    assertThatThrownBy(() -> GeneratorConfig.builder().terminals(0))
        .hasMessageStartingWith("--terminals was 0; allowed: 1 to");
  }

  @Test
  void profileAndDateMustBeGiven() {
    assertThatThrownBy(() -> GeneratorConfig.builder().profile(null))
        .hasMessage("--profile was null; allowed: platform, handbook");
    assertThatThrownBy(() -> GeneratorConfig.builder().startDate(null))
        .hasMessageStartingWith("--start-date was null; allowed: a date");
    assertThatThrownBy(() -> GeneratorConfig.builder().startDate(LocalDate.of(1960, 1, 1)))
        .hasMessageStartingWith("--start-date was 1960-01-01");
  }

  @Test
  void scenarioSettingsAreChecked() {
    assertThatThrownBy(() -> GeneratorConfig.builder().scenarios(null))
        .hasMessageStartingWith("--scenarios was null; allowed: a set of card_testing");
    assertThatThrownBy(() -> GeneratorConfig.builder().scenarioWeights(null))
        .hasMessageStartingWith("--scenarios was null");
    Map<FraudScenario, Double> negative = new HashMap<>();
    negative.put(FraudScenario.CARD_TESTING, -1.0);
    assertThatThrownBy(() -> GeneratorConfig.builder().scenarioWeights(negative))
        .hasMessage("--scenarios: weight of card_testing was -1.0; allowed: a finite number >= 0");
  }

  @Test
  void handbookRefusesPlatformOnlyScenarios() {
    GeneratorConfig.Builder b =
        GeneratorConfig.builder()
            .profile(Profile.HANDBOOK)
            .scenarios(Set.of(FraudScenario.CARD_TESTING));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "--scenarios: card_testing is not a handbook scenario; allowed with --profile handbook:");
    assertThat(
            GeneratorConfig.builder()
                .profile(Profile.HANDBOOK)
                .scenarios(Set.of(FraudScenario.HIGH_AMOUNT))
                .build()
                .scenarios())
        .containsExactly(FraudScenario.HIGH_AMOUNT);
  }

  @Test
  void profileParsingIgnoresCaseAndNamesTheChoices() {
    assertThat(Profile.parse("HandBook")).isEqualTo(Profile.HANDBOOK);
    assertThat(Profile.parse(" platform ")).isEqualTo(Profile.PLATFORM);
    assertThat(Profile.HANDBOOK.cliName()).isEqualTo("handbook");
    assertThatThrownBy(() -> Profile.parse("x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--profile was 'x'; allowed: platform, handbook");
    assertThatThrownBy(() -> Profile.parse(null)).hasMessageStartingWith("--profile was 'null'");
  }

  @Test
  void scenarioParsingAcceptsLabelsAndHandbookNames() {
    assertThat(FraudScenario.parse("card-testing")).isEqualTo(FraudScenario.CARD_TESTING);
    assertThat(FraudScenario.parse("REFUND_ABUSE")).isEqualTo(FraudScenario.REFUND_ABUSE);
    assertThat(FraudScenario.parse("s1")).isEqualTo(FraudScenario.HIGH_AMOUNT);
    assertThat(FraudScenario.parse("S2")).isEqualTo(FraudScenario.COMPROMISED_TERMINAL);
    assertThat(FraudScenario.parse("s3")).isEqualTo(FraudScenario.COMPROMISED_CUSTOMER);
    assertThat(FraudScenario.IMPOSSIBLE_TRAVEL.label()).isEqualTo("impossible_travel");
    assertThatThrownBy(() -> FraudScenario.parse("foo"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--scenarios: unknown scenario 'foo'; allowed: card_testing, account_takeover,"
                + " impossible_travel, compromised_terminal, compromised_customer, refund_abuse,"
                + " high_amount");
    assertThatThrownBy(() -> FraudScenario.parse(null))
        .hasMessageStartingWith("--scenarios: unknown scenario 'null'");
  }
}
