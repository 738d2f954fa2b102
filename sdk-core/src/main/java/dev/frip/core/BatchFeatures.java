package dev.frip.core;

import dev.frip.core.events.DeviceEvent;
import dev.frip.core.events.GeoEvent;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * The read-only batch features: cross-user aggregates computed on the lakehouse once a day and
 * loaded into every scorer. One table per UTC day {@code D}, built only from data before {@code D}
 * 00:00 UTC, and used for every payment of that day (or, when the day's table is missing, the
 * newest earlier one):
 *
 * <ul>
 *   <li>{@code terminal_risk_7d}, {@code terminal_risk_30d}: frauds / payments of the terminal with
 *       event time in {@code [D - (7 + n)d, D - 7d)}, n = 7 or 30, 0 when there are none. The 7-day
 *       delay is the Fraud Detection Handbook's: a payment counts as fraud only when its chargeback
 *       arrived before {@code D}.
 *   <li>{@code merchant_risk_7d}, {@code merchant_risk_30d}: the same per merchant.
 *   <li>{@code cards_per_device_30d}: distinct cards paying from the device in {@code [D - 30d,
 *       D)}.
 *   <li>{@code users_per_ip_30d}: distinct users with a payment, device or geo event on the IP in
 *       {@code [D - 30d, D)}.
 * </ul>
 *
 * <pre>{@code
 * BatchFeatures batch = BatchFeatures.compute(silverEvents, LocalDate.parse("2026-03-01"),
 *     LocalDate.parse("2026-03-31"));
 * store.loadBatchFeatures(batch);
 * }</pre>
 *
 * @since 0.1.0
 */
public final class BatchFeatures {

  private static final long DAY = 86_400_000L;
  private static final long LABEL_DELAY = 7 * DAY;
  private static final long[] RISK_WINDOWS = {7 * DAY, 30 * DAY};
  private static final long ENTITY_WINDOW = 30 * DAY;

  private final NavigableMap<Long, Day> days;

  private record Day(
      Map<String, double[]> terminals,
      Map<String, double[]> merchants,
      Map<String, Integer> cardsPerDevice,
      Map<String, Integer> usersPerIp) {}

  private BatchFeatures(NavigableMap<Long, Day> days) {
    this.days = days;
  }

  /** A table with no days: every batch feature is NaN. */
  public static BatchFeatures empty() {
    return new BatchFeatures(new TreeMap<>());
  }

  /** A builder for tables computed elsewhere (e.g. read from a gold table). */
  public static Builder builder() {
    return new Builder();
  }

  /** The UTC days that have a table, in order. */
  public List<LocalDate> days() {
    List<LocalDate> out = new ArrayList<>();
    for (long asOf : days.keySet()) {
      out.add(LocalDate.ofEpochDay(asOf / DAY));
    }
    return out;
  }

  /**
   * Writes the six batch features of a payment, in catalogue order, into {@code out[offset ..
   * offset + 6)}: the table of the payment's UTC day, or the newest earlier one. NaN when no table
   * applies or the payment lacks the terminal, device or IP. Allocates nothing.
   */
  public void fill(PaymentEvent payment, double[] out, int offset) {
    Map.Entry<Long, Day> e = days.floorEntry(payment.getEventTime().toEpochMilli());
    if (e == null) {
      Arrays.fill(out, offset, offset + 6, Double.NaN);
      return;
    }
    Day d = e.getValue();
    risk(d.terminals, payment.getTerminalId(), out, offset);
    risk(d.merchants, payment.getMerchantId(), out, offset + 2);
    out[offset + 4] = count(d.cardsPerDevice, payment.getDeviceId());
    out[offset + 5] = count(d.usersPerIp, payment.getIp());
  }

  private static void risk(Map<String, double[]> table, String id, double[] out, int at) {
    if (id == null) {
      out[at] = Double.NaN;
      out[at + 1] = Double.NaN;
      return;
    }
    double[] r = table.get(id);
    out[at] = r == null ? 0.0 : r[0];
    out[at + 1] = r == null ? 0.0 : r[1];
  }

  private static double count(Map<String, Integer> table, String id) {
    if (id == null) {
      return Double.NaN;
    }
    Integer n = table.get(id);
    return n == null ? 0.0 : n;
  }

