package dev.frip.core.internal.generator;

import dev.frip.core.FraudScenario;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.Topics;
import dev.frip.core.events.Channel;
import dev.frip.core.events.OrderEvent;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentMethod;
import dev.frip.core.events.PaymentStatus;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import dev.frip.core.events.UserEvent;
import dev.frip.core.events.UserEventType;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Fraud Detection Handbook's simulator (see {@code HANDBOOK.md}), streamed day by day.
 *
 * <p>Rules kept exactly: customers and terminals uniform on a 100×100 grid; mean amount U(5, 100),
 * std = mean/2, rate U(0, 4); per day a Poisson count, time of day N(43200, 20000) truncated and
 * dropped unless 0 &lt; t &lt; 86400, amount N(mean, std) with a negative draw replaced by U(0,
 * 2·mean), rounded to cents, terminal uniform among those at distance strictly below 5. S1: amount
 * above 220. S2: on each start day 0..days−2 two terminals, all their transactions for 28 days. S3:
 * on each start day three customers, floor(n/3) of their pooled transactions over 14 days ×5.
 * Overwrite order S1 → S2 → S3. The random streams are FRIP's own (not numpy's), so the numbers
 * match the book statistically.
 *
 * <p>Streaming S3 needs a compromised customer's next 14 days before they are emitted: the
 * transactions of a (customer, day) come from a random stream seeded by that pair, so they are
 * drawn again on the S3 start day, the picks are remembered until their day, and memory stays
 * bounded by the open windows.
 *
 * <p>Mapping to events, with {@code C} the customer id, {@code T} the terminal id, {@code D} the
 * day and {@code I} the transaction's index among the customer's transactions of that day:
 *
 * <ul>
 *   <li>{@code user_id} = {@code c<C>}, {@code card_id} = {@code card-c<C>} (one card per customer,
 *       so compromised cards are compromised customers), {@code terminal_id} = {@code t<T>}, {@code
 *       merchant_id} = {@code m<T>} (each terminal its own merchant, category {@code
 *       general_retail});
 *   <li>{@code order_id} / {@code payment_id} / {@code refund_id} = {@code o-}/{@code p-}/{@code
 *       cb-} followed by {@code <C>-<D>-<I>};
 *   <li>grid (x, y) to degrees: {@code lat = 50 + y/100}, {@code lon = 4 + x/100}, a square of one
 *       degree near Brussels; country BE, currency EUR, card-present at a POS;
 *   <li>a customer's {@code UserEvent CREATED} at midnight of day 0, before every transaction;
 *   <li>payment {@code event_time} = {@code TX_DATETIME} read as UTC; the order 1 to 60 seconds
 *       before it (never before midnight of its day);
 *   <li>a fraud gets a CHARGEBACK of the full (final) amount uniformly between 1 and 7 days after
 *       the payment, so every label of day D is known before day D+8, as the book's 7-day delay
 *       protocol assumes.
 * </ul>
 */
final class HandbookWorld implements DaySource {

  static final double RADIUS = 5.0;
  static final int GRID = 100;
  static final int S2_TERMINALS = 2;
  static final int S2_DAYS = 28;
  static final int S3_CUSTOMERS = 3;
  static final int S3_DAYS = 14;
  static final long S1_THRESHOLD_CENTS = 22_000;

  private static final long TAG_CUSTOMERS = 1;
  private static final long TAG_TERMINALS = 2;
  private static final long TAG_TX = 3;
  private static final long TAG_AUX = 4;
  private static final long TAG_S2 = 5;
  private static final long TAG_S3 = 6;
  private static final long TAG_S3_PICK = 7;

  private static final String CATEGORY = "general_retail";
  private static final String COUNTRY = "BE";
  private static final String CURRENCY = "EUR";
  private static final String CHARGEBACK_REASON = "fraud_card_present";

