package dev.frip.core.internal.generator;

import java.util.SplittableRandom;

/**
 * The real places of the platform world: home cities where users live and merchants trade, and
 * places fraudsters connect from. Coordinates are city centres in degrees.
 */
final class Cities {

  /** A place, with the first octet of the synthetic IPv4 addresses given out there. */
  record City(
      String name,
      String country,
      String currency,
      double lat,
      double lon,
      double weight,
      String ipPrefix) {}

  /** Where users and merchants are; weights sum to 1. */
  static final City[] HOMES = {
    new City("New York", "US", "USD", 40.71, -74.01, 0.14, "23"),
    new City("Chicago", "US", "USD", 41.88, -87.63, 0.08, "24"),
    new City("Los Angeles", "US", "USD", 34.05, -118.24, 0.10, "45"),
    new City("Toronto", "CA", "CAD", 43.65, -79.38, 0.06, "99"),
    new City("London", "GB", "GBP", 51.51, -0.13, 0.12, "81"),
    new City("Manchester", "GB", "GBP", 53.48, -2.24, 0.04, "82"),
    new City("Berlin", "DE", "EUR", 52.52, 13.40, 0.08, "91"),
    new City("Munich", "DE", "EUR", 48.14, 11.58, 0.05, "92"),
    new City("Paris", "FR", "EUR", 48.86, 2.35, 0.09, "90"),
    new City("Lyon", "FR", "EUR", 45.76, 4.84, 0.03, "86"),
    new City("Madrid", "ES", "EUR", 40.42, -3.70, 0.06, "83"),
    new City("Sao Paulo", "BR", "BRL", -23.55, -46.63, 0.10, "177"),
    new City("Rio de Janeiro", "BR", "BRL", -22.91, -43.17, 0.05, "179"),
  };

  /** Where fraudsters' connections come from. */
  static final City[] FRAUD_ORIGINS = {
    new City("Lagos", "NG", "NGN", 6.52, 3.38, 0.2, "105"),
    new City("Bucharest", "RO", "RON", 44.43, 26.10, 0.2, "5"),
    new City("Jakarta", "ID", "IDR", -6.21, 106.85, 0.2, "36"),
    new City("Bangkok", "TH", "THB", 13.76, 100.50, 0.2, "49"),
    new City("Manila", "PH", "PHP", 14.60, 120.98, 0.2, "112"),
  };

  private static final double EARTH_RADIUS_KM = 6371.0;

  private Cities() {}

  /** A home city drawn by weight. */
  static int drawHome(SplittableRandom r) {
    double u = r.nextDouble();
    for (int i = 0; i < HOMES.length - 1; i++) {
      u -= HOMES[i].weight();
      if (u < 0) {
        return i;
      }
    }
    return HOMES.length - 1;
  }

  /** A synthetic IPv4 address in the city's block. */
  static String ip(City c, SplittableRandom r) {
    return c.ipPrefix() + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
  }

  /** Great-circle distance in kilometres. */
  static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
    double p1 = Math.toRadians(lat1);
    double p2 = Math.toRadians(lat2);
    double dp = p2 - p1;
    double dl = Math.toRadians(lon2 - lon1);
    double a =
        StrictMath.sin(dp / 2) * StrictMath.sin(dp / 2)
            + StrictMath.cos(p1)
                * StrictMath.cos(p2)
                * StrictMath.sin(dl / 2)
                * StrictMath.sin(dl / 2);
    return 2 * EARTH_RADIUS_KM * StrictMath.asin(Math.min(1.0, Math.sqrt(a)));
  }
}
