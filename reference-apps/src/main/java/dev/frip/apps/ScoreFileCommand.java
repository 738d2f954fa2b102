package dev.frip.apps;

import dev.frip.core.ObjectStore;
import dev.frip.scoring.InvalidModelException;
import dev.frip.scoring.ModelLoader;
import dev.frip.scoring.ModelRegistry;
import dev.frip.scoring.XGBoostModel;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frip score-file}: scores every row of a CSV file with an XGBoost model in pure Java.
 *
 * <p>The input header names the features ({@code f0,f1,...} for models saved without names);
 * columns are matched to the model by name, extra columns are ignored, an empty cell is missing.
 * The output has a header and one row per input row: the prediction (a probability for
 * binary:logistic, one column per class for multi:softprob, the class for multi:softmax) or with
 * {@code --margin} the raw margins, printed with {@link Float#toString(float)} so no precision is
 * lost.
 */
@Command(
    name = "score-file",
    mixinStandardHelpOptions = true,
    description =
        "Score a CSV file of feature rows with an XGBoost model (.json, .ubj, or a registry version directory).")
final class ScoreFileCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      description =
          "Model file (.json/.ubj), a registry version directory, or a registry root (its current"
              + " version); a registry may also be a URI such as s3a://bucket/models/registry,"
              + " opened with the lakehouse's S3 settings (MINIO_ENDPOINT, AWS_ACCESS_KEY_ID, ...).")
  String model;

  @Option(names = "--input", required = true, description = "CSV with a header of feature names.")
  Path input;

  @Option(names = "--output", required = true, description = "CSV to write the scores to.")
  Path output;

  @Option(names = "--margin", description = "Write raw margins instead of transformed predictions.")
  boolean margin;

  @Option(
      names = "--missing",
      description =
          "A value treated as missing besides empty cells and NaN (like XGBoost's missing).")
  Float missing;

  @Override
  public Integer call() throws IOException {
    XGBoostModel m;
    try {
      m = load();
    } catch (InvalidModelException e) {
      spec.commandLine().getErr().println("frip score-file: " + e.getMessage());
      return 1;
    }
    int rows = score(m);
    spec.commandLine().getOut().println("scored " + rows + " rows with " + m + " -> " + output);
    return 0;
  }

  private XGBoostModel load() {
    ModelLoader loader =
        missing == null
            ? ModelLoader.builder().build()
            : ModelLoader.builder().missingValue(missing).build();
    if (model.matches("[a-z][a-z0-9+.-]*:.*")) {
      return loadFromUri(loader);
    }
    Path path = Path.of(model);
    if (!Files.isDirectory(path)) {
      if (!Files.isRegularFile(path)) {
        throw new IllegalArgumentException("--model " + model + " does not exist");
      }
      return loader.read(path);
    }
    if (Files.exists(path.resolve(ModelRegistry.CURRENT))) {
      return ModelRegistry.at(path).withLoader(loader).current().model();
    }
    Path parent = path.toAbsolutePath().getParent();
    return ModelRegistry.at(parent).withLoader(loader).load(path.getFileName().toString()).model();
  }

  /** A registry root or version directory on the lakehouse's file systems (s3a:, file:). */
  private XGBoostModel loadFromUri(ModelLoader loader) {
    String at = model.replaceAll("/+$", "");
    int slash = at.lastIndexOf('/');
    if (slash < 0 || at.substring(0, slash).matches("[a-z0-9]+:/*")) {
      throw new IllegalArgumentException(
          "--model " + model + " names no registry directory below the bucket or root");
    }
    try {
      ObjectStore store = LakehouseRoot.objectStoreAt(at);
      if (store.exists(ModelRegistry.CURRENT)) {
        return ModelRegistry.on(store).withLoader(loader).current().model();
      }
      return ModelRegistry.on(LakehouseRoot.objectStoreAt(at.substring(0, slash)))
          .withLoader(loader)
          .load(at.substring(slash + 1))
          .model();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --model " + model, e);
    }
  }

  private int score(XGBoostModel m) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8);
        PrintWriter out =
            new PrintWriter(
                new BufferedWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8)))) {
      String header = in.readLine();
      if (header == null) {
        throw new IllegalArgumentException(
            "--input " + input + " is empty: a header of feature names is needed");
      }
      int[] columnOf = mapColumns(split(header), m.featureNames());
      out.println(String.join(",", outputHeader(m)));
      int width = margin ? m.numOutputs() : m.predictionWidth();
      float[] row = new float[m.numFeatures()];
      float[] result = new float[m.numOutputs()];
      StringBuilder line = new StringBuilder();
      int lineNo = 1;
      int rows = 0;
      for (String text = in.readLine(); text != null; text = in.readLine()) {
        lineNo++;
        if (text.isEmpty()) {
          continue;
        }
        String[] cells = split(text);
        for (int f = 0; f < row.length; f++) {
          int c = columnOf[f];
          String cell = c < cells.length ? cells[c].trim() : "";
          try {
            row[f] = cell.isEmpty() ? Float.NaN : Float.parseFloat(cell);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                input
                    + " line "
                    + lineNo
                    + ", column '"
                    + m.featureNames().get(f)
                    + "': '"
                    + cell
                    + "' is not a number");
          }
        }
        if (margin) {
          m.margins(row, result);
        } else {
          m.predict(row, result);
        }
        line.setLength(0);
        for (int k = 0; k < width; k++) {
          line.append(k == 0 ? "" : ",").append(Float.toString(result[k]));
        }
        out.println(line);
        rows++;
      }
      return rows;
    }
  }

  private List<String> outputHeader(XGBoostModel m) {
    List<String> names = new ArrayList<>();
    if (margin) {
      if (m.numOutputs() == 1) {
        names.add("margin");
      } else {
        for (int k = 0; k < m.numOutputs(); k++) {
          names.add("margin_" + k);
        }
      }
    } else if (m.objective().isMultiClass() && m.predictionWidth() == 1) {
      names.add("class");
    } else if (m.predictionWidth() > 1) {
      for (int k = 0; k < m.predictionWidth(); k++) {
        names.add("prob_" + k);
      }
    } else {
      names.add("prediction");
    }
    return names;
  }

  private int[] mapColumns(String[] header, List<String> features) {
    Map<String, Integer> byName = new HashMap<>();
    for (int c = 0; c < header.length; c++) {
      byName.put(header[c].trim(), c);
    }
    int[] columnOf = new int[features.size()];
    List<String> absent = new ArrayList<>();
    for (int f = 0; f < features.size(); f++) {
      Integer c = byName.get(features.get(f));
      if (c == null) {
        absent.add(features.get(f));
      } else {
        columnOf[f] = c;
      }
    }
    if (!absent.isEmpty()) {
      throw new IllegalArgumentException(
          "--input "
              + input
              + " has no column for model feature(s) "
              + absent
              + "; header: "
              + Arrays.toString(header));
    }
    return columnOf;
  }

  private static String[] split(String line) {
    String[] cells = line.split(",", -1);
    for (int i = 0; i < cells.length; i++) {
      String c = cells[i];
      if (c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"")) {
        cells[i] = c.substring(1, c.length() - 1);
      }
    }
    return cells;
  }
}
