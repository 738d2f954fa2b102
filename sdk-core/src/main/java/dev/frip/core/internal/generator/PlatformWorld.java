package dev.frip.core.internal.generator;

import dev.frip.core.FraudScenario;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.Topics;
import dev.frip.core.events.Channel;
import dev.frip.core.events.DeviceEvent;
import dev.frip.core.events.DeviceType;
import dev.frip.core.events.GeoEvent;
import dev.frip.core.events.GeoSource;
import dev.frip.core.events.OrderEvent;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentMethod;
import dev.frip.core.events.PaymentStatus;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import dev.frip.core.events.UserEvent;
import dev.frip.core.events.UserEventType;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * FRIP's own world: users living in real cities with devices, IPs and cards; merchants by category
 * and country; terminals at physical merchants; sessions in which an order leads to a card-present
 * payment at a terminal or an online payment from a device; ordinary refunds; mobile location
 * fixes; and the platform fraud scenarios.
 *
 * <p>Fraud volume: each day the expected number of genuine payments N is known from the active
 * users' session rates, so scenario s starts Poisson(rate · N · w_s / E_s) incidents, where w_s is
 * its share of the mix and E_s the labelled payments one incident yields on average. The labelled
 * fraction of payments then lands near the configured rate (slightly below, because fraud adds
 * payments of its own, declined card tests among them).
 *
 * <p>Labels: a fraudulent, authorized payment gets a CHARGEBACK 2 days plus an exponential delay
 * with mean 10 days (capped at 60 days) after the payment, median about 9 days, as card networks
 * report them days to weeks later. Ordinary refunds come 1 to 21 days after the payment, full or
 * partial. A payment gets at most one refund or chargeback, so refunds never exceed the amount.
 *
 * <p>Ids: {@code u<n>} users, {@code m<n>} merchants, {@code t<n>} terminals, {@code card_<hex>}
 * cards, {@code dev_<hex>} devices, {@code ord-<n>} and {@code pay-<n>} (an order and its payment
 * share n), {@code ref-<n>}, numbered in creation order. 85% of the users exist before the start
 * (created at midnight of day 0); the others sign up on a random day and become active the day
 * after.
 */
final class PlatformWorld implements DaySource {

  private static final long TAG_WORLD = 11;
  private static final long TAG_USER_DAY = 12;
  private static final long TAG_FRAUD = 13;
  private static final long TAG_SIGNUP = 14;
  private static final long TAG_DEVICE_MOVES = 15;

  static final String[] CATEGORIES = {
    "grocery",
    "restaurants",
    "fuel",
    "fashion",
    "electronics",
    "travel",
    "digital_goods",
    "pharmacy",
    "home"
  };
  private static final double[] CATEGORY_WEIGHT = {
    0.22, 0.18, 0.08, 0.12, 0.08, 0.05, 0.10, 0.07, 0.10
  };
  private static final double[] CATEGORY_AMOUNT = {0.8, 0.5, 1.0, 1.4, 3.0, 4.0, 0.3, 0.5, 1.6};
  private static final int ELECTRONICS = 4;
  private static final int FASHION = 3;
  private static final int DIGITAL_GOODS = 6;
  private static final String[] EMAIL_DOMAINS = {
    "gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "web.de", "orange.fr"
  };

  static final double DECLINE_RATE = 0.02;
  static final double REFUND_RATE = 0.03;
  static final double NEW_USER_SHARE = 0.15;

  /** Chance per user and day that one of the user's devices is seen from a new IP. */
  static final double NEW_IP_RATE = 0.01;

  private static final double CARD_TEST_DECLINE = 0.4;

  /** exp(−mean) of the Poisson draws made per session and per user-day, computed once. */
  private static final double EXP_MINUS_EXTRA_ITEMS = StrictMath.exp(-0.8);

  private static final double EXP_MINUS_FIXES = StrictMath.exp(-1.0);

  /** A device a user owns: the id, what it is, and the IP it connects from. */
  private record Device(String id, DeviceType type, String os, String ip) {}

  /** A card compromised for a window of days, used by a fraudster from one place. */
  private record CardWindow(int user, int card, int lastDay, String ip, String country) {}

  private final long seed;
  private final int days;
  private final long startEpochDay;
  private final double fraudRate;
  private final double[] scenarioShare = new double[FraudScenario.values().length];
  private final Tally tally;

  // Users.
  private final int users;
  private final String[] userIds;
  private final int[] userCity;
  private final double[] homeLat;
  private final double[] homeLon;
  private final int[] signupDay;
  private final int[] signupSecond;
  private final long[] accountCreatedAt;
  private final String[] emailDomain;
  private final boolean[] kyc;
  private final double[] rate;
  private final double[] meanCents;
  private final double[] posShare;
  private final Device[][] devices;
  private final Device[] mobile;
  private final String[][] cards;
  private final double meanPosShare;

