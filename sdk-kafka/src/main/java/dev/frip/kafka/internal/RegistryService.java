package dev.frip.kafka.internal;

import dev.frip.kafka.CompatibilityLevel;
import dev.frip.kafka.CompatibilityResult;
import dev.frip.kafka.RegisteredSchema;
import dev.frip.kafka.SchemaRegistryException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * The registry's state and rules, independent of HTTP: subjects and their versions, global ids,
 * compatibility levels checked with Avro's {@link SchemaCompatibility}. Every change is written to
 * the {@link SchemaStore} before it is applied, and replaying the store rebuilds the same state, so
 * a restart keeps every id.
 */
public final class RegistryService {

  /** A change recorded in the store. */
  public sealed interface Entry permits SchemaEntry, ConfigEntry {}

  /** A schema registered as a version of a subject. */
  public record SchemaEntry(String subject, int version, int id, String schema) implements Entry {}

  /** A compatibility level set globally ({@code subject == null}) or for one subject. */
  public record ConfigEntry(String subject, CompatibilityLevel level) implements Entry {}

  private record Version(int version, int id) {}

  private final SchemaStore store;
  private final CompatibilityLevel defaultLevel;
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<Schema, Integer> idsBySchema = new HashMap<>();
  private final Map<String, List<Version>> subjects = new TreeMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private CompatibilityLevel globalLevel;
  private int maxId;

  /** Loads the state from the store. */
  public RegistryService(SchemaStore store, CompatibilityLevel defaultLevel) {
    this.store = Objects.requireNonNull(store, "store");
    this.defaultLevel = Objects.requireNonNull(defaultLevel, "defaultLevel");
    store.replay(this::apply);
  }

  private synchronized void apply(Entry entry) {
    if (entry instanceof SchemaEntry s) {
      Schema schema = new Schema.Parser().parse(s.schema());
      schemasById.put(s.id(), schema);
      idsBySchema.putIfAbsent(schema, s.id());
      List<Version> versions = subjects.computeIfAbsent(s.subject(), k -> new ArrayList<>());
      versions.removeIf(v -> v.version() == s.version());
      versions.add(new Version(s.version(), s.id()));
      versions.sort((a, b) -> Integer.compare(a.version(), b.version()));
      maxId = Math.max(maxId, s.id());
    } else if (entry instanceof ConfigEntry c) {
      if (c.subject() == null) {
        globalLevel = c.level();
      } else {
        subjectLevels.put(c.subject(), c.level());
      }
    }
  }

  private void record(Entry entry) {
    try {
      store.append(entry);
    } catch (RuntimeException e) {
      throw new SchemaRegistryException(
          500,
          SchemaRegistryException.STORE_ERROR,
          "the registry could not write to its store: " + e.getMessage(),
          e);
    }
    apply(entry);
  }

  /**
   * Registers a schema under a subject, returning the existing version when it is already there.
   */
  public synchronized RegisteredSchema register(String subject, String schemaText) {
    Schema schema = parse(schemaText);
    List<Version> versions = subjects.getOrDefault(subject, List.of());
    for (Version v : versions) {
      if (schemasById.get(v.id()).equals(schema)) {
        return new RegisteredSchema(subject, v.version(), v.id(), schemasById.get(v.id()));
      }
    }
    List<String> problems = check(levelOf(subject), schema, versions);
    if (!problems.isEmpty()) {
      throw new SchemaRegistryException(
          409,
          SchemaRegistryException.INCOMPATIBLE_SCHEMA,
          "Schema being registered is incompatible with an earlier schema for subject \""
              + subject
              + "\" under compatibility level "
              + levelOf(subject)
              + ", details: "
              + problems);
    }
    Integer existingId = idsBySchema.get(schema);
    int id = existingId != null ? existingId : maxId + 1;
    int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
    record(new SchemaEntry(subject, version, id, schema.toString()));
    return new RegisteredSchema(subject, version, id, schema);
  }

  /** The version of a subject that holds this schema. */
  public synchronized RegisteredSchema lookup(String subject, String schemaText) {
    Schema schema = parse(schemaText);
    for (Version v : requireSubject(subject)) {
      if (schemasById.get(v.id()).equals(schema)) {
        return new RegisteredSchema(subject, v.version(), v.id(), schemasById.get(v.id()));
      }
    }
    throw new SchemaRegistryException(
        404,
        SchemaRegistryException.SCHEMA_NOT_FOUND,
        "Schema not found under subject \"" + subject + "\"");
  }

