/**
 * The synthetic fraud world behind {@link dev.frip.core.WorldGenerator}; not an API.
 *
 * <p>How it streams: {@link dev.frip.core.internal.generator.WorldStream} asks a {@code DaySource}
 * ({@code PlatformWorld} or {@code HandbookWorld}) for one day at a time. The day's events go into
 * a buffer that is sorted once by (time, creation order); events timed after the day (chargebacks,
 * refunds, sessions crossing midnight) wait in a priority queue. Memory is therefore the world
 * itself (users, merchants, terminals), one day of events, and what is in flight: chargebacks wait
 * at most 60 days (platform) or 7 days (handbook), refunds at most 21 days.
 *
 * <p>Determinism: every random stream is a {@link java.util.SplittableRandom} seeded from the
 * config seed, a stream tag and coordinates such as (user, day), so the same config gives the same
 * events, and the handbook can draw a customer's day again when S3 needs it. Event ids are version
 * 4 UUIDs computed from the seed and the event's creation number; no wall clock, no {@code
 * UUID.randomUUID}, no hash-order iteration. The sequence is identical on the same JDK; {@code
 * Math.exp}/{@code log} may differ in the last bit between JVM vendors.
 *
 * <p>Ground truth: payments carry no label. A fraudulent authorized payment gets one {@code
 * CHARGEBACK} for its full amount, with {@code fraud_scenario} = the scenario's label; abusive
 * refunds carry {@code refund_abuse}; ordinary refunds carry {@code null}. A payment gets at most
 * one refund or chargeback, so refunds never exceed the amount paid.
 */
package dev.frip.core.internal.generator;
