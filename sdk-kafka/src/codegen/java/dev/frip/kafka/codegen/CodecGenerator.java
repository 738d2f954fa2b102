package dev.frip.kafka.codegen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificData;

/**
 * Writes one Avro binary codec per generated event class (sdk-kafka's build runs it in {@code
 * generate-sources}, as a single-file Java program on the module's compile classpath).
 *
 * <p>For each {@code .avsc} record in the schema directory it loads the class the Avro plugin
 * generated from it and emits {@code <Class>Codec} in {@code dev.frip.kafka.internal}: a writer
 * that reads the fields through the typed getters and a reader that decodes each field and stores
 * it through a {@link java.lang.invoke.VarHandle} on the class's field, so no value is boxed for
 * {@code put(int, Object)} and no per-field dispatch is left at run time. It also emits {@code
 * GeneratedCodecs}, which hands the codecs to {@code FastAvroCodec} when the schema equals the
 * class's own.
 *
 * <p>Covered field shapes: null-free primitives, Java strings, uuid strings, timestamp-millis
 * longs, enums, two-branch unions of null and one of those, and arrays of them. A class with any
 * other shape (maps, bytes, nested records, wider unions...) gets no codec and keeps the general
 * path; the generator says so on its output.
 *
 * <p>Arguments: the schema directory, the output source directory.
 */
public final class CodecGenerator {

  private static final String PACKAGE = "dev.frip.kafka.internal";

