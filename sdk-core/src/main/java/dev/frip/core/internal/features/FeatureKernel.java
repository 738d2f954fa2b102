package dev.frip.core.internal.features;

import static dev.frip.core.FeatureCatalog.AMOUNT_AVG_IDX;
import static dev.frip.core.FeatureCatalog.AMOUNT_IDX;
import static dev.frip.core.FeatureCatalog.AMOUNT_SUM_IDX;
import static dev.frip.core.FeatureCatalog.BATCH_IDX;
import static dev.frip.core.FeatureCatalog.DISTINCT_IDX;
import static dev.frip.core.FeatureCatalog.GEO_VELOCITY_IDX;
import static dev.frip.core.FeatureCatalog.HOUR_IDX;
import static dev.frip.core.FeatureCatalog.NEW_COUNTRY_IDX;
import static dev.frip.core.FeatureCatalog.NEW_DEVICE_IDX;
import static dev.frip.core.FeatureCatalog.NIGHT_IDX;
import static dev.frip.core.FeatureCatalog.REFUND_RATIO_IDX;
import static dev.frip.core.FeatureCatalog.SINCE_LAST_IDX;
import static dev.frip.core.FeatureCatalog.TXN_COUNT_IDX;
import static dev.frip.core.FeatureCatalog.WEEKEND_IDX;
import static dev.frip.core.FeatureCatalog.ZSCORE_IDX;
import static dev.frip.core.internal.features.UserEvents.HAS_COUNTRY;
import static dev.frip.core.internal.features.UserEvents.HAS_DEVICE;
import static dev.frip.core.internal.features.UserEvents.HAS_IP;
import static dev.frip.core.internal.features.UserEvents.HAS_LOC;
import static dev.frip.core.internal.features.UserEvents.HAS_MERCHANT;
import static dev.frip.core.internal.features.UserEvents.KIND_PAYMENT;

import dev.frip.core.BatchFeatures;
import dev.frip.core.FeatureCatalog;
import dev.frip.core.events.PaymentEvent;

/**
 * The one implementation of every feature in {@link FeatureCatalog}: computes a payment's vector as
 * of its own (event time, id hash) from the user's {@link UserEvents}. The online store and the
 * offline path both call {@link #compute}; neither has feature logic of its own.
 *
 * <p>Only events that sort strictly before the payment are read, so the result does not depend on
 * whether later events (or the payment itself) were folded already. The payment's own contribution
 * to its windows comes from the payment argument.
 *
 * <p>One backward pass from the payment over the last 7 days of events, which feed every window up
 * to 7 days and the distinct counts; the 30-day count, sum, z-score and refund ratio come from the
 * buffer's running totals less the few events outside the window ({@link UserEvents#totals}), all
 * in exact integers; 7 to 30 days back is read only for the look-ups (device, country, location,
 * last payment) not answered yet. No allocation.
 */
public final class FeatureKernel {

  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;
  private static final long[] TXN_WINDOWS = {10 * 60_000L, HOUR, DAY, 7 * DAY, 30 * DAY};
  // Windows closed inside the scan; the 30-day one is the scan's own bound.
  private static final int SHORT_WINDOWS = 4;
  private static final long LONGEST = FeatureCatalog.LONGEST_WINDOW_MS;
  private static final long DISTINCT_SHORT = DAY;
  private static final long DISTINCT_LONG = 7 * DAY;
  private static final double EARTH_RADIUS_KM = 6371.0088;
  private static final long MIN_ELAPSED_MS = 1000L;

  /** Events before the newest whose rows a read touches first: about a week at two a day. */
  static final int PREFETCH_EVENTS = 16;

  private FeatureKernel() {}

