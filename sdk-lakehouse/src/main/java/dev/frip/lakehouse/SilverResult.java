package dev.frip.lakehouse;

import dev.frip.core.quality.SuiteResult;
import java.time.LocalDate;

/**
 * What one silver run did.
 *
 * @param date the {@code event_date} built
 * @param published whether the partition was published (the quality gate let it through)
 * @param version the silver table's version after the run
 * @param rows rows published (0 when blocked)
 * @param paymentsRead bronze payment records read for the date, duplicates included
 * @param duplicatesDropped bronze records dropped as repeats of an {@code event_id}
 * @param quarantined rows put in quarantine
 * @param quality the expectation suite's result
 * @param qualityResultPath where the JSON result was written
 * @since 0.1.0
 */
public record SilverResult(
    LocalDate date,
    boolean published,
    long version,
    int rows,
    int paymentsRead,
    int duplicatesDropped,
    int quarantined,
    SuiteResult quality,
    String qualityResultPath) {}
