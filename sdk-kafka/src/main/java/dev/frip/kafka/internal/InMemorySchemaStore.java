package dev.frip.kafka.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Keeps the registry's changes in memory: for unit tests, lost when the JVM ends. */
public final class InMemorySchemaStore implements SchemaStore {

  private final List<RegistryService.Entry> entries = new ArrayList<>();

  @Override
  public synchronized void replay(Consumer<RegistryService.Entry> sink) {
    entries.forEach(sink);
  }

  @Override
  public synchronized void append(RegistryService.Entry entry) {
    entries.add(entry);
  }

  @Override
  public void close() {
    // Nothing to release.
  }
}