  private CodecGenerator() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: CodecGenerator <schema dir> <output dir>");
    }
    Path schemas = Path.of(args[0]);
    Path out = Path.of(args[1]).resolve(PACKAGE.replace('.', '/'));
    Files.createDirectories(out);
    List<Class<?>> generated = new ArrayList<>();
    for (String className : recordClassNames(schemas)) {
      Class<?> type = Class.forName(className, false, CodecGenerator.class.getClassLoader());
      String source;
      try {
        source = new ClassCodec(type).source();
      } catch (Unsupported e) {
        System.out.println("[codecs] no generated codec for " + className + ": " + e.getMessage());
        continue;
      }
      write(out.resolve(type.getSimpleName() + "Codec.java"), source);
      generated.add(type);
    }
    write(out.resolve("GeneratedCodecs.java"), registry(generated));
  }

  /** The Java class names of the top-level records of the .avsc files, in file-name order. */
  private static List<String> recordClassNames(Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList()) {
        JsonNode root = json.readTree(f.toFile());
        if (!"record".equals(root.path("type").asText())) {
          continue;
        }
        String name = root.path("name").asText();
        String namespace = root.path("namespace").asText("");
        names.add(name.contains(".") || namespace.isEmpty() ? name : namespace + "." + name);
      }
    }
    return names;
  }

  private static void write(Path file, String source) throws IOException {
    byte[] bytes = source.getBytes(StandardCharsets.UTF_8);
    // Unchanged sources keep their timestamps, so the compiler's stale-source check stays quiet.
    if (Files.exists(file) && java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
      return;
    }
    Files.write(file, bytes);
  }

  private static String registry(List<Class<?>> types) {
    StringBuilder s = new StringBuilder();
    s.append(header("the event classes"));
    s.append("package ").append(PACKAGE).append(";\n\n");
    s.append("import org.apache.avro.Schema;\n");
    s.append("import org.apache.avro.generic.GenericData;\n");
    s.append("import org.apache.avro.specific.SpecificData;\n\n");
    s.append("/** The generated per-class codecs, by record name. */\n");
    s.append("final class GeneratedCodecs {\n\n");
    s.append("  private GeneratedCodecs() {}\n\n");
    s.append("  /**\n");
    s.append(
        "   * The generated writer for this schema, or null if there is none or the schema is not\n");
    s.append(
        "   * the class's own; it hands records of other classes and other encoders to {@code\n");
    s.append("   * other}.\n");
    s.append("   */\n");
    s.append(
        "  static FastAvroCodec.ValueWriter writer(Schema s, FastAvroCodec.ValueWriter other) {\n");
    s.append("    switch (s.getFullName()) {\n");
    for (Class<?> t : types) {
      s.append("      case \"").append(t.getName()).append("\":\n");
      s.append("        return ")
          .append(t.getName())
          .append(".getClassSchema().equals(s) ? new ")
          .append(t.getSimpleName())
          .append("Codec.Writer(other) : null;\n");
    }
    s.append("      default:\n");
    s.append("        return null;\n");
    s.append("    }\n");
    s.append("  }\n\n");
    s.append("  /**\n");
    s.append(
        "   * The generated reader for this schema, or null unless the model reads it into the\n");
    s.append("   * generated class and the schema is the class's own.\n");
    s.append("   */\n");
    s.append("  static FastAvroCodec.ValueReader reader(Schema s, GenericData model) {\n");
    s.append("    if (!(model instanceof SpecificData specific)) {\n");
    s.append("      return null;\n");
    s.append("    }\n");
    s.append("    switch (s.getFullName()) {\n");
    for (Class<?> t : types) {
      s.append("      case \"").append(t.getName()).append("\":\n");
      s.append("        return specific.getClass(s) == ")
          .append(t.getName())
          .append(".class && ")
          .append(t.getName())
          .append(".getClassSchema().equals(s)\n");
      s.append("            ? FastAvroCodec.orNull(")
          .append(t.getSimpleName())
          .append("Codec.Reader::new)\n");
      s.append("            : null;\n");
    }
    s.append("      default:\n");
    s.append("        return null;\n");
    s.append("    }\n");
    s.append("  }\n");
    s.append("}\n");
    return s.toString();
  }

  private static String header(String from) {
    return "// Generated by dev.frip.kafka.codegen.CodecGenerator from "
        + from
        + ".\n// Do not edit: the build writes it again from the schemas.\n";
  }

  /** A shape the generator does not cover; the class keeps the general codec. */
  private static final class Unsupported extends Exception {
    private static final long serialVersionUID = 1L;

    Unsupported(String message) {
      super(message);
    }
  }

  /** How one value (a field, a union's value branch or an array item) is read and written. */
  private enum Kind {
    BOOLEAN("boolean", "Boolean", "out.writeBoolean(%s)", "in.readBoolean()"),
    INT("int", "Integer", "out.writeInt(%s)", "in.readInt()"),
    LONG("long", "Long", "out.writeLong(%s)", "in.readLong()"),
    FLOAT("float", "Float", "out.writeFloat(%s)", "in.readFloat()"),
    DOUBLE("double", "Double", "out.writeDouble(%s)", "in.readDouble()"),
    STRING("String", "String", "out.writeString(%s)", null),
    UUID_STRING("UUID", "UUID", "out.writeUuid(%s)", "in.readUuid()"),
    TIMESTAMP(
        "Instant",
        "Instant",
        "out.writeLong(%s.toEpochMilli())",
        "Instant.ofEpochMilli(in.readLong())"),
    ENUM(null, null, "out.writeEnum(%s.ordinal())", null);

    final String primitive;
    final String boxed;
    final String write;
    final String read;

    Kind(String primitive, String boxed, String write, String read) {
      this.primitive = primitive;
      this.boxed = boxed;
      this.write = write;
      this.read = read;
    }

    boolean isPrimitive() {
      return this.ordinal() <= DOUBLE.ordinal();
    }

    static Kind of(Schema s) throws Unsupported {
      LogicalType logical = s.getLogicalType();
      String l = logical == null ? null : logical.getName();
      switch (s.getType()) {
        case BOOLEAN:
          return plain(BOOLEAN, l);
        case INT:
          return plain(INT, l);
        case LONG:
          return "timestamp-millis".equals(l) ? TIMESTAMP : plain(LONG, l);
        case FLOAT:
          return plain(FLOAT, l);
        case DOUBLE:
          return plain(DOUBLE, l);
        case STRING:
          if ("uuid".equals(l)) {
            return UUID_STRING;
          }
          if (!"String".equals(s.getProp(GenericData.STRING_PROP))) {
            throw new Unsupported("string without avro.java.string=String");
          }
          return plain(STRING, l);
        case ENUM:
          return ENUM;
        default:
          throw new Unsupported("a " + s.getType() + (l == null ? "" : " (" + l + ")"));
      }
    }

    private static Kind plain(Kind k, String logical) throws Unsupported {
      if (logical != null) {
        throw new Unsupported("logical type " + logical);
      }
      return k;
    }
  }

  /** One field: its shape and the Java names and types the generated class gives it. */
  private record FieldPlan(
      Schema.Field field,
      Kind kind,
      Class<?> enumType,
      int nullBranch,
      boolean array,
      String getter,
      String javaType,
      String local) {}

  /** The codec source of one generated class. */
  private static final class ClassCodec {
    private final Class<?> type;
    private final List<FieldPlan> fields = new ArrayList<>();

    ClassCodec(Class<?> type) throws Unsupported {
      this.type = type;
      if (!org.apache.avro.specific.SpecificRecord.class.isAssignableFrom(type)
          || !Modifier.isPublic(type.getModifiers())) {
        throw new Unsupported("not a public generated record class");
      }
      Schema schema = SpecificData.get().getSchema(type);
      for (Schema.Field f : schema.getFields()) {
        fields.add(plan(f));
      }
      try {
        if (!Modifier.isPublic(type.getConstructor().getModifiers())) {
          throw new Unsupported("the no-argument constructor is not public");
        }
      } catch (NoSuchMethodException e) {
        throw new Unsupported("no no-argument constructor");
      }
    }

    private FieldPlan plan(Schema.Field f) throws Unsupported {
      Schema s = f.schema();
      int nullBranch = -1;
      boolean array = false;
      if (s.getType() == Schema.Type.UNION) {
        List<Schema> branches = s.getTypes();
        if (branches.size() != 2
            || (branches.get(0).getType() == Schema.Type.NULL)
                == (branches.get(1).getType() == Schema.Type.NULL)) {
          throw new Unsupported("field " + f.name() + ": a union other than [null, T]");
        }
        nullBranch = branches.get(0).getType() == Schema.Type.NULL ? 0 : 1;
        s = branches.get(1 - nullBranch);
      }
      if (s.getType() == Schema.Type.ARRAY) {
        if (nullBranch >= 0) {
          throw new Unsupported("field " + f.name() + ": a nullable array");
        }
        array = true;
        s = s.getElementType();
      }
      Kind kind;
      try {
        kind = Kind.of(s);
      } catch (Unsupported e) {
        throw new Unsupported("field " + f.name() + ": " + e.getMessage());
      }
      Class<?> enumType = null;
      if (kind == Kind.ENUM) {
        enumType = enumClass(f, s);
      }
      String getter = getterName(f.name());
      Method m;
      try {
        m = type.getMethod(getter);
      } catch (NoSuchMethodException e) {
        throw new Unsupported("field " + f.name() + ": no getter " + getter + "()");
      }
      String element = kind == Kind.ENUM ? enumType.getName() : kind.boxed;
      String javaType;
      Class<?> expected;
      if (array) {
        javaType = "List<" + element + ">";
        expected = List.class;
      } else if (nullBranch < 0 && kind.isPrimitive()) {
        javaType = kind.primitive;
        expected = primitiveClass(kind);
      } else {
        javaType = element;
        expected = kind == Kind.ENUM ? enumType : boxedOf(kind);
      }
      if (m.getReturnType() != expected) {
        throw new Unsupported(
            "field " + f.name() + ": " + getter + "() returns " + m.getReturnType().getName());
      }
      try {
        java.lang.reflect.Field javaField = type.getDeclaredField(f.name());
        if (javaField.getType() != expected
            || (javaField.getModifiers() & (Modifier.STATIC | Modifier.FINAL)) != 0) {
          throw new Unsupported("field " + f.name() + ": the Java field differs from the getter");
        }
      } catch (NoSuchFieldException e) {
        throw new Unsupported("field " + f.name() + ": no Java field of that name");
      }
      return new FieldPlan(
          f, kind, enumType, nullBranch, array, getter, javaType, "f" + getter.substring(3));
    }

    /** The generated enum, checked to declare its constants in the schema's symbol order. */
    private Class<?> enumClass(Schema.Field f, Schema s) throws Unsupported {
      Class<?> e = SpecificData.get().getClass(s);
      if (e == null || !e.isEnum()) {
        throw new Unsupported("field " + f.name() + ": no generated enum " + s.getFullName());
      }
      Object[] constants = e.getEnumConstants();
      List<String> symbols = s.getEnumSymbols();
      if (constants.length != symbols.size()) {
        throw new Unsupported("field " + f.name() + ": enum " + e.getName() + " differs");
      }
      for (int i = 0; i < constants.length; i++) {
        if (!((Enum<?>) constants[i]).name().equals(symbols.get(i))) {
          throw new Unsupported("field " + f.name() + ": enum " + e.getName() + " is reordered");
        }
      }
      return e;
    }

    /** The getter name Avro's SpecificCompiler gives a field (camel case, "get" prefix). */
    private static String getterName(String field) {
      StringBuilder b = new StringBuilder("get");
      boolean upper = true;
      for (char c : field.toCharArray()) {
        if (c == '_') {
          upper = true;
        } else if (upper) {
          b.append(Character.toUpperCase(c));
          upper = false;
        } else {
          b.append(c);
        }
      }
      return b.toString();
    }

    private static Class<?> primitiveClass(Kind k) {
      switch (k) {
        case BOOLEAN:
          return boolean.class;
        case INT:
          return int.class;
        case LONG:
          return long.class;
        case FLOAT:
          return float.class;
        default:
          return double.class;
      }
    }

    private static Class<?> boxedOf(Kind k) {
      switch (k) {
        case BOOLEAN:
          return Boolean.class;
        case INT:
          return Integer.class;
        case LONG:
          return Long.class;
        case FLOAT:
          return Float.class;
        case DOUBLE:
          return Double.class;
        case STRING:
          return String.class;
        case UUID_STRING:
          return UUID.class;
        default:
          return Instant.class;
      }
    }

    String source() {
      String name = type.getSimpleName();
      StringBuilder s = new StringBuilder();
      s.append(header(type.getName()));
      s.append("package ").append(PACKAGE).append(";\n\n");
      s.append("import java.io.IOException;\n");
      s.append("import java.time.Instant;\n");
      s.append("import java.util.List;\n");
      s.append("import java.util.UUID;\n");
      s.append("import java.lang.invoke.VarHandle;\n");
      s.append("import org.apache.avro.Schema;\n");
      s.append("import org.apache.avro.generic.GenericData;\n");
      s.append("import org.apache.avro.io.Encoder;\n\n");
      s.append("/** Avro binary codec of {@link ").append(type.getName()).append("}. */\n");
      s.append("final class ").append(name).append("Codec {\n\n");
      s.append("  private ").append(name).append("Codec() {}\n\n");
      for (FieldPlan p : fields) {
        if (p.array) {
          s.append("  private static final Schema ")
              .append(schemaConstant(p))
              .append(" =\n      ")
              .append(type.getName())
              .append(".getClassSchema().getFields().get(")
              .append(p.field.pos())
              .append(").schema();\n");
        }
        if (p.kind == Kind.ENUM) {
          s.append("  private static final ")
              .append(p.enumType.getName())
              .append("[] ")
              .append(valuesConstant(p))
              .append(" = ")
              .append(p.enumType.getName())
              .append(".values();\n");
        }
      }
      s.append("\n");
      writer(s);
      s.append("\n");
      reader(s);
      s.append("}\n");
      return s.toString();
    }

    /** The static final holding an array field's schema. */
    private static String schemaConstant(FieldPlan p) {
      return p.field.name().toUpperCase(java.util.Locale.ROOT) + "_SCHEMA";
    }

    /** The static final holding an enum field's constants, in symbol order. */
    private static String valuesConstant(FieldPlan p) {
      return p.field.name().toUpperCase(java.util.Locale.ROOT) + "_VALUES";
    }

    /** The reader's handle on the Java field of a schema field. */
    private static String fieldConstant(FieldPlan p) {
      return p.field.name().toUpperCase(java.util.Locale.ROOT) + "_FIELD";
    }

    /** The reader's string cache of a string field. */
    private static String cache(FieldPlan p) {
      return "strings" + p.getter.substring(3);
    }

    private void writer(StringBuilder s) {
      String name = type.getName();
      s.append("  /** Writes the fields through the getters, in schema order. */\n");
      s.append("  static final class Writer implements FastAvroCodec.ValueWriter {\n");
      s.append("    private final FastAvroCodec.ValueWriter other;\n\n");
      s.append(
          "    /** Hands records of another class, or another encoder, to {@code other}. */\n");
      s.append("    Writer(FastAvroCodec.ValueWriter other) {\n");
      s.append("      this.other = other;\n");
      s.append("    }\n\n");
      s.append("    @Override\n");
      s.append("    public void write(Object value, Encoder encoder) throws IOException {\n");
      s.append("      if (!(value instanceof ")
          .append(name)
          .append(" r) || !(encoder instanceof BufferEncoder out)) {\n");
      s.append("        other.write(value, encoder);\n");
      s.append("        return;\n");
      s.append("      }\n");
      // A null in a non-nullable field fails on its first use; the handler names the field
      // (a check per field would make this method too big for the JIT to inline its callees).
      s.append("      try {\n");
      StringBuilder body = new StringBuilder();
      fieldWrites(body);
      s.append(body.toString().indent(2));
      s.append("      } catch (NullPointerException e) {\n");
      s.append("        throw FastAvroCodec.nullField(r, e);\n");
      s.append("      }\n");
      s.append("    }\n");
      s.append("  }\n");
    }

    private void fieldWrites(StringBuilder s) {
      for (FieldPlan p : fields) {
        s.append("      ")
            .append(p.javaType)
            .append(" ")
            .append(p.local)
            .append(" = r.")
            .append(p.getter)
            .append("();\n");
        if (p.nullBranch >= 0) {
          s.append("      if (").append(p.local).append(" == null) {\n");
          s.append("        out.writeIndex(").append(p.nullBranch).append(");\n");
          s.append("      } else {\n");
          s.append("        out.writeIndex(").append(1 - p.nullBranch).append(");\n");
          s.append("        ").append(String.format(p.kind.write, p.local)).append(";\n");
          s.append("      }\n");
          continue;
        }
        if (p.array) {
          s.append("      out.writeArrayStart();\n");
          s.append("      out.setItemCount(").append(p.local).append(".size());\n");
          s.append("      for (")
              .append(p.javaType, 5, p.javaType.length() - 1)
              .append(" item : ")
              .append(p.local)
              .append(") {\n");
          s.append("        out.startItem();\n");
          s.append("        ").append(String.format(p.kind.write, "item")).append(";\n");
          s.append("      }\n");
          s.append("      out.writeArrayEnd();\n");
        } else {
          s.append("      ").append(String.format(p.kind.write, p.local)).append(";\n");
        }
      }
    }

    private String readExpression(FieldPlan p, boolean item) {
      if (p.kind == Kind.ENUM) {
        return valuesConstant(p) + "[in.readEnum()]";
      }
      if (p.kind == Kind.STRING) {
        return item ? "in.readString()" : "in.readString(" + cache(p) + ")";
      }
      return p.kind.read;
    }

    private void reader(StringBuilder s) {
      String name = type.getName();
      s.append("  /**\n");
      s.append(
          "   * Reads the fields into a new record through its private fields (the constructors\n");
      s.append("   * would box primitives and re-truncate timestamps already in milliseconds).\n");
      s.append("   */\n");
      s.append("  static final class Reader implements FastAvroCodec.ValueReader {\n");
      for (FieldPlan p : fields) {
        s.append("    private static final VarHandle ")
            .append(fieldConstant(p))
            .append(" =\n        FastAvroCodec.field(")
            .append(name)
            .append(".class, \"")
            .append(p.field.name())
            .append("\", ")
            .append(p.array ? "List" : p.javaType)
            .append(".class);\n");
      }
      s.append("\n");
      boolean any = false;
      for (FieldPlan p : fields) {
        if (p.kind == Kind.STRING && !p.array) {
          s.append("    private final StringCache ")
              .append(cache(p))
              .append(" = new StringCache();\n");
          any = true;
        }
      }
      if (any) {
        s.append("\n");
      }
      s.append("    @Override\n");
      s.append("    public Object read(BufferDecoder in) throws IOException {\n");
      s.append("      ").append(name).append(" r = new ").append(name).append("();\n");
      for (FieldPlan p : fields) {
        String local = p.local;
        if (p.array) {
          String element = p.javaType.substring(5, p.javaType.length() - 1);
          s.append("      long n").append(local).append(" = in.readArrayStart();\n");
          s.append("      GenericData.Array<")
              .append(element)
              .append("> ")
              .append(local)
              .append(" =\n          new GenericData.Array<>((int) Math.min(n")
              .append(local)
              .append(", 1024), ")
              .append(schemaConstant(p))
              .append(");\n");
          s.append("      for (; n")
              .append(local)
              .append(" != 0; n")
              .append(local)
              .append(" = in.arrayNext()) {\n");
          s.append("        for (long i = 0; i < n").append(local).append("; i++) {\n");
          s.append("          ")
              .append(local)
              .append(".add(")
              .append(readExpression(p, true))
              .append(");\n");
          s.append("        }\n");
          s.append("      }\n");
        } else if (p.nullBranch >= 0) {
          String value = readExpression(p, false);
          if (p.kind.isPrimitive()) {
            value = p.kind.boxed + ".valueOf(" + value + ")";
          }
          s.append("      ")
              .append(p.javaType)
              .append(" ")
              .append(local)
              .append(" = in.readUnionIsNull(")
              .append(p.nullBranch)
              .append(") ? null : ")
              .append(value)
              .append(";\n");
        } else {
          s.append("      ")
              .append(p.javaType)
              .append(" ")
              .append(local)
              .append(" = ")
              .append(readExpression(p, false))
              .append(";\n");
        }
        s.append("      ")
            .append(fieldConstant(p))
            .append(".set(r, ")
            .append(p.array ? "(" + p.javaType + ") " : "")
            .append(local)
            .append(");\n");
      }
      s.append("      return r;\n");
      s.append("    }\n");
      s.append("  }\n");
    }
  }
}
