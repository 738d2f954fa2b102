package dev.frip.core;

import dev.frip.core.internal.JsonStrings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The layout of a feature vector, shared by the code that computes features (online and offline)
 * and the models that score them: ordered feature names, their types and a schema version. A
 * missing value is {@code Float.NaN} in every slot.
 *
 * <p>A model is trained on vectors of one schema and stored with it; loading the model checks the
 * schema against the model's feature names, so a reordered or missing feature is detected at load
 * instead of silently mis-scored.
 *
 * <pre>{@code
 * FeatureSchema schema = FeatureSchema.builder("payments-v3")
 *     .numeric("amount").numeric("txn_count_1h").flag("new_device").build();
 * float[] v = new float[schema.size()];
 * v[schema.indexOf("amount")] = 129.99f;   // other slots stay NaN = missing
 * String json = schema.toJson();            // stored next to each model version
 * }</pre>
 *
 * @since 0.1
 */
public final class FeatureSchema {

  /** How a feature's value is encoded in its float slot. */
  public enum Type {
    /** Any real number. */
    NUMERIC,
    /** 0 or 1. */
    FLAG;

    String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One slot of the vector. */
  public record Feature(String name, Type type) {
    /** Validates the name and type. */
    public Feature {
      Objects.requireNonNull(name, "feature name");
      Objects.requireNonNull(type, "type of feature " + name);
      if (name.isBlank()) {
        throw new IllegalArgumentException("feature name must not be blank");
      }
    }
  }

  private final String version;
  private final List<Feature> features;
  private final List<String> names;
  private final Map<String, Integer> index;
  // The last other schema found to have the same names: scoring checks this per payment. A cache
  // only (a racy read sees null or a schema whose names were compared equal).
  private FeatureSchema sameNamesAs;

  private FeatureSchema(String version, List<Feature> features) {
    if (version == null || version.isBlank()) {
      throw new IllegalArgumentException("schema version must not be blank but was " + version);
    }
    this.version = version;
    this.features = List.copyOf(features);
    Map<String, Integer> idx = new HashMap<>();
    for (int i = 0; i < features.size(); i++) {
      Integer prev = idx.put(features.get(i).name(), i);
      if (prev != null) {
        throw new IllegalArgumentException(
            "feature '"
                + features.get(i).name()
                + "' appears twice (slots "
                + prev
                + " and "
                + i
                + ")");
      }
    }
    if (features.isEmpty()) {
      throw new IllegalArgumentException("a feature schema needs at least one feature");
    }
    this.index = Map.copyOf(idx);
    this.names = this.features.stream().map(Feature::name).toList();
  }

  /** A schema of numeric features in the given order. */
  public static FeatureSchema of(String version, List<String> names) {
    Builder b = builder(version);
    names.forEach(b::numeric);
    return b.build();
  }

  /** Starts a schema with the given version label. */
  public static Builder builder(String version) {
    return new Builder(version);
  }

  /** The schema version, e.g. {@code payments-v3}. */
  public String version() {
    return version;
  }

  /** The features in vector order. */
  public List<Feature> features() {
    return features;
  }

  /** The feature names in vector order (an unmodifiable list). */
  public List<String> names() {
    return names;
  }

  /**
   * Whether {@code other} has the same feature names in the same order (versions and types aside),
   * so that its vectors can be scored by a model of this schema as they are.
   */
  public boolean sameNames(FeatureSchema other) {
    Objects.requireNonNull(other, "other");
    if (other == this || other == sameNamesAs) {
      return true;
    }
    if (!other.names.equals(names)) {
      return false;
    }
    sameNamesAs = other;
    return true;
  }

  /** Number of slots. */
  public int size() {
    return features.size();
  }

  /** The slot of a feature, or -1 when the schema has no such feature. */
  public int indexOf(String name) {
    Integer i = index.get(name);
    return i == null ? -1 : i;
  }

  /**
   * Checks that a model expecting {@code modelFeatures} (in order) can score vectors of this
   * schema.
   *
   * @throws IllegalArgumentException naming the first missing, extra or reordered feature
   */
  public void requireMatches(List<String> modelFeatures) {
    for (int i = 0; i < modelFeatures.size(); i++) {
      String name = modelFeatures.get(i);
      int at = indexOf(name);
      if (at < 0) {
        throw new IllegalArgumentException(
            "the model needs feature '"
                + name
                + "' (slot "
                + i
                + ") which schema "
                + version
                + " does not have");
      }
      if (at != i) {
        throw new IllegalArgumentException(
            "feature '"
                + name
                + "' is in slot "
                + at
                + " of schema "
                + version
                + " but in slot "
                + i
                + " of the model (features reordered)");
      }
    }
    if (modelFeatures.size() != size()) {
      throw new IllegalArgumentException(
          "schema "
              + version
              + " has "
              + size()
              + " features but the model has "
              + modelFeatures.size()
              + "; first extra feature: '"
              + features.get(modelFeatures.size()).name()
              + "'");
    }
  }