  // Merchants and terminals.
  private final String[] merchantIds;
  private final int[] merchantCategory;
  private final int[] merchantCity;
  private final int[][] merchantsByCountry;
  private final int[][] merchantsByCategory;
  private final String[] terminalIds;
  private final int[] terminalMerchant;
  private final Double[] terminalLat;
  private final Double[] terminalLon;
  private final int[][] terminalsByCity;
  private final int[][] farCities;
  private final int[] cityCountry;
  private final String[] countries;

  // Fraud state that spans days; bounded by the open windows.
  private final int[] terminalCompromisedUntil;
  private final List<CardWindow> cardWindows = new ArrayList<>();
  private final BitSet cardsHitToday = new BitSet();

  private long sales;
  private long refunds;
  private final Sale sale = new Sale();

  PlatformWorld(GeneratorConfig config, Tally tally) {
    this.seed = config.seed();
    this.days = config.days();
    this.startEpochDay = config.startDate().toEpochDay();
    this.fraudRate = config.fraudRate();
    this.tally = tally;
    double total = 0;
    for (Map.Entry<FraudScenario, Double> e : config.scenarioWeights().entrySet()) {
      total += e.getValue();
    }
    for (Map.Entry<FraudScenario, Double> e : config.scenarioWeights().entrySet()) {
      scenarioShare[e.getKey().ordinal()] = total > 0 ? e.getValue() / total : 0;
    }

    List<String> countryList = new ArrayList<>();
    cityCountry = new int[Cities.HOMES.length];
    for (int i = 0; i < Cities.HOMES.length; i++) {
      String c = Cities.HOMES[i].country();
      if (!countryList.contains(c)) {
        countryList.add(c);
      }
      cityCountry[i] = countryList.indexOf(c);
    }
    countries = countryList.toArray(new String[0]);

    SplittableRandom r = Seeds.random(seed, TAG_WORLD, 0, 0);
    long startMillis = config.startDate().toEpochDay() * Timeline.DAY_MS;

    // Users.
    users = config.users();
    userIds = new String[users];
    userCity = new int[users];
    homeLat = new double[users];
    homeLon = new double[users];
    signupDay = new int[users];
    signupSecond = new int[users];
    accountCreatedAt = new long[users];
    emailDomain = new String[users];
    kyc = new boolean[users];
    rate = new double[users];
    meanCents = new double[users];
    posShare = new double[users];
    devices = new Device[users][];
    mobile = new Device[users];
    cards = new String[users][];
    double rateSum = 0;
    double posWeighted = 0;
    for (int u = 0; u < users; u++) {
      userIds[u] = "u" + u;
      int city = Cities.drawHome(r);
      userCity[u] = city;
      homeLat[u] = Cities.HOMES[city].lat() + (r.nextDouble() - 0.5) * 0.3;
      homeLon[u] = Cities.HOMES[city].lon() + (r.nextDouble() - 0.5) * 0.3;
      if (r.nextDouble() < NEW_USER_SHARE) {
        signupDay[u] = r.nextInt(days);
        signupSecond[u] = r.nextInt(72_000);
        accountCreatedAt[u] =
            startMillis + signupDay[u] * Timeline.DAY_MS + signupSecond[u] * 1000L;
      } else {
        signupDay[u] = -1;
        accountCreatedAt[u] = startMillis - (30L + r.nextInt(2000)) * Timeline.DAY_MS;
      }
      emailDomain[u] = EMAIL_DOMAINS[r.nextInt(EMAIL_DOMAINS.length)];
      kyc[u] = r.nextDouble() < 0.9;
      rate[u] = 0.1 + r.nextDouble() * 2.4;
      meanCents[u] = 100 * StrictMath.exp(StrictMath.log(40) + 0.7 * r.nextGaussian());
      posShare[u] = 0.2 + r.nextDouble() * 0.6;
      rateSum += rate[u];
      posWeighted += rate[u] * posShare[u];
      int nDevices = r.nextDouble() < 0.7 ? 1 : 2;
      devices[u] = new Device[nDevices];
      for (int d = 0; d < nDevices; d++) {
        double kind = r.nextDouble();
        DeviceType type =
            kind < 0.6 ? DeviceType.MOBILE : kind < 0.9 ? DeviceType.DESKTOP : DeviceType.TABLET;
        String os =
            type == DeviceType.DESKTOP
                ? (r.nextDouble() < 0.7 ? "windows" : "macos")
                : (r.nextDouble() < 0.55 ? "android" : "ios");
        devices[u][d] =
            new Device(
                "dev_" + Long.toHexString(r.nextLong()),
                type,
                os,
                Cities.ip(Cities.HOMES[city], r));
        if (type == DeviceType.MOBILE && mobile[u] == null) {
          mobile[u] = devices[u][d];
        }
      }
      int nCards = r.nextDouble() < 0.7 ? 1 : 2;
      cards[u] = new String[nCards];
      for (int c = 0; c < nCards; c++) {
        cards[u][c] = "card_" + Long.toHexString(r.nextLong());
      }
    }
    meanPosShare = rateSum > 0 ? posWeighted / rateSum : 0.5;

    // Merchants.
    int nMerchants = config.merchants();
    merchantIds = new String[nMerchants];
    merchantCategory = new int[nMerchants];
    merchantCity = new int[nMerchants];
    int[] perCountry = new int[countries.length];
    int[] perCategory = new int[CATEGORIES.length];
    for (int m = 0; m < nMerchants; m++) {
      merchantIds[m] = "m" + m;
      merchantCategory[m] = drawWeighted(r, CATEGORY_WEIGHT);
      merchantCity[m] = Cities.drawHome(r);
      perCountry[cityCountry[merchantCity[m]]]++;
      perCategory[merchantCategory[m]]++;
    }
    merchantsByCountry = new int[countries.length][];
    for (int c = 0; c < countries.length; c++) {
      merchantsByCountry[c] = new int[perCountry[c]];
      perCountry[c] = 0;
    }
    merchantsByCategory = new int[CATEGORIES.length][];
    for (int c = 0; c < CATEGORIES.length; c++) {
      merchantsByCategory[c] = new int[perCategory[c]];
      perCategory[c] = 0;
    }
    for (int m = 0; m < nMerchants; m++) {
      int country = cityCountry[merchantCity[m]];
      merchantsByCountry[country][perCountry[country]++] = m;
      merchantsByCategory[merchantCategory[m]][perCategory[merchantCategory[m]]++] = m;
    }

    // Terminals, at merchants that sell in person where there are any.
    int nTerminals = config.terminals();
    terminalIds = new String[nTerminals];
    terminalMerchant = new int[nTerminals];
    terminalLat = new Double[nTerminals];
    terminalLon = new Double[nTerminals];
    int[] physical = physicalMerchants(nMerchants);
    int[] perCity = new int[Cities.HOMES.length];
    for (int t = 0; t < nTerminals; t++) {
      terminalIds[t] = "t" + t;
      int m = physical[r.nextInt(physical.length)];
      terminalMerchant[t] = m;
      Cities.City city = Cities.HOMES[merchantCity[m]];
      terminalLat[t] = city.lat() + (r.nextDouble() - 0.5) * 0.2;
      terminalLon[t] = city.lon() + (r.nextDouble() - 0.5) * 0.2;
      perCity[merchantCity[m]]++;
    }
    terminalsByCity = new int[Cities.HOMES.length][];
    for (int c = 0; c < Cities.HOMES.length; c++) {
      terminalsByCity[c] = new int[perCity[c]];
      perCity[c] = 0;
    }
    for (int t = 0; t < nTerminals; t++) {
      int c = merchantCity[terminalMerchant[t]];
      terminalsByCity[c][perCity[c]++] = t;
    }
    farCities = new int[Cities.HOMES.length][];
    for (int a = 0; a < Cities.HOMES.length; a++) {
      int[] far = new int[Cities.HOMES.length];
      int n = 0;
      for (int b = 0; b < Cities.HOMES.length; b++) {
        Cities.City x = Cities.HOMES[a];
        Cities.City y = Cities.HOMES[b];
        if (terminalsByCity[b].length > 0
            && Cities.distanceKm(x.lat(), x.lon(), y.lat(), y.lon()) > 2000) {
          far[n++] = b;
        }
      }
      farCities[a] = Arrays.copyOf(far, n);
    }
    terminalCompromisedUntil = new int[nTerminals];
    Arrays.fill(terminalCompromisedUntil, -1);
  }