  private final long seed;
  private final int days;
  private final int customers;
  private final int terminals;
  private final boolean s1;
  private final boolean s2;
  private final boolean s3;
  private final Tally tally;

  private final double[] meanAmount;
  private final double[] stdAmount;
  private final double[] expMinusRate;
  private final int[][] available;
  private final double[] customerX;
  private final double[] customerY;
  private final double[] terminalX;
  private final double[] terminalY;
  private final String[] userIds;
  private final String[] cardIds;
  private final String[] terminalIds;
  private final String[] merchantIds;
  private final Double[] terminalLat;
  private final Double[] terminalLon;
  private final double meanTerminals;

  private final boolean[] compromisedTerminal;
  private final int[] compromisedToday;

  /** S3 picks by (customer, day): how many times each transaction index was picked (×5 each). */
  private final Map<Long, int[]> s3Picks = new HashMap<>();

  private final DayDraw draw = new DayDraw();

  HandbookWorld(GeneratorConfig config, Tally tally) {
    this.seed = config.seed();
    this.days = config.days();
    this.customers = config.users();
    this.terminals = config.terminals();
    this.tally = tally;
    this.s1 = config.scenarios().contains(FraudScenario.HIGH_AMOUNT);
    this.s2 = config.scenarios().contains(FraudScenario.COMPROMISED_TERMINAL);
    this.s3 = config.scenarios().contains(FraudScenario.COMPROMISED_CUSTOMER);

    // Customers first, drawn in the book's order per customer: x, y, mean amount, rate.
    customerX = new double[customers];
    customerY = new double[customers];
    meanAmount = new double[customers];
    stdAmount = new double[customers];
    expMinusRate = new double[customers];
    userIds = new String[customers];
    cardIds = new String[customers];
    SplittableRandom rc = Seeds.random(seed, TAG_CUSTOMERS, 0, 0);
    for (int c = 0; c < customers; c++) {
      customerX[c] = rc.nextDouble() * GRID;
      customerY[c] = rc.nextDouble() * GRID;
      meanAmount[c] = 5 + rc.nextDouble() * 95;
      stdAmount[c] = meanAmount[c] / 2;
      expMinusRate[c] = StrictMath.exp(-rc.nextDouble() * 4);
      userIds[c] = "c" + c;
      cardIds[c] = "card-c" + c;
    }
    double[] tx = new double[terminals];
    double[] ty = new double[terminals];
    terminalX = tx;
    terminalY = ty;
    terminalIds = new String[terminals];
    merchantIds = new String[terminals];
    terminalLat = new Double[terminals];
    terminalLon = new Double[terminals];
    SplittableRandom rt = Seeds.random(seed, TAG_TERMINALS, 0, 0);
    for (int t = 0; t < terminals; t++) {
      tx[t] = rt.nextDouble() * GRID;
      ty[t] = rt.nextDouble() * GRID;
      terminalIds[t] = "t" + t;
      merchantIds[t] = "m" + t;
      terminalLat[t] = latitude(ty[t]);
      terminalLon[t] = longitude(tx[t]);
    }
    available = terminalsInReach(customerX, customerY, tx, ty);
    long links = 0;
    for (int[] a : available) {
      links += a.length;
    }
    meanTerminals = customers == 0 ? 0 : (double) links / customers;
    compromisedTerminal = new boolean[terminals];
    compromisedToday = new int[S2_TERMINALS * S2_DAYS];
  }

  static double latitude(double gridY) {
    return 50.0 + gridY / 100.0;
  }

  static double longitude(double gridX) {
    return 4.0 + gridX / 100.0;
  }