  /**
   * Computes the tables for days {@code from} to {@code to} (inclusive) from events in any order.
   * Each day's table reads only events before that day, and labels (chargebacks) that arrived
   * before it.
   */
  public static BatchFeatures compute(
      Iterable<? extends SpecificRecord> events, LocalDate from, LocalDate to) {
    Objects.requireNonNull(events, "events");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("to " + to + " is before from " + from);
    }
    Dictionary ids = new Dictionary();
    // time, terminal, merchant, device, card (dictionary ids), and the index of the payment's id in
    // paymentIds: payment ids are unique, so interning them would only grow the dictionary.
    List<long[]> payments = new ArrayList<>();
    List<String> paymentIds = new ArrayList<>();
    List<long[]> sightings = new ArrayList<>(); // time, ip, user
    Map<String, Long> chargebacks = new HashMap<>();
    for (SpecificRecord r : events) {
      if (r instanceof PaymentEvent p && p.getEventTime() != null) {
        long t = p.getEventTime().toEpochMilli();
        payments.add(
            new long[] {
              t,
              ids.id(p.getTerminalId()),
              ids.id(p.getMerchantId()),
              ids.id(p.getDeviceId()),
              ids.id(p.getCardId()),
              paymentIds.size()
            });
        paymentIds.add(p.getPaymentId());
        sight(sightings, ids, t, p.getIp(), p.getUserId());
      } else if (r instanceof DeviceEvent d && d.getEventTime() != null) {
        sight(sightings, ids, d.getEventTime().toEpochMilli(), d.getIp(), d.getUserId());
      } else if (r instanceof GeoEvent g && g.getEventTime() != null) {
        sight(sightings, ids, g.getEventTime().toEpochMilli(), g.getIp(), g.getUserId());
      } else if (r instanceof RefundEvent f
          && f.getRefundType() == RefundType.CHARGEBACK
          && f.getEventTime() != null
          && f.getPaymentId() != null) {
        chargebacks.merge(f.getPaymentId(), f.getEventTime().toEpochMilli(), Math::min);
      }
    }
    payments.sort((a, b) -> Long.compare(a[0], b[0]));
    sightings.sort((a, b) -> Long.compare(a[0], b[0]));
    long[] labelAt = new long[payments.size()];
    for (int i = 0; i < labelAt.length; i++) {
      Long cb = chargebacks.get(paymentIds.get((int) payments.get(i)[5]));
      labelAt[i] = cb == null ? Long.MAX_VALUE : cb;
    }
    NavigableMap<Long, Day> days = new TreeMap<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      long asOf = d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      days.put(asOf, computeDay(asOf, payments, labelAt, sightings, ids));
    }
    return new BatchFeatures(days);
  }

  private static void sight(List<long[]> out, Dictionary ids, long t, String ip, String user) {
    if (ip != null && user != null) {
      out.add(new long[] {t, ids.id(ip), ids.id(user)});
    }
  }

  private static Day computeDay(
      long asOf, List<long[]> payments, long[] labelAt, List<long[]> sightings, Dictionary ids) {
    long riskEnd = asOf - LABEL_DELAY;
    Map<Long, long[]> terminals = new HashMap<>(); // id -> count7, fraud7, count30, fraud30
    Map<Long, long[]> merchants = new HashMap<>();
    // The Handbook's right-closed windows (D - (7 + n)d, D - 7d].
    int lo = firstAtOrAfter(payments, riskEnd - RISK_WINDOWS[1] + 1);
    int hi = firstAtOrAfter(payments, riskEnd + 1);
    for (int i = lo; i < hi; i++) {
      long[] p = payments.get(i);
      boolean fraud = labelAt[i] < asOf;
      boolean in7 = p[0] > riskEnd - RISK_WINDOWS[0];
      if (p[1] >= 0) {
        tally(terminals.computeIfAbsent(p[1], k -> new long[4]), fraud, in7);
      }
      if (p[2] >= 0) {
        tally(merchants.computeIfAbsent(p[2], k -> new long[4]), fraud, in7);
      }
    }
    Map<String, Set<Long>> cards = new HashMap<>();
    for (int i = firstAtOrAfter(payments, asOf - ENTITY_WINDOW);
        i < firstAtOrAfter(payments, asOf);
        i++) {
      long[] p = payments.get(i);
      if (p[3] >= 0 && p[4] >= 0) {
        cards.computeIfAbsent(ids.name((int) p[3]), k -> new HashSet<>()).add(p[4]);
      }
    }
    Map<String, Set<Long>> users = new HashMap<>();
    for (int i = firstAtOrAfter(sightings, asOf - ENTITY_WINDOW);
        i < firstAtOrAfter(sightings, asOf);
        i++) {
      long[] s = sightings.get(i);
      users.computeIfAbsent(ids.name((int) s[1]), k -> new HashSet<>()).add(s[2]);
    }
    return new Day(risks(terminals, ids), risks(merchants, ids), sizes(cards), sizes(users));
  }

  private static void tally(long[] c, boolean fraud, boolean in7) {
    c[2]++;
    c[3] += fraud ? 1 : 0;
    if (in7) {
      c[0]++;
      c[1] += fraud ? 1 : 0;
    }
  }

  private static Map<String, double[]> risks(Map<Long, long[]> counts, Dictionary ids) {
    Map<String, double[]> out = new HashMap<>();
    for (Map.Entry<Long, long[]> e : counts.entrySet()) {
      long[] c = e.getValue();
      out.put(
          ids.name(e.getKey().intValue()),
          new double[] {
            c[0] == 0 ? 0.0 : c[1] / (double) c[0], c[2] == 0 ? 0.0 : c[3] / (double) c[2]
          });
    }
    return out;
  }

  private static Map<String, Integer> sizes(Map<String, Set<Long>> sets) {
    Map<String, Integer> out = new HashMap<>();
    sets.forEach((k, v) -> out.put(k, v.size()));
    return out;
  }

  private static int firstAtOrAfter(List<long[]> sorted, long time) {
    int lo = 0;
    int hi = sorted.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted.get(mid)[0] < time) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Interns ids to dense ints; -1 for null. */
  private static final class Dictionary {
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> names = new ArrayList<>();

    long id(String s) {
      if (s == null) {
        return -1;
      }
      return ids.computeIfAbsent(
          s,
          k -> {
            names.add(k);
            return names.size() - 1;
          });
    }

    String name(int id) {
      return names.get(id);
    }
  }

  /**
   * Assembles tables computed elsewhere, day by day.
   *
   * <pre>{@code
   * BatchFeatures b = BatchFeatures.builder().day(LocalDate.parse("2026-03-02"))
   *     .terminalRisk("T1", 0.10, 0.05).cardsPerDevice("D1", 3).build();
   * }</pre>
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final NavigableMap<Long, Day> days = new TreeMap<>();
    private Day current;
    private LocalDate currentDate;

    private Builder() {}

    /** Starts (or continues) the table of a UTC day; the calls that follow fill it. */
    public Builder day(LocalDate date) {
      Objects.requireNonNull(date, "date");
      long asOf = date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      current =
          days.computeIfAbsent(
              asOf,
              k -> new Day(new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>()));
      currentDate = date;
      return this;
    }

    /** Terminal risk over the 7-day and 30-day windows, each in [0, 1]. */
    public Builder terminalRisk(String terminalId, double risk7d, double risk30d) {
      day().terminals.put(Objects.requireNonNull(terminalId), checkRisk(risk7d, risk30d));
      return this;
    }

    /** Merchant risk over the 7-day and 30-day windows, each in [0, 1]. */
    public Builder merchantRisk(String merchantId, double risk7d, double risk30d) {
      day().merchants.put(Objects.requireNonNull(merchantId), checkRisk(risk7d, risk30d));
      return this;
    }

    /** Distinct cards seen on a device in the 30 days before the day. */
    public Builder cardsPerDevice(String deviceId, int cards) {
      day().cardsPerDevice.put(Objects.requireNonNull(deviceId), checkCount("cards", cards));
      return this;
    }

    /** Distinct users seen on an IP in the 30 days before the day. */
    public Builder usersPerIp(String ip, int users) {
      day().usersPerIp.put(Objects.requireNonNull(ip), checkCount("users", users));
      return this;
    }

    /** The immutable table. */
    public BatchFeatures build() {
      NavigableMap<Long, Day> copy = new TreeMap<>();
      days.forEach(
          (k, d) ->
              copy.put(
                  k,
                  new Day(
                      Map.copyOf(d.terminals),
                      Map.copyOf(d.merchants),
                      Map.copyOf(d.cardsPerDevice),
                      Map.copyOf(d.usersPerIp))));
      return new BatchFeatures(Collections.unmodifiableNavigableMap(copy));
    }

    private Day day() {
      if (current == null) {
        throw new IllegalStateException("call day(LocalDate) before adding values");
      }
      return current;
    }

    private double[] checkRisk(double r7, double r30) {
      if (!(r7 >= 0 && r7 <= 1) || !(r30 >= 0 && r30 <= 1)) {
        throw new IllegalArgumentException(
            "risk on " + currentDate + " was " + r7 + " / " + r30 + ", must be in [0, 1]");
      }
      return new double[] {r7, r30};
    }

    private int checkCount(String what, int n) {
      if (n < 0) {
        throw new IllegalArgumentException(what + " on " + currentDate + " was " + n);
      }
      return n;
    }
  }
}