  /**
   * The schema as JSON: {@code {"version":..,"missing":"NaN","features":[{"name":..,"type":..}]}}.
   */
  public String toJson() {
    StringBuilder b = new StringBuilder("{\"version\":");
    JsonStrings.append(version, b);
    b.append(",\"missing\":\"NaN\",\"features\":[");
    for (int i = 0; i < features.size(); i++) {
      b.append(i == 0 ? "" : ",").append("{\"name\":");
      JsonStrings.append(features.get(i).name(), b);
      b.append(",\"type\":\"").append(features.get(i).type().json()).append("\"}");
    }
    return b.append("]}").toString();
  }

  /**
   * Reads a schema written by {@link #toJson()}.
   *
   * @throws IllegalArgumentException naming what is malformed
   */
  public static FeatureSchema fromJson(String json) {
    Object doc = new MiniJson(json).document();
    if (!(doc instanceof Map<?, ?> m) || !(m.get("version") instanceof String version)) {
      throw new IllegalArgumentException("feature schema JSON needs a string 'version'");
    }
    if (!(m.get("features") instanceof List<?> list)) {
      throw new IllegalArgumentException("feature schema JSON needs a 'features' array");
    }
    Builder b = builder(version);
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> f) || !(f.get("name") instanceof String name)) {
        throw new IllegalArgumentException("feature schema entry " + o + " needs a string 'name'");
      }
      Object type = f.get("type");
      try {
        b.add(
            name,
            type == null ? Type.NUMERIC : Type.valueOf(type.toString().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("feature")) {
          throw e;
        }
        throw new IllegalArgumentException("feature '" + name + "' has unknown type " + type);
      }
    }
    return b.build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureSchema s && s.version.equals(version) && s.features.equals(features);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, features);
  }

  @Override
  public String toString() {
    return "FeatureSchema[" + version + ", " + names() + "]";
  }

  /** Collects features in order. */
  public static final class Builder {
    private final String version;
    private final List<Feature> features = new ArrayList<>();

    private Builder(String version) {
      this.version = version;
    }

    /** Appends a numeric feature. */
    public Builder numeric(String name) {
      return add(name, Type.NUMERIC);
    }

    /** Appends a 0/1 feature. */
    public Builder flag(String name) {
      return add(name, Type.FLAG);
    }

    /** Appends a feature of the given type. */
    public Builder add(String name, Type type) {
      features.add(new Feature(name, type));
      return this;
    }

    /** Builds the schema; fails on a blank version, no features or a duplicate name. */
    public FeatureSchema build() {
      return new FeatureSchema(version, features);
    }
  }

  /** Just enough JSON for the schema document: objects, arrays, strings, literals, numbers. */
  private static final class MiniJson {
    private final String s;
    private int pos;

    MiniJson(String s) {
      this.s = s;
    }

    Object document() {
      Object v = value();
      ws();
      if (pos != s.length()) {
        throw fail("trailing content");
      }
      return v;
    }

    private IllegalArgumentException fail(String what) {
      return new IllegalArgumentException("feature schema JSON: " + what + " at offset " + pos);
    }

    private void ws() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    private char peek() {
      ws();
      if (pos >= s.length()) {
        throw fail("unexpected end");
      }
      return s.charAt(pos);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw fail("expected '" + c + "'");
      }
      pos++;
    }

    private Object value() {
      char c = peek();
      if (c == '{') {
        pos++;
        Map<String, Object> m = new LinkedHashMap<>();
        if (peek() == '}') {
          pos++;
          return m;
        }
        do {
          String k = string();
          expect(':');
          m.put(k, value());
        } while (comma('}'));
        return m;
      }
      if (c == '[') {
        pos++;
        List<Object> l = new ArrayList<>();
        if (peek() == ']') {
          pos++;
          return l;
        }
        do {
          l.add(value());
        } while (comma(']'));
        return l;
      }
      if (c == '"') {
        return string();
      }
      int start = pos;
      while (pos < s.length() && "{}[],: \n\r\t\"".indexOf(s.charAt(pos)) < 0) {
        pos++;
      }
      if (start == pos) {
        throw fail("unexpected '" + c + "'");
      }
      return s.substring(start, pos);
    }

    private boolean comma(char close) {
      char c = peek();
      pos++;
      if (c == ',') {
        return true;
      }
      if (c == close) {
        return false;
      }
      pos--;
      throw fail("expected ',' or '" + close + "'");
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        if (pos >= s.length()) {
          throw fail("unterminated string");
        }
        char c = s.charAt(pos++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          if (pos >= s.length()) {
            throw fail("unterminated escape");
          }
          char e = s.charAt(pos++);
          if (e == 'u') {
            if (pos + 4 > s.length()) {
              throw fail("truncated escape");
            }
            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            pos += 4;
          } else {
            b.append(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
          }
        } else {
          b.append(c);
        }
      }
    }
  }
}