  /**
   * Writes the full vector of {@code p} into {@code out[0 .. FeatureCatalog.size())}.
   *
   * @param events the user's events, or {@code null} for a user without state
   * @param p the payment, already validated (user, id and time present)
   * @param batch the batch table, or {@code null} when none is loaded (batch features are NaN)
   * @param s the calling thread's scratch
   * @param out the vector to fill
   */
  public static void compute(
      UserEvents events, PaymentEvent p, BatchFeatures batch, Scratch s, double[] out) {
    long t = p.getEventTime().toEpochMilli();
    long amount = p.getAmountMinor();
    int pMerchant = Hashing.of(p.getMerchantId());
    int pCountry = Hashing.of(p.getCountry());
    String deviceId = p.getDeviceId();
    String ipId = p.getIp();
    boolean pHasDevice = deviceId != null;
    int pDevice = pHasDevice ? Hashing.of(deviceId) : 0;
    Double latBox = p.getLat();
    Double lonBox = p.getLon();
    boolean pHasLoc = latBox != null && lonBox != null;

    if (events != null) {
      // About a week of events at two payments a day (the Handbook's mean) before the newest, the
      // oldest one and the running totals, touched before the search below, whose first probe is
      // among them: the payment is nearly always the user's newest event.
      s.sink += events.prefetch(events.size(), PREFETCH_EVENTS);
    }
    int end = events == null ? 0 : events.lowerBound(t, Hashing.of(p.getEventId()));
    s.reset(end + 1);
    s.merchants.add(pMerchant);
    s.countries.add(pCountry);
    if (pHasDevice) {
      s.devices.add(pDevice);
    }
    if (ipId != null) {
      s.ips.add(Hashing.of(ipId));
    }

    // One backward pass over the last 7 days: dt only grows, so each window's totals are taken as
    // dt crosses its length (window w holds the events with dt < length(w)).
    long[] counts = s.counts;
    long[] sums = s.sums;
    int window = 0;
    long prior = 0;
    long priorSum = 0;
    long lastPaymentTime = Long.MIN_VALUE;
    boolean seenDevice = false;
    boolean seenCountry = false;
    boolean locFound = false;
    float prevLat = 0f;
    float prevLon = 0f;
    long prevLocTime = 0;
    int merchants24 = -1;
    int devices24 = -1;
    int countries24 = -1;
    int ips24 = -1;
    int i = end - 1;
    for (; i >= 0; i--) {
      long time = events.time(i);
      long dt = t - time;
      if (dt >= DISTINCT_LONG) {
        break;
      }
      while (dt >= TXN_WINDOWS[window]) {
        counts[window] = 1 + prior; // the current payment is in every window
        sums[window] = amount + priorSum;
        if (TXN_WINDOWS[window] == DISTINCT_SHORT) {
          merchants24 = s.merchants.size();
          devices24 = s.devices.size();
          countries24 = s.countries.size();
          ips24 = s.ips.size();
        }
        window++;
      }
      int f = events.flags(i);
      if ((f & HAS_MERCHANT) != 0) {
        s.merchants.add(events.merchant(i));
      }
      if ((f & HAS_DEVICE) != 0) {
        int device = events.device(i);
        s.devices.add(device);
        seenDevice |= device == pDevice;
      }
      if ((f & HAS_COUNTRY) != 0) {
        int country = events.country(i);
        s.countries.add(country);
        seenCountry |= country == pCountry;
      }
      if ((f & HAS_IP) != 0) {
        s.ips.add(events.ip(i));
      }
      if (!locFound && (f & HAS_LOC) != 0) {
        locFound = true;
        prevLat = events.lat(i);
        prevLon = events.lon(i);
        prevLocTime = time;
      }
      if ((f & UserEvents.KIND_MASK) == KIND_PAYMENT) {
        prior++;
        priorSum += events.amount(i);
        if (lastPaymentTime == Long.MIN_VALUE) {
          lastPaymentTime = time;
        }
      }
    }
    while (window < SHORT_WINDOWS) { // close the windows up to 7 days
      counts[window] = 1 + prior;
      sums[window] = amount + priorSum;
      if (TXN_WINDOWS[window] == DISTINCT_SHORT) {
        merchants24 = s.merchants.size();
        devices24 = s.devices.size();
        countries24 = s.countries.size();
        ips24 = s.ips.size();
      }
      window++;
    }
    // 30 days: from the buffer's running totals, less the few events outside the window.
    long[] totals = s.totals;
    if (events == null) {
      java.util.Arrays.fill(totals, 0L);
    } else {
      int from = 0;
      while (from < end && t - events.time(from) >= LONGEST) {
        from++;
      }
      events.totals(from, end, totals);
    }
    // 7 to 30 days back only for the look-ups still unanswered, usually none.
    for (;
        i >= 0
            && (!(seenDevice || !pHasDevice)
                || !seenCountry
                || !locFound
                || lastPaymentTime == Long.MIN_VALUE);
        i--) {
      long time = events.time(i);
      if (t - time >= LONGEST) {
        break;
      }
      int f = events.flags(i);
      if (lastPaymentTime == Long.MIN_VALUE && (f & UserEvents.KIND_MASK) == KIND_PAYMENT) {
        lastPaymentTime = time;
      }
      if ((f & HAS_DEVICE) != 0 && events.device(i) == pDevice) {
        seenDevice = true;
      }
      if ((f & HAS_COUNTRY) != 0 && events.country(i) == pCountry) {
        seenCountry = true;
      }
      if (!locFound && (f & HAS_LOC) != 0) {
        locFound = true;
        prevLat = events.lat(i);
        prevLon = events.lon(i);
        prevLocTime = time;
      }
    }
    long prior30 = totals[UserEvents.T_PAYMENTS];
    long priorSum30 = totals[UserEvents.T_AMOUNT_SUM];
    counts[4] = 1 + prior30;
    sums[4] = amount + priorSum30;
    if (merchants24 < 0) {
      merchants24 = s.merchants.size();
      devices24 = s.devices.size();
      countries24 = s.countries.size();
      ips24 = s.ips.size();
    }

    out[AMOUNT_IDX] = amount / 100.0;
    for (int w = 0; w < counts.length; w++) {
      out[TXN_COUNT_IDX + w] = counts[w];
      out[AMOUNT_SUM_IDX + w] = sums[w] / 100.0;
    }
    for (int w = 0; w < 3; w++) { // 24h, 7d, 30d are the last three count windows
      out[AMOUNT_AVG_IDX + w] = sums[w + 2] / (100.0 * counts[w + 2]);
    }
    out[ZSCORE_IDX] =
        zScore(
            prior30,
            priorSum30 - prior30 * amount,
            shiftedSquares(
                prior30,
                priorSum30,
                totals[UserEvents.T_SQUARES_HI],
                totals[UserEvents.T_SQUARES_LO],
                amount));
    out[SINCE_LAST_IDX] =
        lastPaymentTime == Long.MIN_VALUE ? Double.NaN : (t - lastPaymentTime) / 1000.0;
    out[DISTINCT_IDX] = merchants24;
    out[DISTINCT_IDX + 1] = s.merchants.size();
    out[DISTINCT_IDX + 2] = devices24;
    out[DISTINCT_IDX + 3] = s.devices.size();
    out[DISTINCT_IDX + 4] = countries24;
    out[DISTINCT_IDX + 5] = s.countries.size();
    out[DISTINCT_IDX + 6] = ips24;
    out[DISTINCT_IDX + 7] = s.ips.size();
    out[NEW_DEVICE_IDX] = pHasDevice ? (seenDevice ? 0.0 : 1.0) : Double.NaN;
    out[NEW_COUNTRY_IDX] = seenCountry ? 0.0 : 1.0;
    out[GEO_VELOCITY_IDX] =
        pHasLoc && locFound
            ? kmPerHour(
                prevLat,
                prevLon,
                (float) latBox.doubleValue(),
                (float) lonBox.doubleValue(),
                t - prevLocTime)
            : Double.NaN;
    out[REFUND_RATIO_IDX] = totals[UserEvents.T_REFUNDS] / (double) counts[4];
    long msOfDay = Math.floorMod(t, DAY);
    int hour = (int) (msOfDay / HOUR);
    long dayOfWeek = Math.floorMod(Math.floorDiv(t, DAY) + 3, 7); // 1970-01-01 was a Thursday
    out[HOUR_IDX] = hour;
    out[WEEKEND_IDX] = dayOfWeek >= 5 ? 1.0 : 0.0;
    out[NIGHT_IDX] = hour <= 6 ? 1.0 : 0.0;
    if (batch == null) {
      java.util.Arrays.fill(out, BATCH_IDX, FeatureCatalog.size(), Double.NaN);
    } else {
      batch.fill(p, out, BATCH_IDX);
    }
  }

