package dev.frip.core;

import dev.frip.core.events.DeviceEvent;
import dev.frip.core.events.GeoEvent;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.internal.features.StringIds;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
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
 *       event time in {@code (D - (7 + n)d, D - 7d]}, n = 7 or 30, 0 when there are none. The 7-day
 *       delay is the Fraud Detection Handbook's: a payment counts as fraud only when an event that
 *       marks it so by {@link FraudLabels} (the training labels' rule: a fraud chargeback or an
 *       abusive refund, not a plain dispute) arrived before {@code D}.
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
   * Each day's table reads only events before that day, and fraud labels that arrived before it.
   */
  public static BatchFeatures compute(
      Iterable<? extends SpecificRecord> events, LocalDate from, LocalDate to) {
    Objects.requireNonNull(events, "events");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("to " + to + " is before from " + from);
    }
    // Everything is held in primitive arrays and int-coded ids, one dictionary per kind of id: the
    // history is millions of events, and an object per event or per id would be most of the work.
    History h = new History();
    Map<String, Long> frauds = new HashMap<>(); // payment id -> when it was first marked fraud
    for (SpecificRecord r : events) {
      if (r instanceof PaymentEvent p && p.getEventTime() != null) {
        long t = p.getEventTime().toEpochMilli();
        h.payment(t, p);
        h.sight(t, p.getIp(), p.getUserId());
      } else if (r instanceof DeviceEvent d && d.getEventTime() != null) {
        h.sight(d.getEventTime().toEpochMilli(), d.getIp(), d.getUserId());
      } else if (r instanceof GeoEvent g && g.getEventTime() != null) {
        h.sight(g.getEventTime().toEpochMilli(), g.getIp(), g.getUserId());
      } else if (r instanceof RefundEvent f
          && f.getRefundType() != null
          && f.getEventTime() != null
          && f.getPaymentId() != null
          && FraudLabels.marksFraud(
              f.getRefundType().name(), f.getReason(), f.getFraudScenario())) {
        // The training labels' rule: fraud chargebacks and abusive refunds, not plain disputes.
        frauds.merge(f.getPaymentId(), f.getEventTime().toEpochMilli(), Math::min);
      }
    }
    h.sort(frauds);
    NavigableMap<Long, Day> days = new TreeMap<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      long asOf = d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      days.put(asOf, h.day(asOf));
    }
    return new BatchFeatures(days);
  }

  /**
   * The events {@link #compute} reads, column by column: payments (time, terminal, merchant, device
   * and card ids, payment id) and sightings (time, IP, user) of an IP, each sorted by time.
   */
  private static final class History {
    private final StringIds terminalIds = new StringIds();
    private final StringIds merchantIds = new StringIds();
    private final StringIds deviceIds = new StringIds();
    private final StringIds cardIds = new StringIds();
    private final StringIds ipIds = new StringIds();
    private final StringIds userIds = new StringIds();

    private int payments;
    private long[] paymentTime = new long[1024];
    private int[] terminal = new int[1024];
    private int[] merchant = new int[1024];
    private int[] device = new int[1024];
    private int[] card = new int[1024];
    // Payment ids are unique: kept in a list for the fraud-label look-up, never interned.
    private String[] paymentId = new String[1024];
    private long[] labelAt;

    private int sightings;
    private long[] sightingTime = new long[1024];
    private int[] ip = new int[1024];
    private int[] user = new int[1024];

    void payment(long t, PaymentEvent p) {
      if (payments == paymentTime.length) {
        int n = payments * 2;
        paymentTime = Arrays.copyOf(paymentTime, n);
        terminal = Arrays.copyOf(terminal, n);
        merchant = Arrays.copyOf(merchant, n);
        device = Arrays.copyOf(device, n);
        card = Arrays.copyOf(card, n);
        paymentId = Arrays.copyOf(paymentId, n);
      }
      int i = payments++;
      paymentTime[i] = t;
      terminal[i] = terminalIds.id(p.getTerminalId());
      merchant[i] = merchantIds.id(p.getMerchantId());
      device[i] = deviceIds.id(p.getDeviceId());
      card[i] = cardIds.id(p.getCardId());
      paymentId[i] = p.getPaymentId();
    }

    void sight(long t, String ipAddress, String userId) {
      if (ipAddress == null || userId == null) {
        return;
      }
      if (sightings == sightingTime.length) {
        int n = sightings * 2;
        sightingTime = Arrays.copyOf(sightingTime, n);
        ip = Arrays.copyOf(ip, n);
        user = Arrays.copyOf(user, n);
      }
      int i = sightings++;
      sightingTime[i] = t;
      ip[i] = ipIds.id(ipAddress);
      user[i] = userIds.id(userId);
    }

    /** Sorts both by time and finds when each payment was first marked fraud. */
    void sort(Map<String, Long> frauds) {
      int[] order = byTime(paymentTime, payments);
      paymentTime = permute(paymentTime, order);
      terminal = permute(terminal, order);
      merchant = permute(merchant, order);
      device = permute(device, order);
      card = permute(card, order);
      labelAt = new long[payments];
      for (int i = 0; i < payments; i++) {
        Long marked = frauds.get(paymentId[order[i]]);
        labelAt[i] = marked == null ? Long.MAX_VALUE : marked;
      }
      paymentId = null;
      order = byTime(sightingTime, sightings);
      sightingTime = permute(sightingTime, order);
      ip = permute(ip, order);
      user = permute(user, order);
    }

    Day day(long asOf) {
      long riskEnd = asOf - LABEL_DELAY;
      // Per terminal and merchant: count7, fraud7, count30, fraud30.
      long[] terminals = new long[4 * terminalIds.size()];
      long[] merchants = new long[4 * merchantIds.size()];
      // The Handbook's right-closed windows (D - (7 + n)d, D - 7d].
      int lo = firstAtOrAfter(paymentTime, payments, riskEnd - RISK_WINDOWS[1] + 1);
      int hi = firstAtOrAfter(paymentTime, payments, riskEnd + 1);
      for (int i = lo; i < hi; i++) {
        boolean fraud = labelAt[i] < asOf;
        boolean in7 = paymentTime[i] > riskEnd - RISK_WINDOWS[0];
        if (terminal[i] >= 0) {
          tally(terminals, terminal[i], fraud, in7);
        }
        if (merchant[i] >= 0) {
          tally(merchants, merchant[i], fraud, in7);
        }
      }
      lo = firstAtOrAfter(paymentTime, payments, asOf - ENTITY_WINDOW);
      hi = firstAtOrAfter(paymentTime, payments, asOf);
      long[] pairs = new long[hi - lo];
      int n = 0;
      for (int i = lo; i < hi; i++) {
        if (device[i] >= 0 && card[i] >= 0) {
          pairs[n++] = (long) device[i] << 32 | card[i];
        }
      }
      Map<String, Integer> cards = distinct(pairs, n, deviceIds);
      lo = firstAtOrAfter(sightingTime, sightings, asOf - ENTITY_WINDOW);
      hi = firstAtOrAfter(sightingTime, sightings, asOf);
      pairs = new long[hi - lo];
      for (int i = lo; i < hi; i++) {
        pairs[i - lo] = (long) ip[i] << 32 | user[i];
      }
      Map<String, Integer> users = distinct(pairs, pairs.length, ipIds);
      return new Day(risks(terminals, terminalIds), risks(merchants, merchantIds), cards, users);
    }
  }

  private static void tally(long[] counts, int id, boolean fraud, boolean in7) {
    int c = 4 * id;
    counts[c + 2]++;
    counts[c + 3] += fraud ? 1 : 0;
    if (in7) {
      counts[c]++;
      counts[c + 1] += fraud ? 1 : 0;
    }
  }

  /** The risks of every id that had a payment in the window (count30 > 0). */
  private static Map<String, double[]> risks(long[] counts, StringIds ids) {
    Map<String, double[]> out = new HashMap<>();
    for (int id = 0; id < ids.size(); id++) {
      int c = 4 * id;
      if (counts[c + 2] > 0) {
        out.put(
            ids.name(id),
            new double[] {
              counts[c] == 0 ? 0.0 : counts[c + 1] / (double) counts[c],
              counts[c + 3] / (double) counts[c + 2]
            });
      }
    }
    return out;
  }

  /**
   * Distinct values per key of the first {@code n} of {@code pairs} (key in the high half, value in
   * the low half, both dictionary ids): sorted, then counted run by run.
   */
  private static Map<String, Integer> distinct(long[] pairs, int n, StringIds keys) {
    Arrays.sort(pairs, 0, n);
    Map<String, Integer> out = new HashMap<>();
    int i = 0;
    while (i < n) {
      int key = (int) (pairs[i] >>> 32);
      int count = 0;
      long previous = -1;
      for (; i < n && (int) (pairs[i] >>> 32) == key; i++) {
        if (pairs[i] != previous) {
          count++;
          previous = pairs[i];
        }
      }
      out.put(keys.name(key), count);
    }
    return out;
  }

  /** The first of the {@code n} sorted {@code times} at or after {@code time}. */
  private static int firstAtOrAfter(long[] times, int n, long time) {
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (times[mid] < time) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The positions of the first {@code n} {@code times} in time order, ties in position order. */
  private static int[] byTime(long[] times, int n) {
    int[] order = new int[n];
    if (n == 0) {
      return order;
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      min = Math.min(min, times[i]);
      max = Math.max(max, times[i]);
    }
    int indexBits = 32 - Integer.numberOfLeadingZeros(n);
    long span = max - min;
    if (span >= 0 && span < 1L << (63 - indexBits)) {
      // One primitive sort of (time - min, position) packed into a long.
      long[] keys = new long[n];
      for (int i = 0; i < n; i++) {
        keys[i] = (times[i] - min) << indexBits | i;
      }
      Arrays.sort(keys);
      long mask = (1L << indexBits) - 1;
      for (int i = 0; i < n; i++) {
        order[i] = (int) (keys[i] & mask);
      }
    } else {
      Integer[] boxed = new Integer[n];
      for (int i = 0; i < n; i++) {
        boxed[i] = i;
      }
      Arrays.sort(boxed, (a, b) -> Long.compare(times[a], times[b]));
      for (int i = 0; i < n; i++) {
        order[i] = boxed[i];
      }
    }
    return order;
  }

  private static long[] permute(long[] values, int[] order) {
    long[] out = new long[order.length];
    for (int i = 0; i < order.length; i++) {
      out[i] = values[order[i]];
    }
    return out;
  }

  private static int[] permute(int[] values, int[] order) {
    int[] out = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      out[i] = values[order[i]];
    }
    return out;
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
