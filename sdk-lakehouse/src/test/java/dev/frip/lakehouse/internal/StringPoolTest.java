package dev.frip.lakehouse.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StringPoolTest {

  @Test
  void equalValuesBecomeTheFirstInstanceAndNullStaysNull() {
    StringPool pool = new StringPool();
    String a = new String("user-1");
    String b = new String("user-1");
    assertThat(pool.intern(a)).isSameAs(a);
    assertThat(pool.intern(b)).isSameAs(a);
    assertThat(pool.intern(null)).isNull();
    assertThat(pool.size()).isEqualTo(1);
  }

  @Test
  void bytesAreInternedAsTheirUtf8TextSharingInstancesWithStrings() {
    StringPool pool = new StringPool();
    String user = pool.intern(new String("user-42"));
    byte[] page = "xxuser-42user-7héé".getBytes(StandardCharsets.UTF_8);

    assertThat(pool.intern(page, 2, 7)).isSameAs(user);
    String seven = pool.intern(page, 9, 6);
    assertThat(seven).isEqualTo("user-7").isSameAs(pool.intern(new String("user-7")));
    assertThat(pool.intern(page, 2, 6)).isEqualTo("user-4"); // a prefix is another value
    String accented = pool.intern(page, 15, page.length - 15); // not ASCII: decoded first
    assertThat(accented).isEqualTo("héé").isSameAs(pool.intern(new String("héé")));
    assertThat(pool.intern(new byte[0], 0, 0)).isEmpty();
    assertThat(pool.size()).isEqualTo(5);
  }

  @Test
  void manyValuesFromSeveralThreadsKeepOneInstanceEach() {
    StringPool pool = new StringPool();
    int distinct = 50_000;
    // Every value interned by four threads at once (segments grow while others probe).
    List<String> seen = new ArrayList<>();
    ConcurrentHashMap<String, String> first = new ConcurrentHashMap<>();
    IntStream.range(0, 4 * distinct)
        .parallel()
        .forEach(
            i -> {
              String v = pool.intern(new String("id-" + (i % distinct)));
              String was = first.putIfAbsent(v, v);
              assertThat(was == null || was == v).isTrue();
            });
    assertThat(pool.size()).isEqualTo(distinct);
    for (int i = 0; i < distinct; i++) {
      String v = pool.intern(new String("id-" + i));
      assertThat(v).isEqualTo("id-" + i).isSameAs(first.get(v));
      seen.add(v);
    }
    assertThat(seen).doesNotHaveDuplicates();
  }
}
