package dev.frip.scoring;

import dev.frip.scoring.internal.ModelDocument;
import dev.frip.scoring.internal.TreeEnsemble;
import dev.frip.scoring.internal.XGBoostModelReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Loads models written by XGBoost 2.x and 3.x {@code save_model}: JSON ({@code .json}) and UBJSON
 * ({@code .ubj}). Every structural defect is found here and reported with an {@link
 * InvalidModelException} naming the file, tree, node and array; a loaded model never fails at score
 * time.
 *
 * <pre>{@code
 * XGBoostModel model = ModelLoader.load(Path.of("models/fraud.ubj"));
 * XGBoostModel sentinel = ModelLoader.builder().missingValue(-999f).build().load(path);
 * }</pre>
 *
 * @since 0.1
 */
public final class ModelLoader {

  /** The two file formats of XGBoost's {@code save_model}. */
  public enum Format {
    /** Text JSON, {@code .json}. */
    JSON,
    /** Universal Binary JSON, {@code .ubj}. */
    UBJSON;

    /**
     * The format a file name implies, or sniffed from the first bytes when its suffix is unknown.
     */
    public static Format of(String fileName, byte[] bytes) {
      String n = fileName.toLowerCase(Locale.ROOT);
      if (n.endsWith(".json")) {
        return JSON;
      }
      if (n.endsWith(".ubj")) {
        return UBJSON;
      }
      // A JSON object opens with '{' then whitespace or '"'; UBJSON follows '{' with a length type.
      int i = 0;
      while (i < bytes.length && Character.isWhitespace(bytes[i])) {
        i++;
      }
      if (i + 1 < bytes.length && bytes[i] == '{') {
        byte next = bytes[i + 1];
        return next == '"' || next == '}' || Character.isWhitespace(next) ? JSON : UBJSON;
      }
      return JSON;
    }
  }

  private final float missing;

  private ModelLoader(float missing) {
    this.missing = missing;
  }

  /** Loads a {@code .json} or {@code .ubj} model treating only NaN as missing. */
  public static XGBoostModel load(Path file) {
    return new ModelLoader(Float.NaN).read(file);
  }

  /** Starts configuring a loader. */
  public static Builder builder() {
    return new Builder();
  }

  /** Reads and validates a model file. */
  public XGBoostModel read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InvalidModelException("cannot read model " + file + ": " + e, e);
    }
    return read(bytes, Format.of(file.getFileName().toString(), bytes), file.toString());
  }

  /**
   * Reads and validates a model from its bytes.
   *
   * @param source names the model in error messages, e.g. its path
   */
  public XGBoostModel read(byte[] bytes, Format format, String source) {
    try {
      Object doc =
          format == Format.JSON ? ModelDocument.parseJson(bytes) : ModelDocument.parseUbjson(bytes);
      XGBoostModelReader.Parsed p = XGBoostModelReader.read(doc);
      Objective objective = Objective.fromXgboostName(p.objective());
      float[] base = new float[p.numOutputs()];
      for (int k = 0; k < base.length; k++) {
        base[k] = objective.baseScoreToMargin(p.baseScore()[k]);
      }
      TreeEnsemble ensemble = new TreeEnsemble(p.trees(), p.numFeatures(), base, missing);
      return new XGBoostModel(objective, p.featureNames(), ensemble, p.xgboostVersion());
    } catch (RuntimeException e) {
      // Validation throws IllegalArgumentException with a precise message; anything else a
      // malformed document provokes is refused the same way, never passed on unchecked.
      throw new InvalidModelException(
          "model " + source + " (" + format + ") refused: " + e.getMessage(), e);
    }
  }

  /** Configures a {@link ModelLoader}. */
  public static final class Builder {
    private Float missing;

    private Builder() {}

    /**
     * Treats {@code value} as missing in addition to NaN, like XGBoost's {@code missing} parameter.
     *
     * @throws IllegalStateException when the missing value was already set
     */
    public Builder missingValue(float value) {
      if (missing != null) {
        throw new IllegalStateException("missing value was already set to " + missing);
      }
      this.missing = value;
      return this;
    }

    /** Builds the loader. */
    public ModelLoader build() {
      return new ModelLoader(missing == null ? Float.NaN : missing);
    }
  }
}
