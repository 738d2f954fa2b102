package dev.frip.lakehouse.internal;

import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A Delta table's PostgreSQL twin: the typed {@code CREATE TABLE} with its primary key, the check
 * that an existing table still has the Delta schema's columns and types, and the batched insert.
 * Identifiers are the Delta names (lower-case letters, digits, underscores), always quoted.
 */
public final class PostgresTable {

  private final String name;
  private final StructType schema;
  private final List<String> primaryKey;

  /**
   * @param name table name in PostgreSQL (the gold table's name)
   * @param schema the Delta schema; every column becomes a typed PostgreSQL column
   * @param primaryKey the columns identifying a row, {@code event_date} first
   */
  public PostgresTable(String name, StructType schema, List<String> primaryKey) {
    this.name = requireIdentifier(name);
    this.schema = schema;
    for (String k : primaryKey) {
      if (schema.indexOf(k) < 0) {
        throw new IllegalArgumentException(
            "primary key column " + k + " is not a column of gold table " + name);
      }
    }
    this.primaryKey = List.copyOf(primaryKey);
    schema.fieldNames().forEach(PostgresTable::requireIdentifier);
  }

  /** The PostgreSQL type for a Delta type, as {@code information_schema.columns.data_type}. */
  static String sqlType(String table, StructField f) {
    DataType t = f.getDataType();
    if (t instanceof StringType) {
      return "text";
    } else if (t instanceof LongType) {
      return "bigint";
    } else if (t instanceof IntegerType) {
      return "integer";
    } else if (t instanceof ShortType || t instanceof ByteType) {
      return "smallint";
    } else if (t instanceof DoubleType) {
      return "double precision";
    } else if (t instanceof FloatType) {
      return "real";
    } else if (t instanceof BooleanType) {
      return "boolean";
    } else if (t instanceof DateType) {
      return "date";
    } else if (t instanceof TimestampType) {
      return "timestamp with time zone";
    }
    throw new IllegalArgumentException(
        "gold table "
            + table
            + " column "
            + f.getName()
            + " has Delta type "
            + t
            + ", which has no PostgreSQL mapping here");
  }

  /** {@code CREATE TABLE IF NOT EXISTS} with typed, NOT NULL where Delta says so, columns. */
  public String createSql() {
    StringJoiner cols = new StringJoiner(", ");
    for (StructField f : schema.fields()) {
      cols.add(quote(f.getName()) + " " + sqlType(name, f) + (f.isNullable() ? "" : " NOT NULL"));
    }
    StringJoiner pk = new StringJoiner(", ");
    primaryKey.forEach(k -> pk.add(quote(k)));
    return "CREATE TABLE IF NOT EXISTS "
        + quote(name)
        + " ("
        + cols
        + ", PRIMARY KEY ("
        + pk
        + "))";
  }

  /** The columns of the table in the connection's current schema; empty when it does not exist. */
  public static Map<String, String> existingColumns(Connection c, String table)
      throws SQLException {
    Map<String, String> cols = new LinkedHashMap<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT column_name, data_type FROM information_schema.columns"
                + " WHERE table_schema = current_schema() AND table_name = ?"
                + " ORDER BY ordinal_position")) {
      s.setString(1, table);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          cols.put(r.getString(1), r.getString(2));
        }
      }
    }
    return cols;
  }

  /**
   * How an existing table's columns differ from the Delta schema: one line per column, empty when
   * they match. A column missing on either side or with another type is a difference.
   */
  public List<String> differences(Map<String, String> existing) {
    List<String> out = new ArrayList<>();
    for (StructField f : schema.fields()) {
      String want = sqlType(name, f);
      String have = existing.get(f.getName());
      if (have == null) {
        out.add("column " + f.getName() + ": missing in PostgreSQL, gold has " + want);
      } else if (!have.equals(want)) {
        out.add("column " + f.getName() + ": PostgreSQL has " + have + ", gold has " + want);
      }
    }
    for (String c : existing.keySet()) {
      if (schema.indexOf(c) < 0) {
        out.add("column " + c + ": in PostgreSQL, not in gold");
      }
    }
    return out;
  }

  /** {@code DELETE} of one {@code event_date}'s rows; parameter 1 is the date. */
  public String deleteSql(String dateColumn) {
    return "DELETE FROM " + quote(name) + " WHERE " + quote(dateColumn) + " = ?";
  }

  /** {@code SELECT count(*)} of one {@code event_date}'s rows; parameter 1 is the date. */
  public String countSql(String dateColumn) {
    return "SELECT count(*) FROM " + quote(name) + " WHERE " + quote(dateColumn) + " = ?";
  }

  /** {@code INSERT} of one row, parameters in schema order. */
  public String insertSql() {
    StringJoiner cols = new StringJoiner(", ");
    StringJoiner marks = new StringJoiner(", ");
    for (StructField f : schema.fields()) {
      cols.add(quote(f.getName()));
      marks.add("?");
    }
    return "INSERT INTO " + quote(name) + " (" + cols + ") VALUES (" + marks + ")";
  }

  /** Binds a row of domain values (schema order) to an {@link #insertSql} statement. */
  public void bind(PreparedStatement s, Object[] row) throws SQLException {
    for (int i = 0; i < row.length; i++) {
      Object v = row[i];
      int p = i + 1;
      if (v == null) {
        s.setNull(p, jdbcType(schema.at(i).getDataType()));
      } else if (v instanceof Instant t) {
        s.setObject(p, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
      } else if (v instanceof LocalDate d) {
        s.setObject(p, d);
      } else {
        s.setObject(p, v);
      }
    }
  }

  private static int jdbcType(DataType t) {
    if (t instanceof StringType) {
      return Types.VARCHAR;
    } else if (t instanceof LongType) {
      return Types.BIGINT;
    } else if (t instanceof IntegerType) {
      return Types.INTEGER;
    } else if (t instanceof ShortType || t instanceof ByteType) {
      return Types.SMALLINT;
    } else if (t instanceof DoubleType) {
      return Types.DOUBLE;
    } else if (t instanceof FloatType) {
      return Types.REAL;
    } else if (t instanceof BooleanType) {
      return Types.BOOLEAN;
    } else if (t instanceof DateType) {
      return Types.DATE;
    }
    return Types.TIMESTAMP_WITH_TIMEZONE;
  }

  private static String quote(String identifier) {
    return '"' + identifier + '"';
  }

  private static String requireIdentifier(String s) {
    if (s == null || !s.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException(
          "name '" + s + "' must be lower-case letters, digits and underscores");
    }
    return s;
  }
}
