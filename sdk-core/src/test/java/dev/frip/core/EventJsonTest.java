package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.events.Action;
import dev.frip.core.events.FraudScore;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentMethod;
import dev.frip.core.events.PaymentStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventJsonTest {

  static PaymentEvent payment() {
    return PaymentEvent.newBuilder()
        .setEventId(new UUID(1L, 2L))
        .setEventTime(Instant.ofEpochMilli(1_700_000_000_123L))
        .setPaymentId("p-1")
        .setOrderId("o-1")
        .setUserId("u-\"7\"")
        .setCardId("c-1")
        .setMerchantId("m-1")
        .setMerchantCategory("grocery")
        .setMerchantCountry("FR")
        .setTerminalId(null)
        .setDeviceId("d-1")
        .setIp("10.0.0.1")
        .setCountry("FR")
        .setLat(48.85)
        .setLon(null)
        .setAmountMinor(1999)
        .setCurrency("EUR")
        .setPaymentMethod(PaymentMethod.CARD_NOT_PRESENT)
        .setStatus(PaymentStatus.AUTHORIZED)
        .setDeclineReason(null)
        .build();
  }

  @Test
  void writesTopicKeyAndPlainFieldsInSchemaOrder() {
    PaymentEvent p = payment();
    String json = EventJson.toJson(new GeneratedEvent(Topics.PAYMENTS, "u-7", p, 0));

    assertThat(json)
        .startsWith("{\"topic\": \"payments\", \"key\": \"u-7\", \"value\": {")
        .contains("\"event_id\": \"00000000-0000-0001-0000-000000000002\"")
        .contains("\"event_time\": 1700000000123")
        .contains("\"user_id\": \"u-\\\"7\\\"\"")
        .contains("\"terminal_id\": null")
        .contains("\"lat\": 48.85")
        .contains("\"amount_minor\": 1999")
        .contains("\"payment_method\": \"CARD_NOT_PRESENT\"")
        .endsWith("\"decline_reason\": null}}");
    assertThat(json.indexOf("\"event_id\"")).isLessThan(json.indexOf("\"event_time\""));
  }

  @Test
  void appendLineEndsWithNewlineAndIsStable() {
    GeneratedEvent e = new GeneratedEvent(Topics.PAYMENTS, "u-7", payment(), 0);
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    EventJson.appendLine(e, a);
    EventJson.appendLine(e, b);
    assertThat(a.toString()).endsWith("}\n").isEqualTo(b.toString());
  }

  @Test
  void writesArraysAndEscapesControlCharacters() {
    FraudScore s =
        FraudScore.newBuilder()
            .setEventId(new UUID(0, 0))
            .setEventTime(Instant.EPOCH)
            .setPaymentId("p\t1")
            .setUserId("u\n1")
            .setMerchantId("m\\1")
            .setPaymentEventTime(Instant.EPOCH)
            .setScore(0.25)
            .setModelVersion("v\u0001")
            .setAction(Action.REVIEW)
            .setReasons(List.of("amount_high", "new_device"))
            .build();
    String json = EventJson.toJson(new GeneratedEvent(Topics.FRAUD_SCORES, "u", s, 0));
    assertThat(json)
        .contains("\"payment_id\": \"p\\t1\"")
        .contains("\"user_id\": \"u\\n1\"")
        .contains("\"merchant_id\": \"m\\\\1\"")
        .contains("\"model_version\": \"v\\u0001\"")
        .contains("\"reasons\": [\"amount_high\", \"new_device\"]")
        .contains("\"fallback\": false");
  }

  @Test
  void refusesNonFiniteNumbersNamingTheField() {
    PaymentEvent p = PaymentEvent.newBuilder(payment()).setLat(Double.NaN).build();
    assertThatThrownBy(() -> EventJson.toJson(new GeneratedEvent(Topics.PAYMENTS, "u", p, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field lat is NaN");
  }

  @Test
  void writerFailuresSurfaceAsUncheckedIo() {
    Writer broken =
        new Writer() {
          @Override
          public void write(char[] cbuf, int off, int len) throws IOException {
            throw new IOException("disk full");
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    GeneratedEvent e = new GeneratedEvent(Topics.PAYMENTS, "u", payment(), 0);
    assertThatThrownBy(() -> EventJson.appendLine(e, broken))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("disk full");
  }
}
