package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frip.core.FeatureSchema;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.scoring.ModelRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code frip score-file} end to end, against xgboost4j's predictions for the same rows. */
class ScoreFileCommandTest {

  static final int FEATURES = 4;
  static final int ROWS = 300;

  @TempDir static Path dir;
  static float[] x;
  static Booster binary;
  static Booster multi;

  @TempDir Path work;

  @BeforeAll
  static void train() throws Exception {
    Random rnd = new Random(21);
    x = new float[ROWS * FEATURES];
    float[] y = new float[ROWS];
    float[] k = new float[ROWS];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextDouble() < 0.2 ? Float.NaN : Math.round(rnd.nextFloat() * 100) / 10f;
    }
    for (int r = 0; r < ROWS; r++) {
      float a = Float.isNaN(x[r * FEATURES]) ? 5 : x[r * FEATURES];
      y[r] = a + rnd.nextGaussian() > 5 ? 1 : 0;
      k[r] = (int) Math.min(2, Math.max(0, a / 3.4));
    }
    binary = train("binary:logistic", y);
    multi = train("multi:softprob", k);
  }

  private static Booster train(String objective, float[] labels) throws Exception {
    DMatrix d = new DMatrix(x, ROWS, FEATURES, Float.NaN);
    d.setLabel(labels);
    Map<String, Object> p = new HashMap<>();
    p.put("objective", objective);
    p.put("max_depth", 4);
    p.put("nthread", 1);
    if (objective.startsWith("multi")) {
      p.put("num_class", 3);
    }
    return XGBoost.train(d, p, 20, new HashMap<>(), null, null);
  }

  private Path csv() throws Exception {
    StringBuilder b = new StringBuilder("id,f3,f1,f0,f2\n"); // extra column, shuffled order
    for (int r = 0; r < ROWS; r++) {
      b.append("row").append(r);
      for (int f : new int[] {3, 1, 0, 2}) {
        float v = x[r * FEATURES + f];
        b.append(',').append(Float.isNaN(v) ? "" : Float.toString(v));
      }
      b.append('\n');
    }
    Path p = work.resolve("rows.csv");
    Files.writeString(p, b);
    return p;
  }

  private static List<float[]> read(Path p, String header) throws Exception {
    List<String> lines = Files.readAllLines(p);
    assertThat(lines.get(0)).isEqualTo(header);
    List<float[]> out = new ArrayList<>();
    for (String l : lines.subList(1, lines.size())) {
      String[] cells = l.split(",");
      float[] v = new float[cells.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = Float.parseFloat(cells[i]);
      }
      out.add(v);
    }
    return out;
  }

  @Test
  void scoresAUbjModelLikeXgboost() throws Exception {
    Path model = dir.resolve("binary.ubj");
    binary.saveModel(model.toString());
    Path out = work.resolve("scores.csv");
    assertThat(
            Frip.run(
                "score-file",
                "--model",
                model.toString(),
                "--input",
                csv().toString(),
                "--output",
                out.toString()))
        .isEqualTo(0);
    float[][] expected = binary.predict(new DMatrix(x, ROWS, FEATURES, Float.NaN));
    List<float[]> got = read(out, "prediction");
    assertThat(got).hasSize(ROWS);
    for (int r = 0; r < ROWS; r++) {
      assertThat(Math.abs(got.get(r)[0] - expected[r][0]))
          .isLessThanOrEqualTo(Math.ulp(expected[r][0]));
    }
  }

  @Test
  void writesBitIdenticalMarginsFromARegistryVersion() throws Exception {
    Path model = dir.resolve("binary.json");
    binary.saveModel(model.toString());
    ModelRegistry registry = ModelRegistry.at(work.resolve("registry"));
    String v =
        registry.publish(model, FeatureSchema.of("s1", List.of("f0", "f1", "f2", "f3")), Map.of());
    Path out = work.resolve("margins.csv");
    assertThat(
            Frip.run(
                "score-file",
                "--model",
                work.resolve("registry").resolve(v).toString(),
                "--input",
                csv().toString(),
                "--output",
                out.toString(),
                "--margin"))
        .isEqualTo(0);
    float[][] expected = binary.predict(new DMatrix(x, ROWS, FEATURES, Float.NaN), true);
    List<float[]> got = read(out, "margin");
    for (int r = 0; r < ROWS; r++) {
      assertThat(Float.floatToIntBits(got.get(r)[0]))
          .isEqualTo(Float.floatToIntBits(expected[r][0]));
    }
    // The registry root scores with its current version once one is promoted.
    registry.promote(v);
    Path out2 = work.resolve("margins2.csv");
    assertThat(
            Frip.run(
                "score-file",
                "--model",
                work.resolve("registry").toString(),
                "--input",
                csv().toString(),
                "--output",
                out2.toString(),
                "--margin"))
        .isEqualTo(0);
    assertThat(Files.readAllLines(out2)).isEqualTo(Files.readAllLines(out));
  }

  @Test
  void readsARegistryOnTheLakehouseFileSystemByUri() throws Exception {
    Path model = dir.resolve("binary.json");
    binary.saveModel(model.toString());
    Lakehouse lake = Lakehouse.local(work.resolve("lake"));
    ModelRegistry registry = ModelRegistry.on(lake.objectStore(Lakehouse.MODEL_REGISTRY));
    String v =
        registry.publish(model, FeatureSchema.of("s1", List.of("f0", "f1", "f2", "f3")), Map.of());
    String root = lake.root() + "/" + Lakehouse.MODEL_REGISTRY;
    Path byVersion = work.resolve("by-version.csv");
    assertThat(
            Frip.run(
                "score-file",
                "--model",
                root + "/" + v,
                "--input",
                csv().toString(),
                "--output",
                byVersion.toString(),
                "--margin"))
        .isEqualTo(0);
    registry.promote(v);
    Path byRoot = work.resolve("by-root.csv");
    assertThat(
            Frip.run(
                "score-file",
                "--model",
                root + "/",
                "--input",
                csv().toString(),
                "--output",
                byRoot.toString(),
                "--margin"))
        .isEqualTo(0);
    float[][] expected = binary.predict(new DMatrix(x, ROWS, FEATURES, Float.NaN), true);
    List<float[]> got = read(byRoot, "margin");
    for (int r = 0; r < ROWS; r++) {
      assertThat(Float.floatToIntBits(got.get(r)[0]))
          .isEqualTo(Float.floatToIntBits(expected[r][0]));
    }
    assertThat(Files.readAllLines(byVersion)).isEqualTo(Files.readAllLines(byRoot));
    assertThat(
            Frip.run(
                "score-file",
                "--model",
                root + "/no-such-version",
                "--input",
                csv().toString(),
                "--output",
                byRoot.toString()))
        .isNotEqualTo(0);
  }

  @Test
  void writesOneColumnPerClassForSoftprob() throws Exception {
    Path model = dir.resolve("multi.json");
    multi.saveModel(model.toString());
    Path out = work.resolve("multi.csv");
    assertThat(
            Frip.run(
                "score-file",
                "--model",
                model.toString(),
                "--input",
                csv().toString(),
                "--output",
                out.toString()))
        .isEqualTo(0);
    float[][] expected = multi.predict(new DMatrix(x, ROWS, FEATURES, Float.NaN));
    List<float[]> got = read(out, "prob_0,prob_1,prob_2");
    for (int r = 0; r < ROWS; r++) {
      for (int k = 0; k < 3; k++) {
        assertThat(Math.abs(got.get(r)[k] - expected[r][k]))
            .isLessThanOrEqualTo(Math.ulp(expected[r][k]));
      }
    }
  }

  @Test
  void refusesMissingColumnsBadCellsAndBadModels() throws Exception {
    Path model = dir.resolve("binary.ubj");
    binary.saveModel(model.toString());
    Path in = work.resolve("bad.csv");
    Path out = work.resolve("out.csv");
    Files.writeString(in, "f0,f1,f2\n1,2,3\n");
    assertThat(scoreFile(model, in, out)).isEqualTo(Frip.EXIT_USAGE);
    Files.writeString(in, "f0,f1,f2,f3\n1,2,x,3\n");
    assertThat(scoreFile(model, in, out)).isEqualTo(Frip.EXIT_USAGE);
    Path broken = work.resolve("broken.json");
    Files.writeString(broken, "{\"learner\": {}}");
    assertThat(scoreFile(broken, in, out)).isEqualTo(1);
    assertThat(scoreFile(work.resolve("absent.ubj"), in, out)).isEqualTo(Frip.EXIT_USAGE);
  }

  private int scoreFile(Path model, Path in, Path out) {
    return Frip.run(
        "score-file",
        "--model",
        model.toString(),
        "--input",
        in.toString(),
        "--output",
        out.toString());
  }

  @Test
  void badRowsStopTheCommandAndLeaveNoPartialOutput() throws Exception {
    Path model = dir.resolve("strict.ubj");
    binary.saveModel(model.toString());
    Path in = work.resolve("strict.csv");
    Path out = work.resolve("strict-out.csv");
    Files.writeString(out, "previous scores\n");
    for (String bad :
        List.of(
            "f0,f1,f2,f3\n1,2,3,4\n1,2,3\n", // a short row after a good one
            "f0,f1,f2,f3\n1,2,3,4,5\n", // an extra cell
            "f0,f1,f2,f3\n1,2,5d,3\n", // Java's float syntax is not CSV's
            "f0,f1,f2,f3\n1,0x1p3,2,3\n",
            "f0,f1,f2,f3,f1\n1,2,3,4,5\n", // a column named twice
            "f0,f1,f2,f3\n1,\"2,3\n", // a quote that does not close
            "f0,f1,f2,f3\n\"1\"2,2,3,4\n")) { // text after a closing quote
      Files.writeString(in, bad);
      assertThat(scoreFile(model, in, out)).as(bad).isEqualTo(Frip.EXIT_USAGE);
      assertThat(Files.readString(out)).as(bad).isEqualTo("previous scores\n");
    }
    try (var files = Files.list(work)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
    }
    // The input is never the output.
    Files.writeString(in, "f0,f1,f2,f3\n1,2,3,4\n");
    assertThat(scoreFile(model, in, in)).isEqualTo(Frip.EXIT_USAGE);
    assertThat(Files.readString(in)).isEqualTo("f0,f1,f2,f3\n1,2,3,4\n");
  }

  @Test
  void fileErrorsNameTheFlagTheFileAndTheReason() throws Exception {
    Path model = dir.resolve("files.ubj");
    binary.saveModel(model.toString());
    Path in = work.resolve("in.csv");
    Path out = work.resolve("out.csv");
    Files.writeString(in, "f0,f1,f2,f3\n1,2,3,4\n");

    Path missing = work.resolve("missing.csv");
    assertFails(scoreFileCapturing(model, missing, out), "--input " + missing + " does not exist");
    assertFails(scoreFileCapturing(model, work, out), "--input " + work + " is a directory");
    Path noDir = work.resolve("no-such-dir");
    assertFails(
        scoreFileCapturing(model, in, noDir.resolve("out.csv")),
        "--output directory " + noDir + " does not exist");
    assertFails(scoreFileCapturing(model, in, work), "--output " + work + " is a directory");

    // A byte that is not UTF-8, on the first data line and far past the reader's first buffer.
    Files.write(in, bytes("f0,f1,f2,f3\n1,2,\u00ff,4\n", 0xff));
    assertFails(scoreFileCapturing(model, in, out), "--input " + in + " line 2: not valid UTF-8");
    StringBuilder many = new StringBuilder("f0,f1,f2,f3\n");
    for (int r = 0; r < 3000; r++) {
      many.append("1.25,2.5,3.75,").append(r).append('\n');
    }
    many.append("1,2,\u00ff,4\n");
    Files.write(in, bytes(many.toString(), 0xc3)); // a lead byte with no continuation
    assertFails(
        scoreFileCapturing(model, in, out), "--input " + in + " line 3002: not valid UTF-8");
    assertThat(out).doesNotExist();
    try (var files = Files.list(work)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
    }
  }

  /** {@code text} as UTF-8, with each U+00FF replaced by the single byte {@code raw}. */
  private static byte[] bytes(String text, int raw) {
    byte[] utf8 = text.replace('\u00ff', '\u0001').getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < utf8.length; i++) {
      if (utf8[i] == 1) {
        utf8[i] = (byte) raw;
      }
    }
    return utf8;
  }

  private static GenerateCommandTest.Run scoreFileCapturing(Path model, Path in, Path out) {
    return GenerateCommandTest.run(
        "score-file",
        "--model",
        model.toString(),
        "--input",
        in.toString(),
        "--output",
        out.toString());
  }

  private static void assertFails(GenerateCommandTest.Run r, String message) {
    assertThat(r.exit()).as(r.err()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(r.err()).contains("frip score-file: " + message).doesNotContain(".partial");
  }

  @Test
  void aByteOrderMarkBeforeTheHeaderIsNotPartOfTheFirstColumn() throws Exception {
    Path model = dir.resolve("bom.ubj");
    binary.saveModel(model.toString());
    Path plain = work.resolve("plain.csv");
    Path bom = work.resolve("bom.csv");
    Files.writeString(plain, "f0,f1,f2,f3\n1.5,2,,4\n0.5,9,1,1\n");
    Files.writeString(bom, "\uFEFFf0,f1,f2,f3\n1.5,2,,4\n0.5,9,1,1\n");
    Path a = work.resolve("plain-out.csv");
    Path b = work.resolve("bom-out.csv");
    assertThat(scoreFile(model, plain, a)).isZero();
    GenerateCommandTest.Run r = scoreFileCapturing(model, bom, b);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Files.readAllLines(b)).hasSize(3).isEqualTo(Files.readAllLines(a));
  }

  @Test
  void quotedCellsMayHoldCommas() throws Exception {
    Path model = dir.resolve("quoted.ubj");
    binary.saveModel(model.toString());
    Path plain = work.resolve("plain.csv");
    Path quoted = work.resolve("quoted.csv");
    Files.writeString(plain, "f0,f1,f2,f3\n1.5,2,,4\n0.5,9,1,1\n");
    Files.writeString(
        quoted, "f0,note,f1,f2,f3\n\"1.5\",\"x, \"\"y\"\"\",2,,4\n0.5,\"\",9,1,\"1\"\n");
    Path a = work.resolve("plain-out.csv");
    Path b = work.resolve("quoted-out.csv");
    assertThat(scoreFile(model, plain, a)).isZero();
    assertThat(scoreFile(model, quoted, b)).isZero();
    assertThat(Files.readAllLines(b)).hasSize(3).isEqualTo(Files.readAllLines(a));
  }
}
