package dev.frip.lakehouse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyTableTest {

  @Test
  void idsAreDenseInFirstAddedOrderAcrossGrowth() {
    KeyTable t = new KeyTable(1, false);
    Map<String, Integer> expected = new HashMap<>();
    // Consecutive ids (consecutive String hashes) and repeats, well past the initial capacity.
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 10_000; i++) {
        String key = "user-" + i;
        int id = t.add(new String(key), null);
        assertEquals(expected.computeIfAbsent(key, k -> expected.size()), id, key);
      }
    }
    assertEquals(10_000, t.size());
    for (int i = 0; i < 10_000; i++) {
      assertEquals(i, t.get("user-" + i, null));
      assertEquals("user-" + i, t.first(i));
    }
    assertEquals(-1, t.get("user-10000", null));
    assertEquals(-1, t.get(null, null));
  }

  @Test
  void collidingHashesAreToldApartByValue() {
    // "Aa" and "BB" have the same String hash, so the same mixed hash and slot chain.
    KeyTable t = new KeyTable(4, false);
    assertEquals("Aa".hashCode(), "BB".hashCode());
    assertEquals(0, t.add("Aa", null));
    assertEquals(1, t.add("BB", null));
    assertEquals(0, t.add("Aa", null));
    assertEquals(1, t.get("BB", null));
    assertEquals(-1, t.get("Ab", null));
  }

  @Test
  void pairsMatchOnBothParts() {
    KeyTable t = new KeyTable(2, true);
    for (String user : List.of("u1", "u2", "ü3")) {
      for (String device : List.of("d1", "d2", "d3")) {
        t.add(user, device);
      }
    }
    assertEquals(9, t.size());
    assertEquals(0, t.get("u1", "d1"));
    assertEquals(5, t.get("u2", "d3"));
    assertEquals(7, t.get("ü3", "d2"));
    assertEquals("ü3", t.first(7));
    assertEquals(-1, t.get("u1", "d4"));
    assertEquals(-1, t.get("u1", null));
    assertThrows(NullPointerException.class, () -> t.add("u1", null));
  }
}
