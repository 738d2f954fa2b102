package dev.frip.kafka.internal;

import java.util.function.Consumer;

/** Where the registry keeps its changes: a compacted Kafka topic, or memory for unit tests. */
public interface SchemaStore extends AutoCloseable {

  /** Feeds every stored change, oldest first, to the sink. */
  void replay(Consumer<RegistryService.Entry> sink);

  /** Stores a change durably before returning. */
  void append(RegistryService.Entry entry);

  @Override
  void close();
}
