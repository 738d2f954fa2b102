/**
 * FRIP on Kafka: the Confluent wire-format Avro serde ({@link dev.frip.kafka.FripAvroSerializer},
 * {@link dev.frip.kafka.FripAvroDeserializer}, keys in {@link dev.frip.kafka.AvroSerde}), the
 * schema registry client ({@link dev.frip.kafka.SchemaRegistry}) and service ({@link
 * dev.frip.kafka.SchemaRegistryServer}), topic admin ({@link dev.frip.kafka.TopicAdmin}), the typed
 * producer ({@link dev.frip.kafka.EventProducer}) and the consumer loop with dead letters ({@link
 * dev.frip.kafka.EventConsumerLoop}, {@link dev.frip.kafka.DeadLetter}).
 *
 * <p>Implementation classes live in {@code dev.frip.kafka.internal} and may change without notice.
 *
 * @since 0.1.0
 */
package dev.frip.kafka;