  /**
   * (amount - mean) / population std of the prior amounts, from their deviations from the current
   * amount: {@code shiftedSum} = sum(a - amount) (exact), {@code shiftedSquares} = sum((a -
   * amount)^2). Shifting by the current amount keeps the one-pass variance well conditioned.
   */
  private static double zScore(long n, long shiftedSum, double shiftedSquares) {
    if (n < 2) {
      return Double.NaN;
    }
    double meanShift = shiftedSum / (double) n; // mean - amount
    double meanSquare = shiftedSquares / n;
    double variance = meanSquare - meanShift * meanShift;
    if (!(variance > 1e-12 * meanSquare)) { // all prior amounts equal, up to rounding
      return Double.NaN;
    }
    return -meanShift / Math.sqrt(variance);
  }

  /**
   * {@code sum((a - b)^2)} over {@code n} amounts from their sum {@code s} and 128-bit sum of
   * squares {@code (sqHi, sqLo)}: {@code sq - 2bs + nb^2}, exact in 128-bit integers (for amounts
   * below 2^58 in magnitude), so the subtraction loses nothing, then rounded once to a double.
   */
  static double shiftedSquares(long n, long s, long sqHi, long sqLo, long b) {
    // 2bs, signed 128 bits
    long bsHi = Math.multiplyHigh(b, s);
    long bsLo = b * s;
    long twoBsHi = bsHi << 1 | bsLo >>> 63;
    long twoBsLo = bsLo << 1;
    // n * b^2: b^2 is non-negative, n >= 0
    long b2Hi = Math.multiplyHigh(b, b);
    long b2Lo = b * b;
    long nb2Lo = n * b2Lo;
    long nb2Hi = n * b2Hi + unsignedMultiplyHigh(n, b2Lo);
    // sq - 2bs
    long rLo = sqLo - twoBsLo;
    long rHi = sqHi - twoBsHi - (Long.compareUnsigned(sqLo, twoBsLo) < 0 ? 1 : 0);
    // + n b^2
    long sumLo = rLo + nb2Lo;
    long sumHi = rHi + nb2Hi + (Long.compareUnsigned(sumLo, rLo) < 0 ? 1 : 0);
    return sumHi * 0x1p64 + ((sumLo >>> 1) * 2.0 + (sumLo & 1));
  }

