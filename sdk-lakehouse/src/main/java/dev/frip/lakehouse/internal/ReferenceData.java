package dev.frip.lakehouse.internal;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * Static reference data the silver job needs: FX rates to EUR for the reporting amount, currency
 * minor-unit digits, and a representative time zone per country for the local hour. Rates are fixed
 * reference values (the platform has no FX feed yet); a merchant can override them through {@code
 * SilverJob.Builder.fxRate}.
 */
public final class ReferenceData {

  private ReferenceData() {}

  /** Value of one unit of the currency in EUR. */
  public static Map<String, Double> defaultRatesToEur() {
    Map<String, Double> m = new HashMap<>();
    m.put("EUR", 1.0);
    m.put("USD", 0.92);
    m.put("GBP", 1.17);
    m.put("CHF", 1.05);
    m.put("JPY", 0.0062);
    m.put("CAD", 0.68);
    m.put("AUD", 0.61);
    m.put("SEK", 0.088);
    m.put("NOK", 0.087);
    m.put("DKK", 0.134);
    m.put("PLN", 0.23);
    m.put("CZK", 0.04);
    m.put("BRL", 0.18);
    m.put("MXN", 0.054);
    m.put("INR", 0.011);
    m.put("CNY", 0.13);
    m.put("SGD", 0.69);
    m.put("HKD", 0.118);
    m.put("KRW", 0.00069);
    m.put("ZAR", 0.05);
    m.put("NGN", 0.0006);
    m.put("TRY", 0.028);
    m.put("AED", 0.25);
    return m;
  }

  /** Digits after the decimal point of a currency's minor unit (ISO 4217). */
  public static int minorDigits(String currency) {
    return switch (currency) {
      case "JPY", "KRW", "ISK", "CLP", "VND" -> 0;
      case "BHD", "KWD", "OMR", "JOD", "TND" -> 3;
      default -> 2;
    };
  }

  private static final Map<String, ZoneId> ZONES = new HashMap<>();

  static {
    String[][] z = {
      {"US", "America/New_York"},
      {"CA", "America/Toronto"},
      {"MX", "America/Mexico_City"},
      {"BR", "America/Sao_Paulo"},
      {"AR", "America/Argentina/Buenos_Aires"},
      {"GB", "Europe/London"},
      {"IE", "Europe/Dublin"},
      {"PT", "Europe/Lisbon"},
      {"DE", "Europe/Berlin"},
      {"FR", "Europe/Paris"},
      {"ES", "Europe/Madrid"},
      {"IT", "Europe/Rome"},
      {"NL", "Europe/Amsterdam"},
      {"BE", "Europe/Brussels"},
      {"CH", "Europe/Zurich"},
      {"AT", "Europe/Vienna"},
      {"SE", "Europe/Stockholm"},
      {"NO", "Europe/Oslo"},
      {"DK", "Europe/Copenhagen"},
      {"FI", "Europe/Helsinki"},
      {"PL", "Europe/Warsaw"},
      {"CZ", "Europe/Prague"},
      {"GR", "Europe/Athens"},
      {"RO", "Europe/Bucharest"},
      {"TR", "Europe/Istanbul"},
      {"RU", "Europe/Moscow"},
      {"UA", "Europe/Kyiv"},
      {"AE", "Asia/Dubai"},
      {"IN", "Asia/Kolkata"},
      {"CN", "Asia/Shanghai"},
      {"HK", "Asia/Hong_Kong"},
      {"SG", "Asia/Singapore"},
      {"JP", "Asia/Tokyo"},
      {"KR", "Asia/Seoul"},
      {"ID", "Asia/Jakarta"},
      {"PH", "Asia/Manila"},
      {"TH", "Asia/Bangkok"},
      {"VN", "Asia/Ho_Chi_Minh"},
      {"AU", "Australia/Sydney"},
      {"NZ", "Pacific/Auckland"},
      {"ZA", "Africa/Johannesburg"},
      {"NG", "Africa/Lagos"},
      {"KE", "Africa/Nairobi"},
      {"EG", "Africa/Cairo"}
    };
    for (String[] e : z) {
      ZONES.put(e[0], ZoneId.of(e[1]));
    }
  }

  /** A representative zone of the country (its most populous), UTC when unknown. */
  public static ZoneId zoneOf(String country) {
    return country == null ? ZoneOffset.UTC : ZONES.getOrDefault(country, ZoneOffset.UTC);
  }

  /** Great-circle distance in kilometres. */
  public static double haversineKm(double lat1, double lon1, double lat2, double lon2) {
    double dLat = Math.toRadians(lat2 - lat1);
    double dLon = Math.toRadians(lon2 - lon1);
    double a =
        Math.sin(dLat / 2) * Math.sin(dLat / 2)
            + Math.cos(Math.toRadians(lat1))
                * Math.cos(Math.toRadians(lat2))
                * Math.sin(dLon / 2)
                * Math.sin(dLon / 2);
    return 6371.0088 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
  }
}