  /**
   * Every customer's terminals at Euclidean distance strictly below the radius, in id order.
   * Buckets of the radius' size mean only the 3×3 neighbouring cells are examined.
   */
  private static int[][] terminalsInReach(double[] cx, double[] cy, double[] tx, double[] ty) {
    int cells = (int) Math.ceil(GRID / RADIUS);
    int[] counts = new int[cells * cells + 1];
    for (int t = 0; t < tx.length; t++) {
      counts[cell(tx[t], cells) * cells + cell(ty[t], cells) + 1]++;
    }
    for (int i = 1; i < counts.length; i++) {
      counts[i] += counts[i - 1];
    }
    int[] byCell = new int[tx.length];
    int[] fill = Arrays.copyOf(counts, counts.length);
    for (int t = 0; t < tx.length; t++) {
      byCell[fill[cell(tx[t], cells) * cells + cell(ty[t], cells)]++] = t;
    }
    int[][] out = new int[cx.length][];
    int[] found = new int[tx.length];
    double r2 = RADIUS * RADIUS;
    for (int c = 0; c < cx.length; c++) {
      int n = 0;
      int gx = cell(cx[c], cells);
      int gy = cell(cy[c], cells);
      for (int i = Math.max(0, gx - 1); i <= Math.min(cells - 1, gx + 1); i++) {
        for (int j = Math.max(0, gy - 1); j <= Math.min(cells - 1, gy + 1); j++) {
          int k = i * cells + j;
          for (int p = counts[k]; p < counts[k + 1]; p++) {
            int t = byCell[p];
            double dx = cx[c] - tx[t];
            double dy = cy[c] - ty[t];
            if (dx * dx + dy * dy < r2) {
              found[n++] = t;
            }
          }
        }
      }
      int[] a = Arrays.copyOf(found, n);
      Arrays.sort(a);
      out[c] = a;
    }
    return out;
  }

  private static int cell(double v, int cells) {
    return Math.min(cells - 1, (int) (v / RADIUS));
  }

  @Override
  public double meanTerminalsPerCustomer() {
    return meanTerminals;
  }

  /** The customer's terminals within reach (for tests). */
  int[] availableTerminals(int customer) {
    return available[customer];
  }

  /** Grid location {x, y} of a customer (for tests). */
  double[] customerLocation(int customer) {
    return new double[] {customerX[customer], customerY[customer]};
  }

  /** Grid location {x, y} of a terminal (for tests). */
  double[] terminalLocation(int terminal) {
    return new double[] {terminalX[terminal], terminalY[terminal]};
  }

  @Override
  public void generateDay(int day, Timeline tl) {
    long dayStart = tl.dayStart(day);
    if (day == 0) {
      createCustomers(tl, dayStart);
    }
    int compromised = s2 ? markCompromisedTerminals(day) : 0;
    if (s3 && day <= days - 2) {
      pickCompromisedCustomerTransactions(day);
    }
    for (int c = 0; c < customers; c++) {
      int n = drawDay(c, day, draw);
      if (n == 0) {
        continue;
      }
      int[] picks = s3 ? s3Picks.remove(key(c, day)) : null;
      SplittableRandom aux = Seeds.random(seed, TAG_AUX, c, day);
      boolean cardHit = false;
      for (int i = 0; i < n; i++) {
        long cents = draw.cents[i];
        int terminal = draw.terminal[i];
        boolean hit1 = s1 && cents > S1_THRESHOLD_CENTS;
        boolean hit2 = s2 && compromisedTerminal[terminal];
        int picked = picks == null ? 0 : picks[i];
        for (int p = 0; p < picked; p++) {
          cents *= 5;
        }
        FraudScenario label = null;
        if (picked > 0) {
          label = FraudScenario.COMPROMISED_CUSTOMER;
        } else if (hit2) {
          label = FraudScenario.COMPROMISED_TERMINAL;
        } else if (hit1) {
          label = FraudScenario.HIGH_AMOUNT;
        }
        if (hit1) {
          tally.added(FraudScenario.HIGH_AMOUNT);
        } else if (hit2) {
          tally.added(FraudScenario.COMPROMISED_TERMINAL);
        } else if (picked > 0) {
          tally.added(FraudScenario.COMPROMISED_CUSTOMER);
        }
        int second = draw.second[i];
        long payTime = dayStart + second * 1000L;
        long orderTime = payTime - 1000L * (1 + aux.nextInt(Math.min(second, 60)));
        emitTransaction(tl, c, day, i, terminal, cents, orderTime, payTime, label, aux);
        if (label != null) {
          cardHit = true;
        }
      }
      if (cardHit) {
        tally.compromisedCardsOn(day, 1);
      }
    }
    for (int i = 0; i < compromised; i++) {
      compromisedTerminal[compromisedToday[i]] = false;
    }
  }

