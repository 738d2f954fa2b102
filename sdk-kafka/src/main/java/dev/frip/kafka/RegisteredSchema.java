package dev.frip.kafka;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One version of a subject in the schema registry: what {@code GET /subjects/{s}/versions/{v}} and
 * the lookup {@code POST /subjects/{s}} return.
 *
 * @param subject the subject, e.g. {@code payments-value}
 * @param version the subject's version number, from 1
 * @param id the registry-wide schema id written into every record's wire-format header
 * @param schema the Avro schema
 * @since 0.1.0
 */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {

  /** Checks the parts are present. */
  public RegisteredSchema {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
  }
}
