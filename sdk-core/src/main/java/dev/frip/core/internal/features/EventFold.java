package dev.frip.core.internal.features;

import dev.frip.core.FeatureCatalog;
import dev.frip.core.ObserveResult;
import dev.frip.core.events.DeviceEvent;
import dev.frip.core.events.GeoEvent;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import java.time.Instant;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * How each event type enters {@link UserEvents}: validation of its keys and the attributes kept.
 * Shared by the online store and the offline path, so both accept and fold exactly the same events.
 *
 * <ul>
 *   <li>payments: amount (0 to {@link FeatureCatalog#MAX_AMOUNT_MINOR}, else {@link
 *       ObserveResult#REJECTED_INVALID_AMOUNT}), merchant, country, device, IP, location;
 *   <li>geo events: device, country, IP, location;
 *   <li>device events: device, IP, IP country;
 *   <li>refunds of type REFUND: a count for the refund ratio (their amount is checked as a
 *       payment's). Chargebacks are labels, never inputs, and are {@link ObserveResult#IGNORED}, as
 *       are orders and user profile events.
 * </ul>
 */
public final class EventFold {

  private EventFold() {}

  /**
   * Checks an event's keys, event time and, for payments and merchant refunds, amount (0 to {@link
   * FeatureCatalog#MAX_AMOUNT_MINOR} minor units).
   *
   * @param latestAllowed the newest event time accepted (clock plus future skew)
   * @return {@link ObserveResult#ACCEPTED} when it may be folded, {@link ObserveResult#IGNORED} for
   *     a type without streaming features, else the rejection
   */
  public static ObserveResult check(SpecificRecord e, long latestAllowed) {
    ObserveResult r = checkExceptBlankUser(e, latestAllowed);
    return r == ObserveResult.ACCEPTED && userId(e).isBlank()
        ? ObserveResult.REJECTED_MISSING_KEY
        : r;
  }

  /**
   * {@link #check} without the test for a blank (but present) user id, which reads the id's
   * characters: the online store makes that test only for a user it does not hold, since a held
   * user passed it when added, and so does not touch a cold string on every event. Any other
   * outcome than {@link ObserveResult#ACCEPTED} or {@link ObserveResult#IGNORED} may differ from
   * {@link #check}'s for an event with a blank user; callers take {@link #check}'s then.
   */
  static ObserveResult checkExceptBlankUser(SpecificRecord e, long latestAllowed) {
    String user;
    UUID id;
    Instant time;
    long amount = 0;
    if (e instanceof PaymentEvent p) {
      if (p.getMerchantId() == null || p.getCountry() == null) {
        return ObserveResult.REJECTED_MISSING_KEY;
      }
      user = p.getUserId();
      id = p.getEventId();
      time = p.getEventTime();
      amount = p.getAmountMinor();
    } else if (e instanceof GeoEvent g) {
      user = g.getUserId();
      id = g.getEventId();
      time = g.getEventTime();
    } else if (e instanceof DeviceEvent d) {
      user = d.getUserId();
      id = d.getEventId();
      time = d.getEventTime();
    } else if (e instanceof RefundEvent r) {
      if (r.getRefundType() != RefundType.REFUND) {
        return ObserveResult.IGNORED;
      }
      user = r.getUserId();
      id = r.getEventId();
      time = r.getEventTime();
      amount = r.getAmountMinor();
    } else {
      return ObserveResult.IGNORED;
    }
    if (user == null || id == null) {
      return ObserveResult.REJECTED_MISSING_KEY;
    }
    if (time == null || time.toEpochMilli() <= 0) {
      return ObserveResult.REJECTED_MISSING_TIME;
    }
    if (!validAmount(amount)) {
      return ObserveResult.REJECTED_INVALID_AMOUNT;
    }
    if (time.toEpochMilli() > latestAllowed) {
      return ObserveResult.REJECTED_FUTURE;
    }
    return ObserveResult.ACCEPTED;
  }

  /** Whether {@code amountMinor} is in [0, {@link FeatureCatalog#MAX_AMOUNT_MINOR}]. */
  public static boolean validAmount(long amountMinor) {
    return amountMinor >= 0 && amountMinor <= FeatureCatalog.MAX_AMOUNT_MINOR;
  }

  /**
   * Why {@link #check} gave {@code r}, for an error message: the outcome, and for {@link
   * ObserveResult#REJECTED_INVALID_AMOUNT} the amount and the range.
   */
  public static String reason(SpecificRecord e, ObserveResult r) {
    if (r == ObserveResult.REJECTED_INVALID_AMOUNT) {
      long amount =
          e instanceof PaymentEvent p ? p.getAmountMinor() : ((RefundEvent) e).getAmountMinor();
      return r + " (" + FeatureCatalog.amountProblem(amount) + ")";
    }
    return r.toString();
  }

  /** The user of an event that passed {@link #check}. */
  public static String userId(SpecificRecord e) {
    if (e instanceof PaymentEvent p) {
      return p.getUserId();
    } else if (e instanceof GeoEvent g) {
      return g.getUserId();
    } else if (e instanceof DeviceEvent d) {
      return d.getUserId();
    } else {
      return ((RefundEvent) e).getUserId();
    }
  }

  /**
   * Folds an event that passed {@link #check} into a user's buffer.
   *
   * @return {@link UserEvents#INSERTED}, {@link UserEvents#DUPLICATE} or {@link
   *     UserEvents#TOO_LATE}
   */
  public static int fold(
      SpecificRecord e, UserEvents into, long lateness, long retention, int maxEvents) {
    if (e instanceof PaymentEvent p) {
      int flags = UserEvents.KIND_PAYMENT | UserEvents.HAS_MERCHANT | UserEvents.HAS_COUNTRY;
      int device = 0;
      int ip = 0;
      float lat = 0f;
      float lon = 0f;
      if (p.getDeviceId() != null) {
        flags |= UserEvents.HAS_DEVICE;
        device = Hashing.of(p.getDeviceId());
      }
      if (p.getIp() != null) {
        flags |= UserEvents.HAS_IP;
        ip = Hashing.of(p.getIp());
      }
      if (p.getLat() != null && p.getLon() != null) {
        flags |= UserEvents.HAS_LOC;
        lat = (float) p.getLat().doubleValue();
        lon = (float) p.getLon().doubleValue();
      }
      return into.insert(
          p.getEventTime().toEpochMilli(),
          Hashing.of(p.getEventId()),
          flags,
          p.getAmountMinor(),
          Hashing.of(p.getMerchantId()),
          device,
          Hashing.of(p.getCountry()),
          ip,
          lat,
          lon,
          lateness,
          retention,
          maxEvents);
    } else if (e instanceof GeoEvent g) {
      int flags = UserEvents.KIND_GEO | UserEvents.HAS_LOC;
      flags |= g.getDeviceId() != null ? UserEvents.HAS_DEVICE : 0;
      flags |= g.getCountry() != null ? UserEvents.HAS_COUNTRY : 0;
      flags |= g.getIp() != null ? UserEvents.HAS_IP : 0;
      return into.insert(
          g.getEventTime().toEpochMilli(),
          Hashing.of(g.getEventId()),
          flags,
          0L,
          0,
          g.getDeviceId() != null ? Hashing.of(g.getDeviceId()) : 0,
          g.getCountry() != null ? Hashing.of(g.getCountry()) : 0,
          g.getIp() != null ? Hashing.of(g.getIp()) : 0,
          (float) g.getLat(),
          (float) g.getLon(),
          lateness,
          retention,
          maxEvents);
    } else if (e instanceof DeviceEvent d) {
      int flags = UserEvents.KIND_DEVICE;
      flags |= d.getDeviceId() != null ? UserEvents.HAS_DEVICE : 0;
      flags |= d.getIpCountry() != null ? UserEvents.HAS_COUNTRY : 0;
      flags |= d.getIp() != null ? UserEvents.HAS_IP : 0;
      return into.insert(
          d.getEventTime().toEpochMilli(),
          Hashing.of(d.getEventId()),
          flags,
          0L,
          0,
          d.getDeviceId() != null ? Hashing.of(d.getDeviceId()) : 0,
          d.getIpCountry() != null ? Hashing.of(d.getIpCountry()) : 0,
          d.getIp() != null ? Hashing.of(d.getIp()) : 0,
          0f,
          0f,
          lateness,
          retention,
          maxEvents);
    } else {
      RefundEvent r = (RefundEvent) e;
      return into.insert(
          r.getEventTime().toEpochMilli(),
          Hashing.of(r.getEventId()),
          UserEvents.KIND_REFUND,
          r.getAmountMinor(),
          0,
          0,
          0,
          0,
          0f,
          0f,
          lateness,
          retention,
          maxEvents);
    }
  }
}
