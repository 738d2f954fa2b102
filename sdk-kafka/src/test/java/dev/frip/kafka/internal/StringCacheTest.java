package dev.frip.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The decoded-string cache returns what {@code new String(bytes, UTF_8)} returns, bounded. */
class StringCacheTest {

  private static String viaCache(StringCache cache, byte[] bytes) {
    // Bytes in the middle of a larger buffer, as in a record.
    byte[] buf = new byte[bytes.length + 7];
    System.arraycopy(bytes, 0, buf, 3, bytes.length);
    return cache.get(buf, 3, bytes.length);
  }

  @Test
  void repeatedValuesComeBackAsTheSameString() {
    StringCache cache = new StringCache();
    String[] values = {"DE", "EUR", "electronics", "", "caf\u00e9", "\u6f22\u5b57"};
    String[] first = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      first[i] = viaCache(cache, values[i].getBytes(StandardCharsets.UTF_8));
      assertThat(first[i]).isEqualTo(values[i]);
    }
    for (int round = 0; round < 10_000; round++) {
      int i = round % values.length;
      String s = viaCache(cache, values[i].getBytes(StandardCharsets.UTF_8));
      assertThat(s).isEqualTo(values[i]).isSameAs(first[i]);
    }
    assertThat(cache.enabled()).isTrue();
  }

  @Test
  void decodesEveryByteSequenceAsNewStringDoes() {
    StringCache cache = new StringCache();
    Random rnd = new Random(3);
    for (int i = 0; i < 20_000; i++) {
      // Few distinct short values (so the cache stays on and slots collide), some malformed
      // UTF-8, some longer than the cache keeps.
      byte[] b = new byte[rnd.nextInt(8) == 0 ? 33 + rnd.nextInt(40) : rnd.nextInt(4)];
      for (int j = 0; j < b.length; j++) {
        b[j] = (byte) (rnd.nextInt(16) == 0 ? 0x80 + rnd.nextInt(128) : 'a' + rnd.nextInt(3));
      }
      assertThat(viaCache(cache, b)).isEqualTo(new String(b, StandardCharsets.UTF_8));
    }
  }

  @Test
  void valuesThatShareTheirFirstAndLastBytesAreToldApart() {
    StringCache cache = new StringCache();
    // 8 to 32 bytes, differing only in the middle: same slot, told apart by the middle bytes.
    for (int round = 0; round < 3; round++) {
      for (int len = 8; len <= StringCache.MAX_BYTES; len++) {
        for (char middle = 'a'; middle <= 'c'; middle++) {
          char[] c = new char[len];
          java.util.Arrays.fill(c, 'x');
          c[len / 2] = middle;
          String v = new String(c);
          assertThat(viaCache(cache, v.getBytes(StandardCharsets.US_ASCII))).isEqualTo(v);
        }
      }
    }
  }

  @Test
  void fieldsWhoseValuesRarelyRepeatStopUsingIt() {
    StringCache cache = new StringCache();
    for (int i = 0; i < StringCache.PROBATION + 10; i++) {
      byte[] id = ("pay-" + i).getBytes(StandardCharsets.US_ASCII);
      assertThat(viaCache(cache, id)).isEqualTo("pay-" + i);
    }
    assertThat(cache.enabled()).isFalse();
    byte[] again = "pay-1".getBytes(StandardCharsets.US_ASCII);
    assertThat(viaCache(cache, again)).isEqualTo("pay-1").isNotSameAs(viaCache(cache, again));
  }
}