  /** The schema with this id. */
  public synchronized Schema schemaById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw new SchemaRegistryException(
          404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
    }
    return schema;
  }

  /** Subjects in name order. */
  public synchronized List<String> subjects() {
    return List.copyOf(subjects.keySet());
  }

  /** The version numbers of a subject. */
  public synchronized List<Integer> versions(String subject) {
    return requireSubject(subject).stream().map(Version::version).toList();
  }

  /** A version of a subject: a number or {@code latest} (also {@code -1}). */
  public synchronized RegisteredSchema version(String subject, String versionSpec) {
    List<Version> versions = requireSubject(subject);
    Version found = null;
    if ("latest".equals(versionSpec) || "-1".equals(versionSpec)) {
      found = versions.get(versions.size() - 1);
    } else {
      int n;
      try {
        n = Integer.parseInt(versionSpec);
      } catch (NumberFormatException e) {
        n = 0;
      }
      if (n < 1) {
        throw new SchemaRegistryException(
            422,
            SchemaRegistryException.INVALID_VERSION,
            "The specified version '"
                + versionSpec
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the"
                + " string \"latest\"");
      }
      for (Version v : versions) {
        if (v.version() == n) {
          found = v;
        }
      }
    }
    if (found == null) {
      throw new SchemaRegistryException(
          404,
          SchemaRegistryException.VERSION_NOT_FOUND,
          "Version " + versionSpec + " not found for subject \"" + subject + "\"");
    }
    return new RegisteredSchema(subject, found.version(), found.id(), schemasById.get(found.id()));
  }

  /**
   * Tests a schema against the subject's level, as registration would. A subject with no versions
   * accepts anything.
   */
  public synchronized CompatibilityResult testCompatibility(String subject, String schemaText) {
    Schema schema = parse(schemaText);
    List<String> problems =
        check(levelOf(subject), schema, subjects.getOrDefault(subject, List.of()));
    return new CompatibilityResult(problems.isEmpty(), problems);
  }

  /** The global level. */
  public synchronized CompatibilityLevel globalLevel() {
    return globalLevel != null ? globalLevel : defaultLevel;
  }

  /** The subject's own level, if set. */
  public synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
    return Optional.ofNullable(subjectLevels.get(subject));
  }

  /** Sets the global ({@code subject == null}) or a subject's level. */
  public synchronized void setLevel(String subject, CompatibilityLevel level) {
    record(new ConfigEntry(subject, level));
  }

  private CompatibilityLevel levelOf(String subject) {
    CompatibilityLevel level = subjectLevels.get(subject);
    return level != null ? level : globalLevel();
  }

  private List<Version> requireSubject(String subject) {
    List<Version> versions = subjects.get(subject);
    if (versions == null || versions.isEmpty()) {
      throw new SchemaRegistryException(
          404, SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }
    return versions;
  }

  private List<String> check(CompatibilityLevel level, Schema candidate, List<Version> versions) {
    List<String> problems = new ArrayList<>();
    if (level == CompatibilityLevel.NONE || versions.isEmpty()) {
      return problems;
    }
    List<Version> against =
        level.transitive() ? versions : List.of(versions.get(versions.size() - 1));
    for (Version v : against) {
      Schema old = schemasById.get(v.id());
      if (level.checksBackward()) {
        describe(
            SchemaCompatibility.checkReaderWriterCompatibility(candidate, old),
            "the new schema cannot read data written with version " + v.version(),
            problems);
      }
      if (level.checksForward()) {
        describe(
            SchemaCompatibility.checkReaderWriterCompatibility(old, candidate),
            "version " + v.version() + " cannot read data written with the new schema",
            problems);
      }
    }
    return problems;
  }

  private static void describe(
      SchemaCompatibility.SchemaPairCompatibility result, String what, List<String> problems) {
    if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    for (SchemaCompatibility.Incompatibility i : result.getResult().getIncompatibilities()) {
      problems.add(
          what
              + ": "
              + i.getType()
              + " at "
              + i.getLocation()
              + (i.getMessage() == null || i.getMessage().isEmpty()
                  ? ""
                  : " (" + i.getMessage() + ")"));
    }
  }

  private static Schema parse(String text) {
    if (text == null || text.isBlank()) {
      throw new SchemaRegistryException(
          422, SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: the schema is empty");
    }
    try {
      return new Schema.Parser().parse(text);
    } catch (RuntimeException e) { // SchemaParseException and kin
      throw new SchemaRegistryException(
          422, SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: " + e.getMessage(), e);
    }
  }
}