  private int[] physicalMerchants(int nMerchants) {
    int n = 0;
    int[] out = new int[nMerchants];
    for (int m = 0; m < nMerchants; m++) {
      if (merchantCategory[m] != DIGITAL_GOODS) {
        out[n++] = m;
      }
    }
    if (n == 0) {
      // A world of only online merchants still needs somewhere to put its terminals.
      for (int m = 0; m < nMerchants; m++) {
        out[n++] = m;
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static int drawWeighted(SplittableRandom r, double[] weights) {
    double u = r.nextDouble();
    for (int i = 0; i < weights.length - 1; i++) {
      u -= weights[i];
      if (u < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  @Override
  public double meanTerminalsPerCustomer() {
    return Double.NaN;
  }

  /** First day the user may transact: day 0 for existing users, the day after a signup. */
  private int activeFrom(int u) {
    return signupDay[u] < 0 ? 0 : signupDay[u] + 1;
  }

  /** More shopping at weekends. */
  private double weekendFactor(int day) {
    LocalDate date = LocalDate.ofEpochDay(startEpochDay + day);
    int dow = date.getDayOfWeek().getValue();
    return dow >= 6 ? 1.2 : 1.0;
  }

  @Override
  public void generateDay(int day, Timeline tl) {
    long dayStart = tl.dayStart(day);
    double wf = weekendFactor(day);
    createAccounts(day, tl, dayStart);
    double expectedPayments = 0;
    for (int u = 0; u < users; u++) {
      if (activeFrom(u) <= day) {
        expectedPayments += rate[u] * wf;
      }
    }
    moveDevices(day, tl, dayStart);
    SplittableRandom fr = Seeds.random(seed, TAG_FRAUD, day, 0);
    startIncidents(day, tl, dayStart, fr, expectedPayments);
    useCompromisedCards(day, tl, dayStart, fr);
    for (int u = 0; u < users; u++) {
      if (activeFrom(u) <= day) {
        userDay(u, day, tl, dayStart, wf);
      }
    }
    tally.compromisedCardsOn(day, cardsHitToday.cardinality());
    cardsHitToday.clear();
  }

  private void createAccounts(int day, Timeline tl, long dayStart) {
    for (int u = 0; u < users; u++) {
      long at;
      if (signupDay[u] == day) {
        at = dayStart + signupSecond[u] * 1000L;
      } else if (day == 0 && signupDay[u] < 0) {
        at = dayStart;
      } else {
        continue;
      }
      Cities.City city = Cities.HOMES[userCity[u]];
      UserEvent created =
          new UserEvent(
              tl.newEventId(),
              Instant.ofEpochMilli(at),
              userIds[u],
              UserEventType.CREATED,
              Instant.ofEpochMilli(accountCreatedAt[u]),
              city.country(),
              homeLat[u],
              homeLon[u],
              emailDomain[u],
              kyc[u],
              city.currency());
      tl.add(Topics.USERS, userIds[u], created, at);
      tally.user();
      SplittableRandom r = Seeds.random(seed, TAG_SIGNUP, u, 0);
      long deviceAt = at + 1000;
      for (Device d : devices[u]) {
        deviceAt += 1000 + r.nextInt(20_000);
        device(tl, u, d.id(), d.type(), d.os(), d.ip(), city.country(), false, deviceAt);
      }
    }
  }

  private void device(
      Timeline tl,
      int u,
      String id,
      DeviceType type,
      String os,
      String ip,
      String country,
      boolean emulator,
      long at) {
    DeviceEvent e =
        new DeviceEvent(
            tl.newEventId(),
            Instant.ofEpochMilli(at),
            id,
            userIds[u],
            type,
            os,
            ip,
            country,
            emulator,
            true);
    tl.add(Topics.DEVICES, userIds[u], e, at);
  }

  // ---------------------------------------------------------------- genuine behaviour

  private void userDay(int u, int day, Timeline tl, long dayStart, double wf) {
    SplittableRandom r = Seeds.random(seed, TAG_USER_DAY, u, day);
    int sessions = Seeds.poisson(r, rate[u] * wf);
    for (int s = 0; s < sessions; s++) {
      int second = (int) (50_400 + 14_400 * r.nextGaussian());
      if (second < 120 || second > 84_000) {
        second = 120 + r.nextInt(84_000 - 120);
      }
      genuineSession(u, day, tl, dayStart + second * 1000L + r.nextInt(1000), r);
    }
    Device mobile = mobileDevice(u);
    if (mobile != null) {
      int fixes = Seeds.poissonSmall(r, EXP_MINUS_FIXES);
      for (int i = 0; i < fixes; i++) {
        long at = dayStart + (120 + r.nextInt(86_000)) * 1000L;
        geoFix(tl, u, mobile, homeLat[u], homeLon[u], at, r);
      }
    }
  }

  /** Before anything else happens on the day, so fraud and sessions alike use the new IPs. */
  private void moveDevices(int day, Timeline tl, long dayStart) {
    SplittableRandom r = Seeds.random(seed, TAG_DEVICE_MOVES, day, 0);
    for (int u = 0; u < users; u++) {
      if (activeFrom(u) <= day && r.nextDouble() < NEW_IP_RATE) {
        moveDevice(u, r.nextInt(devices[u].length), tl, dayStart + (60 + r.nextInt(50)) * 1000L, r);
      }
    }
  }

  /**
   * A known device shows up from a new address in the home city (a new ISP lease, another Wi-Fi),
   * reported before the day's first session (at most 110 s after midnight; sessions start at 120 s)
   * so every later use carries the new IP.
   */
  private void moveDevice(int u, int k, Timeline tl, long at, SplittableRandom r) {
    Device old = devices[u][k];
    Cities.City home = Cities.HOMES[userCity[u]];
    Device moved = new Device(old.id(), old.type(), old.os(), Cities.ip(home, r));
    devices[u][k] = moved;
    if (mobile[u] == old) {
      mobile[u] = moved;
    }
    DeviceEvent e =
        new DeviceEvent(
            tl.newEventId(),
            Instant.ofEpochMilli(at),
            moved.id(),
            userIds[u],
            moved.type(),
            moved.os(),
            moved.ip(),
            home.country(),
            false,
            false);
    tl.add(Topics.DEVICES, userIds[u], e, at);
  }

  /** The user's first mobile device, which reports location fixes, or {@code null}. */
  private Device mobileDevice(int u) {
    return mobile[u];
  }

  private void genuineSession(int u, int day, Timeline tl, long at, SplittableRandom r) {
    Sale s = sale.reset(u, r.nextInt(cards[u].length));
    Cities.City home = Cities.HOMES[userCity[u]];
    boolean pos = r.nextDouble() < posShare[u];
    if (pos) {
      atTerminal(s, homeTerminal(u, r));
    } else {
      Device d = devices[u][r.nextInt(devices[u].length)];
      s.merchant = onlineMerchant(u, r);
      s.channel = d.type() == DeviceType.DESKTOP ? Channel.WEB : Channel.MOBILE_APP;
      s.method =
          s.channel == Channel.MOBILE_APP && r.nextDouble() < 0.5
              ? PaymentMethod.WALLET
              : PaymentMethod.CARD_NOT_PRESENT;
      s.deviceId = d.id();
      s.ip = d.ip();
      s.country = home.country();
      s.currency = home.currency();
      s.shipping = home.country();
      if (s.channel == Channel.MOBILE_APP) {
        geoFix(tl, u, d, homeLat[u], homeLon[u], at - 1000 - r.nextInt(29_000), r);
      }
    }
    double amount =
        meanCents[u]
            * CATEGORY_AMOUNT[merchantCategory[s.merchant]]
            * StrictMath.exp(0.5 * r.nextGaussian());
    s.cents = Math.max(50, Math.round(amount));
    s.items = 1 + Seeds.poissonSmall(r, EXP_MINUS_EXTRA_ITEMS);
    s.orderTime = at;
    s.payTime = at + 5_000 + r.nextInt(85_000);
    if (r.nextDouble() < DECLINE_RATE) {
      s.declined = true;
      s.declineReason = "insufficient_funds";
    }
    emit(tl, s);
    if (s.declined) {
      return;
    }
    if (pos && terminalCompromisedUntil[s.terminal] >= day) {
      chargeback(tl, day, s, FraudScenario.COMPROMISED_TERMINAL, r);
    } else if (r.nextDouble() < REFUND_RATE) {
      boolean full = r.nextDouble() < 0.6;
      long cents = full ? s.cents : Math.max(1, Math.round(s.cents * (0.1 + 0.8 * r.nextDouble())));
      String reason =
          full ? (r.nextDouble() < 0.5 ? "item_returned" : "item_not_received") : "partial_return";
      long at2 = s.payTime + Timeline.DAY_MS + (long) (r.nextDouble() * 20 * Timeline.DAY_MS);
      refund(tl, s, cents, at2, RefundType.REFUND, reason, null);
    }
  }

  private void atTerminal(Sale s, int terminal) {
    Cities.City city = Cities.HOMES[merchantCity[terminalMerchant[terminal]]];
    s.terminal = terminal;
    s.merchant = terminalMerchant[terminal];
    s.channel = Channel.POS;
    s.method = PaymentMethod.CARD_PRESENT;
    s.country = city.country();
    s.currency = city.currency();
    s.lat = terminalLat[terminal];
    s.lon = terminalLon[terminal];
  }

  /** A terminal in the user's city, else any terminal (small worlds may leave a city without). */
  private int homeTerminal(int u, SplittableRandom r) {
    int[] local = terminalsByCity[userCity[u]];
    return local.length > 0 ? local[r.nextInt(local.length)] : r.nextInt(terminalIds.length);
  }

  private int onlineMerchant(int u, SplittableRandom r) {
    int[] local = merchantsByCountry[cityCountry[userCity[u]]];
    if (local.length > 0 && r.nextDouble() < 0.85) {
      return local[r.nextInt(local.length)];
    }
    return r.nextInt(merchantIds.length);
  }

  private int merchantOf(int category, SplittableRandom r) {
    int[] list = merchantsByCategory[category];
    return list.length > 0 ? list[r.nextInt(list.length)] : r.nextInt(merchantIds.length);
  }

  private void geoFix(
      Timeline tl, int u, Device d, double lat, double lon, long at, SplittableRandom r) {
    double kind = r.nextDouble();
    GeoSource source = kind < 0.6 ? GeoSource.GPS : kind < 0.9 ? GeoSource.WIFI : GeoSource.IP;
    float accuracy =
        source == GeoSource.GPS
            ? 5 + 25 * (float) r.nextDouble()
            : source == GeoSource.WIFI
                ? 20 + 80 * (float) r.nextDouble()
                : 1000 + 4000 * (float) r.nextDouble();
    GeoEvent e =
        new GeoEvent(
            tl.newEventId(),
            Instant.ofEpochMilli(at),
            userIds[u],
            d.id(),
            lat + (r.nextDouble() - 0.5) * 0.02,
            lon + (r.nextDouble() - 0.5) * 0.02,
            Cities.HOMES[userCity[u]].country(),
            d.ip(),
            accuracy,
            source);
    tl.add(Topics.GEO_EVENTS, userIds[u], e, at);
  }

  // ---------------------------------------------------------------- fraud

  /** Labelled payments one incident of each scenario yields on average (see the class doc). */
  private double expectedLabels(FraudScenario s, double expectedPayments) {
    switch (s) {
      case CARD_TESTING:
        return 12.5 * (1 - CARD_TEST_DECLINE);
      case ACCOUNT_TAKEOVER:
        return 2;
      case IMPOSSIBLE_TRAVEL:
        return 1.5;
      case COMPROMISED_TERMINAL:
        return Math.max(
            0.01, 4.5 * expectedPayments * meanPosShare * (1 - DECLINE_RATE) / terminalIds.length);
      case COMPROMISED_CUSTOMER:
        return 4.5 * 1.5;
      case REFUND_ABUSE:
        return 3;
      case HIGH_AMOUNT:
      default:
        return 1;
    }
  }

  private void startIncidents(
      int day, Timeline tl, long dayStart, SplittableRandom r, double expectedPayments) {
    for (FraudScenario s : FraudScenario.values()) {
      double share = scenarioShare[s.ordinal()];
      if (share <= 0 || fraudRate <= 0) {
        continue;
      }
      double mean = fraudRate * expectedPayments * share / expectedLabels(s, expectedPayments);
      int incidents = Seeds.poisson(r, mean);
      for (int i = 0; i < incidents; i++) {
        int victim = activeUser(r, day);
        if (victim < 0) {
          return;
        }
        switch (s) {
          case CARD_TESTING:
            cardTesting(victim, day, tl, dayStart, r);
            break;
          case ACCOUNT_TAKEOVER:
            accountTakeover(victim, day, tl, dayStart, r);
            break;
          case IMPOSSIBLE_TRAVEL:
            impossibleTravel(victim, day, tl, dayStart, r);
            break;
          case COMPROMISED_TERMINAL:
            compromiseTerminal(day, r);
            break;
          case COMPROMISED_CUSTOMER:
            compromiseCard(victim, day, r);
            break;
          case REFUND_ABUSE:
            refundAbuse(victim, day, tl, dayStart, r);
            break;
          case HIGH_AMOUNT:
          default:
            highAmount(victim, day, tl, dayStart, r);
            break;
        }
      }
    }
  }

  /**
   * A skimmer on a random terminal for 2 to 7 days from today; genuine payments there are fraud.
   */
  private void compromiseTerminal(int day, SplittableRandom r) {
    int t = r.nextInt(terminalIds.length);
    terminalCompromisedUntil[t] = Math.max(terminalCompromisedUntil[t], day + 1 + r.nextInt(6));
  }

  /** A stolen card, used from one place for 2 to 7 days from today; see useCompromisedCards. */
  private void compromiseCard(int victim, int day, SplittableRandom r) {
    Cities.City from = origin(r);
    int card = r.nextInt(cards[victim].length);
    int lastDay = day + 1 + r.nextInt(6);
    cardWindows.add(new CardWindow(victim, card, lastDay, Cities.ip(from, r), from.country()));
  }

  private int activeUser(SplittableRandom r, int day) {
    for (int attempt = 0; attempt < 50; attempt++) {
      int u = r.nextInt(users);
      if (activeFrom(u) <= day) {
        return u;
      }
    }
    return -1;
  }

  private static Cities.City origin(SplittableRandom r) {
    return Cities.FRAUD_ORIGINS[r.nextInt(Cities.FRAUD_ORIGINS.length)];
  }

  /** Online payment fields for a fraudster connecting from {@code from}. */
  private void remote(Sale s, Cities.City from, String ip, int merchant) {
    s.merchant = merchant;
    s.channel = Channel.WEB;
    s.method = PaymentMethod.CARD_NOT_PRESENT;
    s.ip = ip;
    s.country = from.country();
    s.currency = Cities.HOMES[userCity[s.user]].currency();
  }

  private void cardTesting(int u, int day, Timeline tl, long dayStart, SplittableRandom r) {
    int card = r.nextInt(cards[u].length);
    int merchant = merchantOf(DIGITAL_GOODS, r);
    Cities.City from = origin(r);
    String ip = Cities.ip(from, r);
    long at = dayStart + (600 + r.nextInt(80_000)) * 1000L;
    int attempts = 5 + r.nextInt(16);
    for (int i = 0; i < attempts; i++) {
      Sale s = sale.reset(u, card);
      remote(s, from, ip, merchant);
      s.cents = 100 + r.nextInt(900);
      s.orderTime = at;
      s.payTime = at + 1000 + r.nextInt(2000);
      if (r.nextDouble() < CARD_TEST_DECLINE) {
        s.declined = true;
        s.declineReason = r.nextDouble() < 0.5 ? "do_not_honor" : "invalid_cvv";
      }
      emit(tl, s);
      if (!s.declined) {
        chargeback(tl, day, s, FraudScenario.CARD_TESTING, r);
      }
      at = s.payTime + 3000 + r.nextInt(37_000);
    }
  }

  private void accountTakeover(int u, int day, Timeline tl, long dayStart, SplittableRandom r) {
    Cities.City from = origin(r);
    String ip = Cities.ip(from, r);
    String deviceId = "dev_" + Long.toHexString(r.nextLong());
    long at = dayStart + (60 + r.nextInt(75_000)) * 1000L;
    device(
        tl,
        u,
        deviceId,
        DeviceType.DESKTOP,
        "windows",
        ip,
        from.country(),
        r.nextDouble() < 0.3,
        at);
    int n = 1 + r.nextInt(3);
    int card = r.nextInt(cards[u].length);
    for (int i = 0; i < n; i++) {
      at += (120 + r.nextInt(3480)) * 1000L;
      Sale s = sale.reset(u, card);
      remote(s, from, ip, merchantOf(ELECTRONICS, r));
      s.deviceId = deviceId;
      s.shipping = from.country();
      s.cents = Math.round(meanCents[u] * (5 + 10 * r.nextDouble()));
      s.orderTime = at;
      s.payTime = at + 10_000 + r.nextInt(50_000);
      emit(tl, s);
      chargeback(tl, day, s, FraudScenario.ACCOUNT_TAKEOVER, r);
    }
  }

  private void impossibleTravel(int u, int day, Timeline tl, long dayStart, SplittableRandom r) {
    int[] far = farCities[userCity[u]];
    if (far.length == 0) {
      return;
    }
    long at = dayStart + (21_600 + r.nextInt(43_200)) * 1000L;
    Device mobile = mobileDevice(u);
    // Where the customer really is: a location fix, or a genuine purchase, at home.
    if (mobile != null) {
      geoFix(tl, u, mobile, homeLat[u], homeLon[u], at, r);
    } else if (terminalsByCity[userCity[u]].length > 0) {
      Sale s = sale.reset(u, r.nextInt(cards[u].length));
      atTerminal(s, homeTerminal(u, r));
      s.cents = Math.max(50, Math.round(meanCents[u] * StrictMath.exp(0.5 * r.nextGaussian())));
      s.orderTime = at;
      s.payTime = at + 20_000;
      emit(tl, s);
    }
    int city = far[r.nextInt(far.length)];
    int[] there = terminalsByCity[city];
    int card = r.nextInt(cards[u].length);
    int n = 1 + r.nextInt(2);
    at += (1800 + r.nextInt(5400)) * 1000L;
    for (int i = 0; i < n; i++) {
      Sale s = sale.reset(u, card);
      atTerminal(s, there[r.nextInt(there.length)]);
      s.cents = Math.round(meanCents[u] * (1 + 3 * r.nextDouble()));
      s.orderTime = at;
      s.payTime = at + 15_000 + r.nextInt(60_000);
      emit(tl, s);
      chargeback(tl, day, s, FraudScenario.IMPOSSIBLE_TRAVEL, r);
      at = s.payTime + (300 + r.nextInt(1500)) * 1000L;
    }
  }

  private void useCompromisedCards(int day, Timeline tl, long dayStart, SplittableRandom r) {
    for (Iterator<CardWindow> it = cardWindows.iterator(); it.hasNext(); ) {
      CardWindow w = it.next();
      int n = 1 + r.nextInt(2);
      for (int i = 0; i < n; i++) {
        long at = dayStart + (300 + r.nextInt(85_000)) * 1000L;
        Sale s = sale.reset(w.user(), w.card());
        s.merchant = r.nextInt(merchantIds.length);
        s.channel = Channel.WEB;
        s.method = PaymentMethod.CARD_NOT_PRESENT;
        s.ip = w.ip();
        s.country = w.country();
        s.currency = Cities.HOMES[userCity[w.user()]].currency();
        s.cents = Math.round(meanCents[w.user()] * (2 + 4 * r.nextDouble()));
        s.orderTime = at;
        s.payTime = at + 5_000 + r.nextInt(60_000);
        emit(tl, s);
        chargeback(tl, day, s, FraudScenario.COMPROMISED_CUSTOMER, r);
      }
      if (w.lastDay() <= day) {
        it.remove();
      }
    }
  }

  private void refundAbuse(int u, int day, Timeline tl, long dayStart, SplittableRandom r) {
    Device d = devices[u][0];
    Cities.City home = Cities.HOMES[userCity[u]];
    long at = dayStart + (28_800 + r.nextInt(28_800)) * 1000L;
    int n = 2 + r.nextInt(3);
    for (int i = 0; i < n; i++) {
      Sale s = sale.reset(u, r.nextInt(cards[u].length));
      s.merchant = merchantOf(r.nextDouble() < 0.5 ? FASHION : ELECTRONICS, r);
      s.channel = d.type() == DeviceType.DESKTOP ? Channel.WEB : Channel.MOBILE_APP;
      s.method = PaymentMethod.CARD_NOT_PRESENT;
      s.deviceId = d.id();
      s.ip = d.ip();
      s.country = home.country();
      s.currency = home.currency();
      s.shipping = home.country();
      s.cents = Math.round(meanCents[u] * (1.5 + 2.5 * r.nextDouble()));
      s.orderTime = at;
      s.payTime = at + 10_000 + r.nextInt(50_000);
      emit(tl, s);
      label(day, s, FraudScenario.REFUND_ABUSE);
      long refundAt =
          s.payTime + 2 * Timeline.DAY_MS + (long) (r.nextDouble() * 8 * Timeline.DAY_MS);
      refund(
          tl,
          s,
          s.cents,
          refundAt,
          RefundType.REFUND,
          "item_not_received",
          FraudScenario.REFUND_ABUSE.label());
      at = s.payTime + (600 + r.nextInt(6600)) * 1000L;
    }
  }

  private void highAmount(int u, int day, Timeline tl, long dayStart, SplittableRandom r) {
    Cities.City from = origin(r);
    Sale s = sale.reset(u, r.nextInt(cards[u].length));
    remote(s, from, Cities.ip(from, r), merchantOf(ELECTRONICS, r));
    s.cents = Math.max(50_000, Math.round(meanCents[u] * (20 + 40 * r.nextDouble())));
    s.orderTime = dayStart + (60 + r.nextInt(86_000)) * 1000L;
    s.payTime = s.orderTime + 10_000 + r.nextInt(50_000);
    emit(tl, s);
    chargeback(tl, day, s, FraudScenario.HIGH_AMOUNT, r);
  }

  // ---------------------------------------------------------------- events

  /** Writes the order and its payment; the sale's ids are set for refunds that follow. */
  private void emit(Timeline tl, Sale s) {
    String user = userIds[s.user];
    String merchant = merchantIds[s.merchant];
    String category = CATEGORIES[merchantCategory[s.merchant]];
    String merchantCountry = countries[cityCountry[merchantCity[s.merchant]]];
    // An order and its payment share the number: one conversion, and ids that pair visibly.
    String number = Long.toString(sales++);
    s.orderId = "ord-" + number;
    s.paymentId = "pay-" + number;
    OrderEvent order =
        new OrderEvent(
            tl.newEventId(),
            Instant.ofEpochMilli(s.orderTime),
            s.orderId,
            user,
            merchant,
            category,
            merchantCountry,
            s.channel,
            s.deviceId,
            s.ip,
            s.cents,
            s.currency,
            s.items,
            s.shipping);
    tl.add(Topics.ORDERS, user, order, s.orderTime);
    PaymentEvent payment =
        new PaymentEvent(
            tl.newEventId(),
            Instant.ofEpochMilli(s.payTime),
            s.paymentId,
            s.orderId,
            user,
            cards[s.user][s.card],
            merchant,
            category,
            merchantCountry,
            s.terminal < 0 ? null : terminalIds[s.terminal],
            s.deviceId,
            s.ip,
            s.country,
            s.lat,
            s.lon,
            s.cents,
            s.currency,
            s.method,
            s.declined ? PaymentStatus.DECLINED : PaymentStatus.AUTHORIZED,
            s.declineReason);
    tl.add(Topics.PAYMENTS, user, payment, s.payTime);
    tally.payment(s.declined);
  }

  private void label(int day, Sale s, FraudScenario scenario) {
    int card = s.user * 2 + s.card;
    tally.fraud(scenario, day, card);
    cardsHitToday.set(card);
  }

  private void chargeback(
      Timeline tl, int day, Sale s, FraudScenario scenario, SplittableRandom r) {
    label(day, s, scenario);
    double extraDays = Math.min(58.0, -10.0 * StrictMath.log(1.0 - r.nextDouble()));
    long at = s.payTime + (long) ((2.0 + extraDays) * Timeline.DAY_MS);
    String reason =
        s.method == PaymentMethod.CARD_PRESENT ? "fraud_card_present" : "fraud_card_not_present";
    refund(tl, s, s.cents, at, RefundType.CHARGEBACK, reason, scenario.label());
  }

  private void refund(
      Timeline tl,
      Sale s,
      long cents,
      long at,
      RefundType type,
      String reason,
      String scenarioLabel) {
    String user = userIds[s.user];
    RefundEvent e =
        new RefundEvent(
            tl.newEventId(),
            Instant.ofEpochMilli(at),
            "ref-" + refunds++,
            s.paymentId,
            s.orderId,
            user,
            merchantIds[s.merchant],
            cents,
            s.currency,
            type,
            reason,
            scenarioLabel);
    tl.add(Topics.REFUNDS, user, e, at);
  }

  /** The fields of one order and its payment, reused so a session allocates only its events. */
  private static final class Sale {
    int user;
    int card;
    int merchant;
    int terminal;
    Channel channel;
    PaymentMethod method;
    String deviceId;
    String ip;
    String country;
    String currency;
    String shipping;
    Double lat;
    Double lon;
    long cents;
    int items;
    long orderTime;
    long payTime;
    boolean declined;
    String declineReason;
    String orderId;
    String paymentId;

    Sale reset(int user, int card) {
      this.user = user;
      this.card = card;
      merchant = 0;
      terminal = -1;
      channel = Channel.WEB;
      method = PaymentMethod.CARD_NOT_PRESENT;
      deviceId = null;
      ip = null;
      country = null;
      currency = null;
      shipping = null;
      lat = null;
      lon = null;
      cents = 0;
      items = 1;
      orderTime = 0;
      payTime = 0;
      declined = false;
      declineReason = null;
      orderId = null;
      paymentId = null;
      return this;
    }
  }
}
