package dev.frip.core;

import java.time.LocalDate;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable settings of a synthetic world. Every builder method checks its argument at once and
 * fails with a message naming the command-line flag and the allowed values; settings not given take
 * the defaults of the chosen {@link Profile}.
 *
 * <pre>{@code
 * GeneratorConfig config = GeneratorConfig.builder()
 *     .profile(Profile.PLATFORM).seed(42).days(30).users(10_000)
 *     .fraudRate(0.01).scenarios(EnumSet.of(FraudScenario.CARD_TESTING, FraudScenario.ACCOUNT_TAKEOVER))
 *     .build();
 * }</pre>
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>setting</th><th>platform</th><th>handbook</th></tr>
 *   <tr><td>seed</td><td>0</td><td>0</td></tr>
 *   <tr><td>days</td><td>30</td><td>183</td></tr>
 *   <tr><td>start date</td><td>2026-01-01</td><td>2018-04-01</td></tr>
 *   <tr><td>users</td><td>10,000</td><td>5,000 customers</td></tr>
 *   <tr><td>merchants</td><td>500</td><td>one per terminal (not settable)</td></tr>
 *   <tr><td>terminals</td><td>2,000</td><td>10,000</td></tr>
 *   <tr><td>fraud rate</td><td>0.01</td><td>not used: the book's rules decide</td></tr>
 *   <tr><td>scenarios</td><td>all seven</td><td>high_amount, compromised_terminal,
 *       compromised_customer</td></tr>
 * </table>
 *
 * @since 0.1.0
 */
public final class GeneratorConfig {

  /** Largest number of days a world may span (ten years). */
  public static final int MAX_DAYS = 3650;

  /** Largest number of users, merchants or terminals: the world is held in memory. */
  public static final int MAX_ENTITIES = 10_000_000;

  /** The scenarios the handbook profile knows: S1, S2, S3. */
  public static final Set<FraudScenario> HANDBOOK_SCENARIOS =
      Collections.unmodifiableSet(
          EnumSet.of(
              FraudScenario.HIGH_AMOUNT,
              FraudScenario.COMPROMISED_TERMINAL,
              FraudScenario.COMPROMISED_CUSTOMER));

  private static final LocalDate MIN_DATE = LocalDate.of(1970, 1, 1);
  private static final LocalDate MAX_DATE = LocalDate.of(2999, 12, 31);

  private final long seed;
  private final int days;
  private final Profile profile;
  private final LocalDate startDate;
  private final int users;
  private final int merchants;
  private final int terminals;
  private final double fraudRate;
  private final Map<FraudScenario, Double> scenarioWeights;

  private GeneratorConfig(Builder b) {
    this.profile = b.profile;
    boolean book = profile == Profile.HANDBOOK;
    this.seed = b.seed;
    this.days = b.days != null ? b.days : (book ? 183 : 30);
    this.startDate =
        b.startDate != null
            ? b.startDate
            : (book ? LocalDate.of(2018, 4, 1) : LocalDate.of(2026, 1, 1));
    this.users = b.users != null ? b.users : (book ? 5_000 : 10_000);
    this.terminals = b.terminals != null ? b.terminals : (book ? 10_000 : 2_000);
    this.merchants = book ? this.terminals : (b.merchants != null ? b.merchants : 500);
    this.fraudRate = b.fraudRate != null ? b.fraudRate : 0.01;
    Map<FraudScenario, Double> w = new EnumMap<>(FraudScenario.class);
    if (b.weights != null) {
      w.putAll(b.weights);
    } else if (book) {
      for (FraudScenario s : HANDBOOK_SCENARIOS) {
        w.put(s, 1.0);
      }
    } else {
      w.putAll(defaultPlatformWeights());
    }
    this.scenarioWeights = Collections.unmodifiableMap(w);
  }

  /** A builder with every setting at its profile default. */
  public static Builder builder() {
    return new Builder();
  }

