package dev.frip.kafka;

/**
 * A schema registry call failed. {@link #status()} and {@link #errorCode()} are those of the
 * Confluent REST API (404/40401 unknown subject, 404/40403 unknown schema id, 409 incompatible,
 * 422/42201 invalid schema, 5xx server error); the message says what happened in words, including
 * the registry's own reason.
 *
 * @since 0.1.0
 */
public class SchemaRegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Error code of an unknown subject. */
  public static final int SUBJECT_NOT_FOUND = 40401;

  /** Error code of an unknown version of a known subject. */
  public static final int VERSION_NOT_FOUND = 40402;

  /** Error code of an unknown schema (id or lookup). */
  public static final int SCHEMA_NOT_FOUND = 40403;

  /** Error code of a subject without its own compatibility level. */
  public static final int SUBJECT_LEVEL_NOT_CONFIGURED = 40408;

  /** Error code of a schema that is incompatible with earlier versions. */
  public static final int INCOMPATIBLE_SCHEMA = 409;

  /** Error code of a schema that does not parse as Avro. */
  public static final int INVALID_SCHEMA = 42201;

  /** Error code of an invalid version number. */
  public static final int INVALID_VERSION = 42202;

  /** Error code of an invalid compatibility level. */
  public static final int INVALID_COMPATIBILITY_LEVEL = 42203;

  /** Error code of a failure inside the registry or its storage. */
  public static final int STORE_ERROR = 50001;

  /** Status used when no HTTP answer was received (I/O error, open circuit). */
  public static final int NO_RESPONSE = 0;

  private final int status;
  private final int errorCode;

  /**
   * Creates the exception.
   *
   * @param status HTTP status, or {@link #NO_RESPONSE}
   * @param errorCode Confluent error code (often the status itself)
   * @param message what happened
   */
  public SchemaRegistryException(int status, int errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  /** Creates the exception with a cause. */
  public SchemaRegistryException(int status, int errorCode, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode;
  }

  /** The HTTP status, or {@link #NO_RESPONSE} when none was received. */
  public int status() {
    return status;
  }

  /** The Confluent error code, e.g. {@link #SCHEMA_NOT_FOUND}. */
  public int errorCode() {
    return errorCode;
  }

  /** Whether retrying may help: a 5xx answer or no answer at all. */
  public boolean retriable() {
    return status == NO_RESPONSE || status == 429 || status >= 500;
  }
}