  private void createCustomers(Timeline tl, long dayStart) {
    Instant at = Instant.ofEpochMilli(dayStart);
    for (int c = 0; c < customers; c++) {
      UserEvent u =
          new UserEvent(
              tl.newEventId(),
              at,
              userIds[c],
              UserEventType.CREATED,
              at,
              COUNTRY,
              latitude(customerY[c]),
              longitude(customerX[c]),
              null,
              true,
              CURRENCY);
      tl.add(Topics.USERS, userIds[c], u, dayStart);
      tally.user();
    }
  }

  private void emitTransaction(
      Timeline tl,
      int c,
      int day,
      int i,
      int terminal,
      long cents,
      long orderTime,
      long payTime,
      FraudScenario label,
      SplittableRandom aux) {
    String suffix = c + "-" + day + "-" + i;
    String orderId = "o-" + suffix;
    String paymentId = "p-" + suffix;
    String user = userIds[c];
    OrderEvent order =
        new OrderEvent(
            tl.newEventId(),
            Instant.ofEpochMilli(orderTime),
            orderId,
            user,
            merchantIds[terminal],
            CATEGORY,
            COUNTRY,
            Channel.POS,
            null,
            null,
            cents,
            CURRENCY,
            1,
            null);
    tl.add(Topics.ORDERS, user, order, orderTime);
    PaymentEvent payment =
        new PaymentEvent(
            tl.newEventId(),
            Instant.ofEpochMilli(payTime),
            paymentId,
            orderId,
            user,
            cardIds[c],
            merchantIds[terminal],
            CATEGORY,
            COUNTRY,
            terminalIds[terminal],
            null,
            null,
            COUNTRY,
            terminalLat[terminal],
            terminalLon[terminal],
            cents,
            CURRENCY,
            PaymentMethod.CARD_PRESENT,
            PaymentStatus.AUTHORIZED,
            null);
    tl.add(Topics.PAYMENTS, user, payment, payTime);
    tally.payment(false);
    if (label != null) {
      tally.fraud(label, day, c);
      long cbTime = payTime + Timeline.DAY_MS + (long) (aux.nextDouble() * 6 * Timeline.DAY_MS);
      RefundEvent chargeback =
          new RefundEvent(
              tl.newEventId(),
              Instant.ofEpochMilli(cbTime),
              "cb-" + suffix,
              paymentId,
              orderId,
              user,
              merchantIds[terminal],
              cents,
              CURRENCY,
              RefundType.CHARGEBACK,
              CHARGEBACK_REASON,
              label.label());
      tl.add(Topics.REFUNDS, user, chargeback, cbTime);
    }
  }

  /** Marks the terminals of every S2 window covering {@code day}; returns how many were marked. */
  private int markCompromisedTerminals(int day) {
    int n = 0;
    int lastStart = Math.min(day, days - 2);
    for (int start = Math.max(0, day - S2_DAYS + 1); start <= lastStart; start++) {
      SplittableRandom r = Seeds.random(seed, TAG_S2, start, 0);
      int first = r.nextInt(terminals);
      compromisedTerminal[first] = true;
      compromisedToday[n++] = first;
      if (terminals > 1) {
        int second = r.nextInt(terminals - 1);
        // Draw without replacement: skip over the first pick.
        second = second >= first ? second + 1 : second;
        compromisedTerminal[second] = true;
        compromisedToday[n++] = second;
      }
    }
    return n;
  }