  /** The platform profile's default scenario mix: weights summing to 1. */
  public static Map<FraudScenario, Double> defaultPlatformWeights() {
    Map<FraudScenario, Double> w = new EnumMap<>(FraudScenario.class);
    w.put(FraudScenario.CARD_TESTING, 0.20);
    w.put(FraudScenario.ACCOUNT_TAKEOVER, 0.15);
    w.put(FraudScenario.IMPOSSIBLE_TRAVEL, 0.10);
    w.put(FraudScenario.COMPROMISED_TERMINAL, 0.20);
    w.put(FraudScenario.COMPROMISED_CUSTOMER, 0.20);
    w.put(FraudScenario.REFUND_ABUSE, 0.10);
    w.put(FraudScenario.HIGH_AMOUNT, 0.05);
    return Collections.unmodifiableMap(w);
  }

  /** Seed of every random draw; the same config always gives the same events. */
  public long seed() {
    return seed;
  }

  /** Number of days generated from {@link #startDate()}. */
  public int days() {
    return days;
  }

  /** The world being generated. */
  public Profile profile() {
    return profile;
  }

  /** The first day (UTC). */
  public LocalDate startDate() {
    return startDate;
  }

  /** Number of users (handbook: customers). */
  public int users() {
    return users;
  }

  /** Number of merchants; in the handbook profile every terminal is its own merchant. */
  public int merchants() {
    return merchants;
  }

  /** Number of payment terminals. */
  public int terminals() {
    return terminals;
  }

  /** Target fraction of payments labelled fraudulent (platform only). */
  public double fraudRate() {
    return fraudRate;
  }

  /** The enabled scenarios. */
  public Set<FraudScenario> scenarios() {
    EnumSet<FraudScenario> s = EnumSet.noneOf(FraudScenario.class);
    for (Map.Entry<FraudScenario, Double> e : scenarioWeights.entrySet()) {
      if (e.getValue() > 0) {
        s.add(e.getKey());
      }
    }
    return Collections.unmodifiableSet(s);
  }

  /** Relative weight of each enabled scenario in the platform fraud mix (not normalised). */
  public Map<FraudScenario, Double> scenarioWeights() {
    return scenarioWeights;
  }

  @Override
  public String toString() {
    return "GeneratorConfig{profile="
        + profile.cliName()
        + ", seed="
        + seed
        + ", days="
        + days
        + ", startDate="
        + startDate
        + ", users="
        + users
        + ", merchants="
        + merchants
        + ", terminals="
        + terminals
        + ", fraudRate="
        + fraudRate
        + ", scenarios="
        + scenarioWeights
        + '}';
  }

  /** Collects settings, validating each one as it is given. */
  public static final class Builder {
    private long seed;
    private Integer days;
    private Profile profile = Profile.PLATFORM;
    private LocalDate startDate;
    private Integer users;
    private Integer merchants;
    private Integer terminals;
    private Double fraudRate;
    private Map<FraudScenario, Double> weights;

    private Builder() {}

    /** Seed of every random draw (any value). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Number of days, 1 to {@value GeneratorConfig#MAX_DAYS}. */
    public Builder days(int days) {
      if (days < 1 || days > MAX_DAYS) {
        throw new IllegalArgumentException("--days was " + days + "; allowed: 1 to " + MAX_DAYS);
      }
      this.days = days;
      return this;
    }

    /** The world to generate. */
    public Builder profile(Profile profile) {
      if (profile == null) {
        throw new IllegalArgumentException("--profile was null; allowed: platform, handbook");
      }
      this.profile = profile;
      return this;
    }

    /** The first day (UTC), from 1970-01-01 to 2999-12-31. */
    public Builder startDate(LocalDate startDate) {
      if (startDate == null || startDate.isBefore(MIN_DATE) || startDate.isAfter(MAX_DATE)) {
        throw new IllegalArgumentException(
            "--start-date was "
                + startDate
                + "; allowed: a date (YYYY-MM-DD) from "
                + MIN_DATE
                + " to "
                + MAX_DATE);
      }
      this.startDate = startDate;
      return this;
    }

