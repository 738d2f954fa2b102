package dev.frip.core.internal.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frip.core.GeneratorConfig;
import dev.frip.core.Profile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandbookWorldInternalsTest {

  private static HandbookWorld world(int customers, int terminals) {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .profile(Profile.HANDBOOK)
            .seed(5)
            .users(customers)
            .terminals(terminals)
            .days(30)
            .build();
    return new HandbookWorld(config, new Tally(config.days()));
  }

  @Test
  void customersReachExactlyTheTerminalsStrictlyWithinTheRadius() {
    HandbookWorld w = world(300, 3_000);
    for (int c = 0; c < 300; c++) {
      double[] cl = w.customerLocation(c);
      List<Integer> expected = new ArrayList<>();
      for (int t = 0; t < 3_000; t++) {
        double[] tl = w.terminalLocation(t);
        double dx = cl[0] - tl[0];
        double dy = cl[1] - tl[1];
        if (Math.sqrt(dx * dx + dy * dy) < HandbookWorld.RADIUS) {
          expected.add(t);
        }
      }
      assertThat(Arrays.stream(w.availableTerminals(c)).boxed().toList()).isEqualTo(expected);
    }
  }

  @Test
  void aCustomersDayIsDrawnIdenticallyEveryTime() {
    HandbookWorld w = world(50, 500);
    HandbookWorld.DayDraw a = new HandbookWorld.DayDraw();
    HandbookWorld.DayDraw b = new HandbookWorld.DayDraw();
    int total = 0;
    for (int c = 0; c < 50; c++) {
      for (int d = 0; d < 10; d++) {
        int n = w.drawDay(c, d, a);
        assertThat(w.drawDay(c, d, b)).isEqualTo(n);
        for (int i = 0; i < n; i++) {
          assertThat(b.second[i]).isEqualTo(a.second[i]).isBetween(1, 86_399);
          assertThat(b.cents[i]).isEqualTo(a.cents[i]).isNotNegative();
          assertThat(b.terminal[i]).isEqualTo(a.terminal[i]);
          assertThat(w.availableTerminals(c)).contains(a.terminal[i]);
        }
        total += n;
      }
    }
    assertThat(total).isPositive();
  }

  @Test
  void gridMapsToOneDegreeNearBrussels() {
    assertThat(HandbookWorld.latitude(0)).isEqualTo(50.0);
    assertThat(HandbookWorld.latitude(100)).isEqualTo(51.0);
    assertThat(HandbookWorld.longitude(50)).isEqualTo(4.5);
  }

  @Test
  void compromisedCustomerPicksAreForgottenOnceTheirDayIsGenerated() {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .profile(Profile.HANDBOOK)
            .seed(5)
            .users(200)
            .terminals(2_000)
            .days(120)
            .build();
    Tally tally = new Tally(config.days());
    HandbookWorld w = new HandbookWorld(config, tally);
    Timeline tl = new Timeline(0, 5, tally);
    int maxPicks = 0;
    for (int d = 0; d < config.days(); d++) {
      tl.openDay(d);
      w.generateDay(d, tl);
      tl.sealDay();
      while (tl.poll() != null) {
        // drain the day
      }
      maxPicks = Math.max(maxPicks, w.pendingPicks());
    }
    // At most 13 later days of 3 customers from each of the 13 open windows plus today's.
    assertThat(maxPicks).isPositive().isLessThanOrEqualTo(14 * 3 * 13);
  }
}