  /** High 64 bits of the unsigned 128-bit product (Java 18's Math.unsignedMultiplyHigh). */
  private static long unsignedMultiplyHigh(long x, long y) {
    return Math.multiplyHigh(x, y) + ((x >> 63) & y) + ((y >> 63) & x);
  }

  /**
   * Great-circle speed between two fixes, with at least one second elapsed: the haversine formula,
   * with {@code cos(p1) cos(p2)} taken as {@code (cos(p2 - p1) + cos(p1 + p2)) / 2} and {@code
   * cos(p2 - p1) = 1 - 2 sin^2((p2 - p1) / 2)}, so that a speed costs one cosine of a latitude sum
   * and two sines of half-differences, which for fixes of one user are small ({@link #sin}),
   * instead of two sines and two cosines of arbitrary arguments.
   */
  static double kmPerHour(float lat1, float lon1, float lat2, float lon2, long elapsedMs) {
    double p1 = Math.toRadians(lat1);
    double p2 = Math.toRadians(lat2);
    double sp = sin((p2 - p1) / 2);
    double sl = sin(Math.toRadians((double) lon2 - lon1) / 2);
    double h = sp * sp + (1 - 2 * sp * sp + Math.cos(p1 + p2)) / 2 * sl * sl;
    double km = 2 * EARTH_RADIUS_KM * asin(Math.min(1.0, Math.sqrt(Math.max(0.0, h))));
    return km / (Math.max(elapsedMs, MIN_ELAPSED_MS) / 3_600_000.0);
  }

  /**
   * Below this magnitude {@link #sin} uses its series: half-differences up to about 3.6 degrees.
   */
  private static final double SIN_SERIES_LIMIT = 0x1p-4;

  /**
   * {@code sin(x)}; below 2^-4 in magnitude by its Taylor series to {@code x^9}, whose first
   * omitted term, {@code x^11/11!}, is under 2^-65 of the result, far below a double's rounding.
   * Called with the half-differences of two fixes' coordinates, which are small for most pairs of
   * one user, where {@code Math.sin} costs more than the rest of the speed's arithmetic.
   */
  static double sin(double x) {
    if (Math.abs(x) < SIN_SERIES_LIMIT) {
      double x2 = x * x;
      return x - x * x2 * (1.0 / 6 - x2 * (1.0 / 120 - x2 * (1.0 / 5040 - x2 * (1.0 / 362_880))));
    }
    return Math.sin(x);
  }

  /** Below this argument {@link #asin} uses its series: chords up to about 100 km. */
  private static final double ASIN_SERIES_LIMIT = 0x1p-7;

  /**
   * {@code asin(x)} for {@code x} in [0, 1]. Most fixes of one user lie close together, where
   * {@code Math.asin} (a native call on Java 17) costs more than the rest of the vector's
   * arithmetic; there its Taylor series to {@code x^7} is used instead: below 2^-7 the first
   * omitted term, {@code 35x^9/1152}, is under 2^-60 of the result, far below a double's rounding.
   * Both the online and the offline path call this one method, so their vectors still agree bit for
   * bit.
   */
  static double asin(double x) {
    if (x < ASIN_SERIES_LIMIT) {
      double x2 = x * x;
      return x + x * x2 * (1.0 / 6 + x2 * (3.0 / 40 + x2 * (15.0 / 336)));
    }
    return Math.asin(x);
  }
}
