package dev.frip.scoring;

import dev.frip.core.events.Action;

/**
 * Score cut-offs that turn a fraud probability into an {@link Action}: below {@code review} allow,
 * from {@code review} review, from {@code block} block.
 *
 * <pre>{@code
 * Thresholds t = Thresholds.review(0.30).block(0.85);
 * }</pre>
 *
 * @param review the lowest score sent to manual review
 * @param block the lowest score blocked
 * @since 0.1
 */
public record Thresholds(double review, double block) {

  /** FRIP's defaults: review from 0.5, block from 0.9. */
  public static final Thresholds DEFAULT = new Thresholds(0.5, 0.9);

  /** Validates {@code 0 <= review <= block <= 1}. */
  public Thresholds {
    if (!(review >= 0 && review <= 1)) {
      throw new IllegalArgumentException("review threshold must be in [0, 1] but was " + review);
    }
    if (!(block >= 0 && block <= 1)) {
      throw new IllegalArgumentException("block threshold must be in [0, 1] but was " + block);
    }
    if (block < review) {
      throw new IllegalArgumentException(
          "block threshold " + block + " is below the review threshold " + review);
    }
  }

  /** Thresholds that review from {@code review} and block nothing until {@link #block} is set. */
  public static Thresholds review(double review) {
    return new Thresholds(review, 1.0);
  }

  /** These thresholds with blocking from {@code block}. */
  public Thresholds block(double block) {
    return new Thresholds(review, block);
  }

  /** The action for a score. */
  public Action actionFor(double score) {
    if (score >= block) {
      return Action.BLOCK;
    }
    return score >= review ? Action.REVIEW : Action.ALLOW;
  }
}
