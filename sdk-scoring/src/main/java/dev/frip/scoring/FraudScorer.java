package dev.frip.scoring;

import dev.frip.core.FeatureSchema;
import dev.frip.core.events.Action;
import dev.frip.core.events.PaymentEvent;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Scores payments in-process and decides allow, review or block.
 *
 * <pre>{@code
 * FraudScorer scorer = FraudScorer.builder()
 *     .models(ModelRegistry.at(Path.of("lakehouse/models/registry")))
 *     .features(FeatureLookup.of(featureStore))  // in-process, on the caller's thread
 *     .thresholds(Thresholds.review(0.30).block(0.85))
 *     .meterRegistry(meters)                     // optional
 *     .build();
 * Decision d = scorer.score(paymentEvent);
 * if (d.action() == Action.BLOCK) { ... }        // d.score(), d.reasons(), d.modelVersion()
 * }</pre>
 *
 * <p><b>Hot swap.</b> {@link #reload()} (or {@link Builder#refreshEvery}) asks the {@link
 * ModelSource} for the current model; a model that fails verification is refused and the old one
 * keeps serving. Each decision reads the active model once, so it is never a mix of two models.
 *
 * <p><b>Resilience.</b> Feature lookups run under a resilience4j {@link CircuitBreaker} ({@code
 * frip-features}) and a time limit: a blocking lookup on the lookup executor under a {@link
 * TimeLimiter}, an in-process one ({@link FeatureLookup#inProcess()}, such as {@link
 * FeatureLookup#of(dev.frip.core.FeatureStore)}) on the caller's thread with the limit checked
 * after the call. The model runs under its own breaker ({@code frip-model}). When the model cannot
 * score (none loaded, breaker open, an error) or the features are unavailable, the {@link
 * RulesScore} decides instead ({@link Decision#fallback()} is true, the version is {@value
 * Decision#RULES}) and the counter {@code frip.scorer.fallbacks{reason}} is incremented.
 *
 * <p>Thread-safe without locks on the scoring path.
 *
 * @since 0.1
 */
public final class FraudScorer implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(FraudScorer.class.getName());

  /** Why a decision fell back to the rules score: the {@code reason} tag of the counter. */
  public enum FallbackReason {
    /** No model was ever loaded. */
    MODEL_UNAVAILABLE,
    /** The model's circuit breaker is open. */
    MODEL_CIRCUIT_OPEN,
    /** The model failed on this input. */
    MODEL_ERROR,
    /** The feature lookup exceeded its time limit. */
    FEATURES_TIMEOUT,
    /** The feature lookup's circuit breaker is open. */
    FEATURES_CIRCUIT_OPEN,
    /** The feature lookup failed. */
    FEATURES_ERROR,
    /**
     * The lookup refused the payment itself (an {@link IllegalArgumentException}: no user id, an
     * amount out of range, ...): bad input, not a failing dependency, so the circuit breaker does
     * not count it.
     */
    FEATURES_INVALID_PAYMENT;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final ModelSource models;
  private final FeatureLookup lookup;
  private final Thresholds thresholds;
  private final RulesScore rules;
  private final int maxReasons;
  private final CircuitBreaker modelBreaker;
  private final CircuitBreaker featureBreaker;
  private final TimeLimiter timeLimiter;
  private final long featureTimeoutNanos;
  private final ExecutorService lookupExecutor;
  private final boolean ownsExecutor;
  private final ScheduledExecutorService refresher;
  private final Map<Action, Counter> decisions = new EnumMap<>(Action.class);
  private final Map<FallbackReason, Counter> fallbacks = new EnumMap<>(FallbackReason.class);
  private final Counter swaps;
  private final Counter swapFailures;
  private final ThreadLocal<float[]> contributionBuffer;
  private volatile ModelVersion active;

  private FraudScorer(Builder b) {
    this.models = b.models;
    this.lookup = b.lookup;
    this.thresholds = b.thresholds;
    this.rules = b.rules != null ? b.rules : RulesScore.reviewEverything(b.thresholds);
    this.maxReasons = b.maxReasons;
    this.modelBreaker = CircuitBreaker.of("frip-model", b.breakerConfig);
    // A payment the lookup refuses (IllegalArgumentException) is bad input, not a failing store:
    // the breaker neither counts it as a failure nor as a success.
    this.featureBreaker =
        CircuitBreaker.of(
            "frip-features",
            CircuitBreakerConfig.from(b.breakerConfig)
                .ignoreException(
                    t ->
                        t instanceof IllegalArgumentException
                            || b.breakerConfig.getIgnoreExceptionPredicate().test(t))
                .build());
    this.timeLimiter =
        TimeLimiter.of(
            "frip-features",
            TimeLimiterConfig.custom()
                .timeoutDuration(b.featureTimeout)
                .cancelRunningFuture(true)
                .build());
    this.featureTimeoutNanos = b.featureTimeout.toNanos();
    this.ownsExecutor = b.lookupExecutor == null;
    this.lookupExecutor =
        b.lookupExecutor != null
            ? b.lookupExecutor
            : Executors.newCachedThreadPool(daemon("frip-feature-lookup"));
    MeterRegistry meters = b.meters != null ? b.meters : new SimpleMeterRegistry();
    for (Action a : Action.values()) {
      decisions.put(
          a,
          Counter.builder("frip.scorer.decisions")
              .tag("action", a.name().toLowerCase(Locale.ROOT))
              .description("Decisions by action")
              .register(meters));
    }
    for (FallbackReason r : FallbackReason.values()) {
      fallbacks.put(
          r,
          Counter.builder("frip.scorer.fallbacks")
              .tag("reason", r.tag())
              .description("Decisions made by the rules score instead of the model")
              .register(meters));
    }
    swaps = Counter.builder("frip.scorer.model.swaps").register(meters);
    swapFailures = Counter.builder("frip.scorer.model.swap.failures").register(meters);
    for (CircuitBreaker cb : List.of(modelBreaker, featureBreaker)) {
      Gauge.builder("frip.scorer.circuit.state", cb, c -> c.getState().getOrder())
          .tag("name", cb.getName())
          .description("0 closed, 1 open, 2 half-open, 3 disabled, 4 forced open")
          .register(meters);
    }
    this.contributionBuffer = ThreadLocal.withInitial(() -> new float[0]);
    reload();
    if (b.refreshEvery != null) {
      refresher = Executors.newSingleThreadScheduledExecutor(daemon("frip-model-refresh"));
      long ms = b.refreshEvery.toMillis();
      refresher.scheduleWithFixedDelay(this::reload, ms, ms, TimeUnit.MILLISECONDS);
    } else {
      refresher = null;
    }
  }

  /** Starts configuring a scorer. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Loads the source's current model and swaps it in if it differs from the active one. A model
   * that fails to load or verify is refused; the active model keeps serving.
   *
   * @return whether a new model was swapped in
   */
  public synchronized boolean reload() {
    ModelVersion next;
    try {
      next = models.current();
      if (next.model().numOutputs() != 1) {
        throw new InvalidModelException(
            "model version "
                + next.version()
                + " has "
                + next.model().numOutputs()
                + " outputs; a fraud scorer needs a single-output (binary) model");
      }
      FeatureSchema served = lookup == null ? null : lookup.schema();
      if (served != null) {
        List<String> absent = new ArrayList<>();
        for (String name : next.schema().names()) {
          if (served.indexOf(name) < 0) {
            absent.add(name);
          }
        }
        if (!absent.isEmpty()) {
          throw new InvalidModelException(
              "model version "
                  + next.version()
                  + " needs feature(s) "
                  + absent
                  + " that the feature lookup's schema "
                  + served.version()
                  + " does not have");
        }
      }
      if (next.model().objective() == Objective.BINARY_LOGITRAW) {
        // Thresholds compare probabilities; a raw margin in [0, 1] would pass the range check and
        // decide wrongly (a margin of 0.95 is a probability of 0.72).
        throw new InvalidModelException(
            "model version "
                + next.version()
                + " predicts raw margins (binary:logitraw); a fraud scorer needs probabilities:"
                + " retrain with binary:logistic");
      }
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      // Errors too: this runs on a scheduled executor, which stops for good after one escapes.
      swapFailures.increment();
      LOG.log(Level.WARNING, "model reload refused, still serving " + modelVersion() + ": " + e);
      return false;
    }
    ModelVersion current = active;
    // Registry versions are immutable: the same name is the same model.
    if (current != null && current.version().equals(next.version())) {
      return false;
    }
    active = next;
    swaps.increment();
    return true;
  }

  /** The version serving now, or {@value Decision#RULES} when no model is loaded. */
  public String modelVersion() {
    ModelVersion m = active;
    return m == null ? Decision.RULES : m.version();
  }

  /** How many decisions fell back to the rules score, by reason, since the scorer was built. */
  public Map<FallbackReason, Long> fallbackCounts() {
    Map<FallbackReason, Long> out = new EnumMap<>(FallbackReason.class);
    fallbacks.forEach((reason, counter) -> out.put(reason, (long) counter.count()));
    return out;
  }

  /** The serving model, if one is loaded. */
  public java.util.Optional<ModelVersion> activeModel() {
    return java.util.Optional.ofNullable(active);
  }

  /**
   * Scores a payment: reads its features through the {@link FeatureLookup} (time-limited, behind a
   * circuit breaker), then scores them.
   *
   * @throws IllegalStateException when the scorer was built without a feature lookup
   */
  public Decision score(PaymentEvent payment) {
    Objects.requireNonNull(payment, "payment");
    if (lookup == null) {
      throw new IllegalStateException(
          "this scorer has no FeatureLookup; set builder().features(...) or score a FeatureVector");
    }
    if (lookup.inProcess()) {
      return scoreInProcess(payment);
    }
    FeatureVector v;
    try {
      v =
          featureBreaker.executeCallable(
              () ->
                  timeLimiter.executeFutureSupplier(
                      () -> lookupExecutor.submit(() -> lookupOrThrow(payment))));
    } catch (TimeoutException e) {
      return fallback(payment, null, FallbackReason.FEATURES_TIMEOUT);
    } catch (CallNotPermittedException e) {
      return fallback(payment, null, FallbackReason.FEATURES_CIRCUIT_OPEN);
    } catch (IllegalArgumentException e) {
      return fallback(payment, null, FallbackReason.FEATURES_INVALID_PAYMENT);
    } catch (Exception e) {
      return fallback(payment, null, FallbackReason.FEATURES_ERROR);
    }
    return decide(payment, v);
  }

  /** The lookup's vector; null is a failure, so that the breaker counts it as one. */
  private FeatureVector lookupOrThrow(PaymentEvent payment) throws Exception {
    FeatureVector v = lookup.features(payment);
    if (v == null) {
      throw new IllegalStateException("feature lookup returned null");
    }
    return v;
  }

  /**
   * An in-process lookup ({@link FeatureLookup#inProcess()}) on the caller's thread, behind the
   * same circuit breaker; the time limit is checked after the call because a thread hop would cost
   * more than the lookup. A late vector is discarded, counted as a timeout and recorded as a
   * failure, so a store that keeps being slow opens the breaker.
   */
  private Decision scoreInProcess(PaymentEvent payment) {
    if (!featureBreaker.tryAcquirePermission()) {
      return fallback(payment, null, FallbackReason.FEATURES_CIRCUIT_OPEN);
    }
    long start = System.nanoTime();
    FeatureVector v;
    try {
      v = lookup.features(payment);
    } catch (IllegalArgumentException invalid) {
      featureBreaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, invalid); // ignored
      return fallback(payment, null, FallbackReason.FEATURES_INVALID_PAYMENT);
    } catch (Exception e) {
      featureBreaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      return fallback(payment, null, FallbackReason.FEATURES_ERROR);
    }
    long elapsed = System.nanoTime() - start;
    if (elapsed > featureTimeoutNanos) {
      featureBreaker.onError(
          elapsed,
          TimeUnit.NANOSECONDS,
          new TimeoutException(
              "feature lookup took "
                  + elapsed / 1000
                  + " µs, limit "
                  + featureTimeoutNanos / 1000));
      return fallback(payment, null, FallbackReason.FEATURES_TIMEOUT);
    }
    if (v == null) {
      featureBreaker.onError(
          elapsed, TimeUnit.NANOSECONDS, new IllegalStateException("feature lookup returned null"));
      return fallback(payment, null, FallbackReason.FEATURES_ERROR);
    }
    featureBreaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
    return decide(payment, v);
  }

  /** Scores a ready feature vector (matched to the model's schema by feature name). */
  public Decision score(FeatureVector features) {
    return decide(null, Objects.requireNonNull(features, "features"));
  }

  /**
   * Scores features given by name, laid out by the active model's schema; names not given are
   * missing.
   *
   * @throws IllegalArgumentException naming a feature the model's schema does not have
   */
  public Decision score(Map<String, ? extends Number> featuresByName) {
    ModelVersion m = active;
    if (m == null) {
      return fallback(null, null, FallbackReason.MODEL_UNAVAILABLE);
    }
    return decide(null, FeatureVector.of(m.schema(), featuresByName));
  }

  private Decision decide(PaymentEvent payment, FeatureVector features) {
    ModelVersion m = active; // read once: the whole decision uses one model
    if (m == null) {
      return fallback(payment, features, FallbackReason.MODEL_UNAVAILABLE);
    }
    if (!modelBreaker.tryAcquirePermission()) {
      return fallback(payment, features, FallbackReason.MODEL_CIRCUIT_OPEN);
    }
    long start = System.nanoTime();
    float score;
    float[] contributions = maxReasons == 0 ? null : contributionBuffer(m.model());
    try {
      float[] x = features.valuesFor(m.schema());
      // With reasons, one descent gives the score and the contributions the reasons come from.
      score =
          contributions == null
              ? m.model().predict(x)
              : m.model().predictWithContributions(x, contributions);
      if (!(score >= 0f && score <= 1f)) {
        throw new IllegalStateException(
            "model " + m.version() + " produced " + score + ", not a probability");
      }
      modelBreaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      modelBreaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      return fallback(payment, features, FallbackReason.MODEL_ERROR);
    }
    Action action = thresholds.actionFor(score);
    decisions.get(action).increment();
    return new Decision(score, m.version(), action, reasons(m, contributions), false);
  }

  /** This thread's buffer for the contributions of {@code model}'s features and bias. */
  private float[] contributionBuffer(XGBoostModel model) {
    float[] c = contributionBuffer.get();
    if (c.length < model.numFeatures() + 1) {
      c = new float[model.numFeatures() + 1];
      contributionBuffer.set(c);
    }
    return c;
  }

  /** The names of the features with the largest positive contributions, largest first. */
  private List<String> reasons(ModelVersion m, float[] c) {
    if (c == null) {
      return List.of();
    }
    XGBoostModel model = m.model();
    List<String> names = m.schema().names();
    List<String> out = new ArrayList<>(maxReasons);
    long taken = 0; // bit set of chosen features (schemas beyond 64 features use a slower scan)
    boolean[] chosen = model.numFeatures() > 64 ? new boolean[model.numFeatures()] : null;
    for (int k = 0; k < maxReasons; k++) {
      int best = -1;
      float bestValue = 0f;
      for (int f = 0; f < model.numFeatures(); f++) {
        boolean used = chosen != null ? chosen[f] : (taken & (1L << f)) != 0;
        if (!used && c[f] > bestValue) {
          best = f;
          bestValue = c[f];
        }
      }
      if (best < 0) {
        break;
      }
      if (chosen != null) {
        chosen[best] = true;
      } else {
        taken |= 1L << best;
      }
      out.add(names.get(best));
    }
    return out;
  }

  private Decision fallback(PaymentEvent payment, FeatureVector features, FallbackReason reason) {
    fallbacks.get(reason).increment();
    double score;
    try {
      ModelVersion m = active;
      FeatureVector v =
          features != null ? features : m != null ? FeatureVector.missing(m.schema()) : null;
      score = rules.score(payment, v);
      if (!(score >= 0 && score <= 1)) {
        score = thresholds.review();
      }
    } catch (RuntimeException e) {
      score = thresholds.review();
    }
    Action action = thresholds.actionFor(score);
    decisions.get(action).increment();
    return new Decision(score, Decision.RULES, action, List.of(), true);
  }

  /** Stops the refresh thread and the lookup threads this scorer created. */
  @Override
  public void close() {
    if (refresher != null) {
      refresher.shutdownNow();
    }
    if (ownsExecutor) {
      lookupExecutor.shutdownNow();
    }
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Configures a {@link FraudScorer}; every setter validates its argument at once. */
  public static final class Builder {
    private ModelSource models;
    private FeatureLookup lookup;
    private Thresholds thresholds = Thresholds.DEFAULT;
    private RulesScore rules;
    private MeterRegistry meters;
    private Duration featureTimeout = Duration.ofMillis(50);
    private Duration refreshEvery;
    private ExecutorService lookupExecutor;
    private int maxReasons = 3;
    private CircuitBreakerConfig breakerConfig =
        CircuitBreakerConfig.custom()
            .slidingWindowSize(100)
            .minimumNumberOfCalls(20)
            .failureRateThreshold(50)
            .waitDurationInOpenState(Duration.ofSeconds(10))
            .build();

    private Builder() {}

    /** Where models come from, e.g. a {@link ModelRegistry}. Required. */
    public Builder models(ModelSource models) {
      if (this.models != null) {
        throw new IllegalStateException("models were already set to " + this.models);
      }
      this.models = Objects.requireNonNull(models, "models");
      return this;
    }

    /** Reads a payment's features; needed for {@link FraudScorer#score(PaymentEvent)}. */
    public Builder features(FeatureLookup lookup) {
      this.lookup = Objects.requireNonNull(lookup, "features");
      return this;
    }

    /** Score cut-offs; default {@link Thresholds#DEFAULT}. */
    public Builder thresholds(Thresholds thresholds) {
      this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
      return this;
    }

    /** The fallback score; default {@link RulesScore#reviewEverything(Thresholds)}. */
    public Builder rules(RulesScore rules) {
      this.rules = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /** Where to register the scorer's meters; default a private registry. */
    public Builder meterRegistry(MeterRegistry meters) {
      this.meters = Objects.requireNonNull(meters, "meterRegistry");
      return this;
    }

    /** Time limit of one feature lookup; default 50 ms. */
    public Builder featureTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("feature timeout must be positive but was " + timeout);
      }
      this.featureTimeout = timeout;
      return this;
    }

    /** Reloads the model from the source at this interval (off by default: call reload()). */
    public Builder refreshEvery(Duration interval) {
      if (interval == null || interval.toMillis() < 1) {
        throw new IllegalArgumentException(
            "refresh interval must be at least 1 ms but was " + interval);
      }
      this.refreshEvery = interval;
      return this;
    }

    /** Runs feature lookups on this executor (default: a cached pool of daemon threads). */
    public Builder lookupExecutor(ExecutorService executor) {
      this.lookupExecutor = Objects.requireNonNull(executor, "lookupExecutor");
      return this;
    }

    /** Number of reason codes per decision, 0 to 64; default 3. */
    public Builder maxReasons(int maxReasons) {
      if (maxReasons < 0 || maxReasons > 64) {
        throw new IllegalArgumentException("max reasons must be in [0, 64] but was " + maxReasons);
      }
      this.maxReasons = maxReasons;
      return this;
    }

    /** Circuit breaker settings for both the model and the feature lookups. */
    public Builder circuitBreaker(CircuitBreakerConfig config) {
      this.breakerConfig = Objects.requireNonNull(config, "circuitBreaker");
      return this;
    }

    /**
     * Builds the scorer and loads the first model; if that fails the scorer starts on the rules
     * score and picks the model up at the next reload.
     */
    public FraudScorer build() {
      if (models == null) {
        throw new IllegalStateException("models(...) is required: where does the model come from?");
      }
      return new FraudScorer(this);
    }
  }
}
