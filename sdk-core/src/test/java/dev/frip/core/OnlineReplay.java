package dev.frip.core;

import dev.frip.core.events.PaymentEvent;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Replays events in arrival order through a {@link FeatureStore} and reads each payment's vector
 * once it is final: just before the first later event of the same user whose event time is more
 * than the allowed lateness past the payment (from then on, anything older is rejected), or at the
 * end of the stream.
 */
final class OnlineReplay {

  private OnlineReplay() {}

  static Map<String, double[]> vectors(
      FeatureStore store, List<SpecificRecord> arrivals, long latenessMs) {
    Map<String, double[]> out = new LinkedHashMap<>();
    Map<String, Deque<PaymentEvent>> pending = new HashMap<>();
    for (SpecificRecord e : arrivals) {
      String user = RandomWorld.user(e);
      long t = RandomWorld.time(e);
      Deque<PaymentEvent> q = pending.get(user);
      if (q != null) {
        q.removeIf(
            p -> {
              if (t > p.getEventTime().toEpochMilli() + latenessMs) {
                out.put(p.getPaymentId(), store.vector(p));
                return true;
              }
              return false;
            });
      }
      ObserveResult r = store.observe(e);
      if (e instanceof PaymentEvent p && r == ObserveResult.ACCEPTED) {
        pending.computeIfAbsent(user, k -> new ArrayDeque<>()).add(p);
      }
    }
    pending.values().forEach(q -> q.forEach(p -> out.put(p.getPaymentId(), store.vector(p))));
    return out;
  }
}