    /** Number of users (handbook: customers), 1 to {@value GeneratorConfig#MAX_ENTITIES}. */
    public Builder users(int users) {
      this.users = count("--users", users);
      return this;
    }

    /** Number of merchants (platform), 1 to {@value GeneratorConfig#MAX_ENTITIES}. */
    public Builder merchants(int merchants) {
      this.merchants = count("--merchants", merchants);
      return this;
    }

    /** Number of terminals, 1 to {@value GeneratorConfig#MAX_ENTITIES}. */
    public Builder terminals(int terminals) {
      this.terminals = count("--terminals", terminals);
      return this;
    }

    /** Target fraction of labelled payments, in [0, 1] (platform). */
    public Builder fraudRate(double fraudRate) {
      if (!(fraudRate >= 0.0 && fraudRate <= 1.0)) {
        throw new IllegalArgumentException(
            "--fraud-rate was " + fraudRate + "; allowed: a number in [0, 1]");
      }
      this.fraudRate = fraudRate;
      return this;
    }

    /**
     * The enabled scenarios. Platform: each keeps its default weight ({@link
     * #defaultPlatformWeights()}); an empty set means no fraud. Handbook: a subset of S1, S2, S3.
     */
    public Builder scenarios(Set<FraudScenario> scenarios) {
      if (scenarios == null) {
        throw new IllegalArgumentException(
            "--scenarios was null; allowed: a set of " + FraudScenario.allowedLabels());
      }
      Map<FraudScenario, Double> defaults = defaultPlatformWeights();
      Map<FraudScenario, Double> w = new EnumMap<>(FraudScenario.class);
      for (FraudScenario s : scenarios) {
        w.put(Objects.requireNonNull(s, "--scenarios contains null"), defaults.get(s));
      }
      this.weights = w;
      return this;
    }

    /** The platform fraud mix as relative weights; a scenario missing or weighted 0 is disabled. */
    public Builder scenarioWeights(Map<FraudScenario, Double> weights) {
      if (weights == null) {
        throw new IllegalArgumentException(
            "--scenarios was null; allowed: weights for " + FraudScenario.allowedLabels());
      }
      Map<FraudScenario, Double> w = new EnumMap<>(FraudScenario.class);
      for (Map.Entry<FraudScenario, Double> e : weights.entrySet()) {
        Double v = e.getValue();
        if (e.getKey() == null || v == null || !(v >= 0.0) || v.isInfinite()) {
          throw new IllegalArgumentException(
              "--scenarios: weight of "
                  + (e.getKey() == null ? "null" : e.getKey().label())
                  + " was "
                  + v
                  + "; allowed: a finite number >= 0");
        }
        w.put(e.getKey(), v);
      }
      this.weights = w;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException when the handbook profile is given a scenario it does not
     *     know
     */
    public GeneratorConfig build() {
      if (profile == Profile.HANDBOOK && weights != null) {
        for (Map.Entry<FraudScenario, Double> e : weights.entrySet()) {
          if (e.getValue() > 0 && !HANDBOOK_SCENARIOS.contains(e.getKey())) {
            throw new IllegalArgumentException(
                "--scenarios: "
                    + e.getKey().label()
                    + " is not a handbook scenario; allowed with --profile handbook:"
                    + " high_amount, compromised_terminal, compromised_customer");
          }
        }
      }
      return new GeneratorConfig(this);
    }

    private static int count(String flag, int value) {
      if (value < 1 || value > MAX_ENTITIES) {
        throw new IllegalArgumentException(
            flag + " was " + value + "; allowed: 1 to " + MAX_ENTITIES);
      }
      return value;
    }
  }
}
