package dev.frip.core.internal.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UserKeyTest {

  /** A new instance with the same characters, as a deserializer builds. */
  private static String copy(String s) {
    return new String(s.toCharArray());
  }

  private static UserEvents entry(String user, int hash) {
    UserEvents e = new UserEvents();
    e.user = user;
    e.userHash = hash;
    UserKey.store(e, user);
    return e;
  }

  @Test
  void idsThatFitAreKeptInlineAndOthersAreNot() {
    assertThat(entry("u42", 0).keyLength).isEqualTo(3);
    assertThat(entry("0123456789abcdef", 0).keyLength).isEqualTo(16);
    assertThat(entry("zoë-ü", 0).keyLength).isEqualTo(5); // Latin-1, not ASCII
    assertThat(entry("0123456789abcdefg", 0).keyLength).isEqualTo(-1); // 17 characters
    assertThat(entry("用户-42", 0).keyLength).isEqualTo(-1); // above U+00FF
  }

  @Test
  void equalHashesStillNeedEqualIdsInlineAndNot() {
    UserEvents aA = entry("aA", 7);
    assertThat(UserKey.matches(aA, copy("aA"), 7)).isTrue();
    assertThat(UserKey.matches(aA, copy("aA"), 8)).isFalse(); // another hash is another id
    assertThat(UserKey.matches(aA, "a\u0141", 7)).isFalse(); // same low byte, not Latin-1
    assertThat(UserKey.matches(aA, "aA\u0000", 7)).isFalse(); // a trailing zero character
    assertThat(UserKey.matches(aA, "a", 7)).isFalse();

    String sixteen = "0123456789abcdef";
    UserEvents full = entry(sixteen, 1);
    assertThat(UserKey.matches(full, copy(sixteen), 1)).isTrue();
    assertThat(UserKey.matches(full, "0123456789abcdeF", 1)).isFalse(); // last of the second long
    assertThat(UserKey.matches(full, "0123456X89abcdef", 1)).isFalse(); // last of the first long

    String long17 = "0123456789abcdefg";
    UserEvents outOfLine = entry(long17, 2);
    assertThat(UserKey.matches(outOfLine, copy(long17), 2)).isTrue();
    assertThat(UserKey.matches(outOfLine, "0123456789abcdefh", 2)).isFalse();
  }

  @Test
  void theEmptyIdMatchesNoZeroedEntry() {
    UserEvents unpublished = new UserEvents(); // fields as a racing reader may see them
    assertThat(UserKey.matches(unpublished, copy(""), 0)).isFalse();
    assertThat(UserKey.matches(entry("", 0), copy(""), 0)).isFalse();
  }

  @Test
  void withEveryHashEqualMatchingIsStringEquality() {
    Random r = new Random(11);
    char[] alphabet = {'a', 'b', '0', '\u0000', 'ÿ', '\u0100', '\u0161', '用'};
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      char[] c = new char[1 + r.nextInt(19)];
      for (int k = 0; k < c.length; k++) {
        c[k] = alphabet[r.nextInt(r.nextInt(4) == 0 ? alphabet.length : 3)];
      }
      ids.add(new String(c));
    }
    List<UserEvents> entries = new ArrayList<>();
    for (String id : ids) {
      entries.add(entry(id, 0));
    }
    int equalPairs = 0;
    for (int i = 0; i < ids.size(); i++) {
      for (String probe : ids) {
        boolean equal = ids.get(i).equals(probe);
        equalPairs += equal ? 1 : 0;
        assertThat(UserKey.matches(entries.get(i), copy(probe), 0))
            .as("%s against %s", ids.get(i), probe)
            .isEqualTo(equal);
      }
    }
    assertThat(equalPairs).isGreaterThan(ids.size()); // some ids repeat: both outcomes are tested
  }

  @Test
  void theTableFindsUsersByFreshCopiesOfTheirIds() {
    UserTable users = new UserTable(100, 1_000_000);
    String[] ids = {"u1", "user-99999", "0123456789abcdef", "0123456789abcdefg", "zoë", "用户-42"};
    List<UserEvents> held = new ArrayList<>();
    for (String id : ids) {
      held.add(users.getOrCreate(id, 0));
    }
    String[] probes = new String[ids.length];
    int[] hashes = new int[ids.length];
    UserEvents[] peeked = new UserEvents[ids.length];
    for (int i = 0; i < ids.length; i++) {
      probes[i] = copy(ids[i]);
      assertThat(users.get(probes[i], 1)).isSameAs(held.get(i));
      assertThat(users.getOrCreate(copy(ids[i]), 1)).isSameAs(held.get(i));
    }
    users.peekAll(probes, hashes, peeked, ids.length);
    assertThat(peeked).containsExactlyElementsOf(held);
    assertThat(users.get("u2", 1)).isNull();
    assertThat(users.get("0123456789abcdeg", 1)).isNull();
    assertThat(users.size()).isEqualTo(ids.length);
  }
}
