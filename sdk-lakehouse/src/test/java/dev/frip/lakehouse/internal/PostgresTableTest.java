package dev.frip.lakehouse.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The DDL and the schema comparison, without a database (the publisher test has one). */
class PostgresTableTest {

  private static final StructType ALL =
      new StructType()
          .add("s", StringType.STRING, false)
          .add("l", LongType.LONG, false)
          .add("i", IntegerType.INTEGER, true)
          .add("h", ShortType.SHORT, true)
          .add("b", ByteType.BYTE, true)
          .add("d", DoubleType.DOUBLE, true)
          .add("f", FloatType.FLOAT, true)
          .add("ok", BooleanType.BOOLEAN, true)
          .add("at", TimestampType.TIMESTAMP, true)
          .add("event_date", DateType.DATE, false);

  @Test
  void everyDeltaTypeGetsItsPostgresTypeAndTheKeyIsThePrimaryKey() {
    PostgresTable t = new PostgresTable("t", ALL, List.of("event_date", "s"));

    assertThat(t.createSql())
        .isEqualTo(
            "CREATE TABLE IF NOT EXISTS \"t\" (\"s\" text NOT NULL, \"l\" bigint NOT NULL,"
                + " \"i\" integer, \"h\" smallint, \"b\" smallint, \"d\" double precision,"
                + " \"f\" real, \"ok\" boolean, \"at\" timestamp with time zone,"
                + " \"event_date\" date NOT NULL, PRIMARY KEY (\"event_date\", \"s\"))");
    assertThat(t.insertSql()).startsWith("INSERT INTO \"t\" (\"s\", \"l\"").endsWith("?, ?)");
    assertThat(t.deleteSql("event_date")).isEqualTo("DELETE FROM \"t\" WHERE \"event_date\" = ?");
  }

  @Test
  void differencesNameEachColumn() {
    PostgresTable t =
        new PostgresTable(
            "t",
            new StructType().add("a", LongType.LONG).add("event_date", DateType.DATE),
            List.of("event_date"));

    assertThat(t.differences(Map.of("a", "bigint", "event_date", "date"))).isEmpty();
    assertThat(t.differences(Map.of("a", "text", "event_date", "date", "x", "integer")))
        .containsExactlyInAnyOrder(
            "column a: PostgreSQL has text, gold has bigint",
            "column x: in PostgreSQL, not in gold");
  }

  @Test
  void unmappableTypesKeysAndNamesAreRefused() {
    StructType binary =
        new StructType().add("blob", BinaryType.BINARY).add("event_date", DateType.DATE);
    assertThatThrownBy(() -> new PostgresTable("t", binary, List.of("event_date")).createSql())
        .hasMessageContaining("gold table t column blob has Delta type binary");
    assertThatThrownBy(() -> new PostgresTable("t", ALL, List.of("nope")))
        .hasMessageContaining("primary key column nope is not a column of gold table t");
    assertThatThrownBy(() -> new PostgresTable("T; drop", ALL, List.of("s")))
        .hasMessageContaining("must be lower-case letters");
  }
}