  /**
   * S3 for the window starting on {@code start}: draws three customers, draws their transactions of
   * the next 14 days again, and picks floor(n/3) of them in the pooled, time-ordered list.
   */
  private void pickCompromisedCustomerTransactions(int start) {
    SplittableRandom r = Seeds.random(seed, TAG_S3, start, 0);
    int k = Math.min(S3_CUSTOMERS, customers);
    int[] chosen = new int[k];
    for (int i = 0; i < k; i++) {
      int c;
      boolean repeat;
      do {
        c = r.nextInt(customers);
        repeat = false;
        for (int j = 0; j < i; j++) {
          repeat |= chosen[j] == c;
        }
      } while (repeat);
      chosen[i] = c;
    }
    int end = Math.min(start + S3_DAYS, days);
    long[] pool = new long[64];
    int n = 0;
    DayDraw window = new DayDraw();
    for (int slot = 0; slot < k; slot++) {
      for (int day = start; day < end; day++) {
        int count = drawDay(chosen[slot], day, window);
        for (int i = 0; i < count; i++) {
          if (n == pool.length) {
            pool = Arrays.copyOf(pool, n * 2);
          }
          // Time order as in the book's transaction index: day, second, then customer and index.
          pool[n++] =
              ((long) day << 40) | ((long) window.second[i] << 20) | ((long) slot << 16) | i;
        }
      }
    }
    Arrays.sort(pool, 0, n);
    int picks = n / 3;
    SplittableRandom pr = Seeds.random(seed, TAG_S3_PICK, start, 0);
    for (int i = 0; i < picks; i++) {
      int j = i + pr.nextInt(n - i);
      long chosenKey = pool[j];
      pool[j] = pool[i];
      pool[i] = chosenKey;
      int day = (int) (chosenKey >>> 40);
      int slot = (int) ((chosenKey >>> 16) & 0xF);
      int index = (int) (chosenKey & 0xFFFF);
      int c = chosen[slot];
      int[] marks = s3Picks.get(key(c, day));
      if (marks == null) {
        marks = new int[drawDay(c, day, window)];
        s3Picks.put(key(c, day), marks);
      }
      marks[index]++;
    }
  }

  private static long key(int customer, int day) {
    return ((long) customer << 32) | day;
  }

  /** Open S3 picks waiting for their day (a probe for memory tests). */
  int pendingPicks() {
    return s3Picks.size();
  }

  /**
   * Draws the transactions of one customer on one day from the stream seeded by (customer, day);
   * the same pair always gives the same transactions.
   */
  int drawDay(int c, int day, DayDraw out) {
    SplittableRandom r = Seeds.random(seed, TAG_TX, c, day);
    int count = Seeds.poissonSmall(r, expMinusRate[c]);
    int[] reach = available[c];
    int n = 0;
    for (int j = 0; j < count; j++) {
      int second = (int) (43_200 + 20_000 * r.nextGaussian());
      if (second > 0 && second < 86_400) {
        double amount = meanAmount[c] + stdAmount[c] * r.nextGaussian();
        if (amount < 0) {
          amount = r.nextDouble() * 2 * meanAmount[c];
        }
        if (reach.length > 0) {
          out.ensure(n + 1);
          out.second[n] = second;
          out.cents[n] = Math.round(amount * 100);
          out.terminal[n] = reach[r.nextInt(reach.length)];
          n++;
        }
      }
    }
    return n;
  }

  /** Scratch arrays for one (customer, day) of transactions, reused to avoid allocation. */
  static final class DayDraw {
    int[] second = new int[16];
    long[] cents = new long[16];
    int[] terminal = new int[16];

    void ensure(int n) {
      if (n > second.length) {
        second = Arrays.copyOf(second, n * 2);
        cents = Arrays.copyOf(cents, n * 2);
        terminal = Arrays.copyOf(terminal, n * 2);
      }
    }
  }
}
