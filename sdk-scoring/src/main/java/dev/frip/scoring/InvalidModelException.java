package dev.frip.scoring;

/**
 * A model file or registry version was refused at load: unreadable, malformed, not matching its
 * checksum or feature schema, or using a feature FRIP cannot evaluate. The message names the source
 * and the defect (which tree, node, array or feature) so the model can be fixed.
 *
 * @since 0.1
 */
public class InvalidModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the source and the defect. */
  public InvalidModelException(String message) {
    super(message);
  }

  /** Creates the exception with a message and its underlying cause. */
  public InvalidModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
