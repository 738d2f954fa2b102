package dev.frip.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single-row scoring, with or without contributions, allocates nothing once the per-thread buffers
 * exist.
 */
class AllocationTest {

  @TempDir Path dir;

  @Test
  void singleRowScoringDoesNotAllocate() throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Random rnd = new Random(1);
    float[] x = Xgb.data(rnd, 500, 6, 0.2);
    float[] y = Xgb.labels(rnd, x, 500, 6, "binary:logistic", 2);
    Booster b = Xgb.train("binary:logistic", 5, 40, x, y, 6, Float.NaN);
    XGBoostModel model = ModelLoader.load(Xgb.save(b, dir, "m.ubj"));
    XGBoostModel sentinel = model.withMissingValue(-1f);
    float[][] rows = new float[64][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = Xgb.data(rnd, 1, 6, 0.2);
    }
    float sink = 0;
    for (int i = 0; i < 20_000; i++) { // create the per-thread buffers, let the JIT settle
      sink += model.predict(rows[i & 63]) + sentinel.margin(rows[i & 63]);
    }
    long tid = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 100_000; i++) {
      sink += model.predict(rows[i & 63]) + sentinel.margin(rows[i & 63]);
    }
    long allocated = threads.getThreadAllocatedBytes(tid) - before;
    assertThat(sink).isNotNaN();
    // Far below one byte per score: the measurement itself may allocate a few bytes.
    assertThat(allocated).isLessThan(10_000);

    // A score with its contributions (a decision's reason codes) does not allocate either.
    float[] contributions = new float[model.numFeatures() + 1];
    for (int i = 0; i < 20_000; i++) {
      sink += model.predictWithContributions(rows[i & 63], contributions);
    }
    before = threads.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 100_000; i++) {
      sink += model.predictWithContributions(rows[i & 63], contributions);
    }
    allocated = threads.getThreadAllocatedBytes(tid) - before;
    assertThat(sink).isNotNaN();
    assertThat(allocated).isLessThan(10_000);
  }
}
