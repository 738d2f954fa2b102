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
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * columns are matched to the model by name (a name twice is refused), extra columns are ignored, an
 * empty cell is missing; cells may be quoted (RFC 4180, within a line); every row must have as many
 * cells as the header and numbers are plain decimals (or NaN, Infinity), else the command stops
 * naming the line and column. Blank lines are skipped. The input is UTF-8 (a byte order mark before
 * the header is skipped); a byte that is not stops the command naming its line. The output is
 * written whole or not at all. The output has a header and one row per input row: the prediction (a
 * probability for binary:logistic, one column per class for multi:softprob, the class for
 * multi:softmax) or with {@code --margin} the raw margins, printed with {@link
 * Float#toString(float)} so no precision is lost.
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
    checkFiles();
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
      ObjectStore store = LakehouseRoot.objectStoreAt("--model", at);
      if (store.exists(ModelRegistry.CURRENT)) {
        return ModelRegistry.on(store).withLoader(loader).current().model();
      }
      return ModelRegistry.on(LakehouseRoot.objectStoreAt("--model", at.substring(0, slash)))
          .withLoader(loader)
          .load(at.substring(slash + 1))
          .model();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --model " + model, e);
    }
  }

  /** Refuses, naming the flag, an input that cannot be read or an output that cannot be written. */
  private void checkFiles() {
    if (!Files.exists(input)) {
      throw new IllegalArgumentException("--input " + input + " does not exist");
    }
    if (Files.isDirectory(input)) {
      throw new IllegalArgumentException("--input " + input + " is a directory");
    }
    if (Files.isDirectory(output)) {
      throw new IllegalArgumentException("--output " + output + " is a directory");
    }
    Path dir = output.getParent() != null ? output.getParent() : Path.of("").toAbsolutePath();
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "--output directory "
              + dir
              + (Files.exists(dir) ? " is not a directory" : " does not exist"));
    }
  }

  private int score(XGBoostModel m) throws IOException {
    if (Files.exists(output) && Files.isSameFile(input, output)) {
      throw new IllegalArgumentException(
          "--output " + output + " is the input file; write the scores to another file");
    }
    // Written beside the output and moved over it at the end: a bad line leaves no half-written
    // output, and an existing output is only replaced by a complete one.
    Path partial = PartialFile.beside(output);
    try {
      int rows;
      try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8);
          PrintWriter out =
              new PrintWriter(
                  new BufferedWriter(
                      Files.newBufferedWriter(
                          partial, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW)))) {
        try {
          rows = score(m, in, out);
        } catch (CharacterCodingException e) {
          throw new IllegalArgumentException(
              "--input " + input + " line " + firstLineNotUtf8(input) + ": not valid UTF-8", e);
        }
        if (out.checkError()) {
          throw new IOException("cannot write " + partial);
        }
      }
      PartialFile.commit(partial, output);
      return rows;
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private int score(XGBoostModel m, BufferedReader in, PrintWriter out) throws IOException {
    String header = in.readLine();
    if (header == null) {
      throw new IllegalArgumentException(
          "--input " + input + " is empty: a header of feature names is needed");
    }
    if (header.startsWith("\uFEFF")) {
      // A byte order mark, as spreadsheet programs write: not part of the first column's name.
      header = header.substring(1);
    }
    String[] names = split(header, 1);
    int[] columnOf = mapColumns(names, m.featureNames());
    out.println(String.join(",", outputHeader(m)));
    int width = margin ? m.numOutputs() : m.predictionWidth();
    float[] row = new float[m.numFeatures()];
    float[] result = new float[m.numOutputs()];
    StringBuilder line = new StringBuilder();
    int lineNo = 1;
    int rows = 0;
    for (String text = in.readLine(); text != null; text = in.readLine()) {
      lineNo++;
      if (text.isBlank()) {
        continue;
      }
      String[] cells = split(text, lineNo);
      if (cells.length != names.length) {
        throw new IllegalArgumentException(
            input
                + " line "
                + lineNo
                + " has "
                + cells.length
                + " cells but the header has "
                + names.length
                + " columns");
      }
      for (int f = 0; f < row.length; f++) {
        String cell = cells[columnOf[f]].trim();
        if (cell.isEmpty()) {
          row[f] = Float.NaN;
        } else if (NUMBER.matcher(cell).matches()) {
          row[f] = Float.parseFloat(cell);
        } else {
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

  /**
   * The line of a file's first byte that is not UTF-8, counted from 1. The reader that found it
   * decodes ahead of the line it returns, so its position does not tell the line.
   */
  static long firstLineNotUtf8(Path file) throws IOException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    ByteBuffer bytes = ByteBuffer.allocate(1 << 16);
    CharBuffer chars = CharBuffer.allocate(1 << 16);
    long line = 1;
    try (ReadableByteChannel channel = Files.newByteChannel(file)) {
      while (true) {
        boolean end = channel.read(bytes) < 0;
        bytes.flip();
        CoderResult r;
        do {
          r = decoder.decode(bytes, chars, end);
          chars.flip();
          while (chars.hasRemaining()) {
            if (chars.get() == '\n') {
              line++;
            }
          }
          chars.clear();
        } while (r.isOverflow());
        if (r.isError() || end) {
          return line;
        }
        bytes.compact();
      }
    }
  }

  /** A decimal number as CSV files write them, or NaN / Infinity; not Java's 5d or 0x1p3. */
  private static final java.util.regex.Pattern NUMBER =
      java.util.regex.Pattern.compile(
          "[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|NaN|[+-]?Infinity");

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
      if (byName.put(header[c].trim(), c) != null) {
        throw new IllegalArgumentException(
            "--input "
                + input
                + " names the column '"
                + header[c].trim()
                + "' twice in its header");
      }
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

  /**
   * The cells of one CSV line (RFC 4180 quoting within the line: a quoted cell may hold commas, and
   * {@code ""} stands for a quote).
   */
  private String[] split(String line, int lineNo) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
          int next = i + 1;
          while (next < line.length() && line.charAt(next) == ' ') {
            next++;
          }
          if (next < line.length() && line.charAt(next) != ',') {
            throw new IllegalArgumentException(
                input
                    + " line "
                    + lineNo
                    + " has text after a closing quote at column "
                    + (next + 1));
          }
        } else {
          cell.append(ch);
        }
      } else if (ch == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
        wasQuoted = false;
      } else if (ch == '"' && cell.toString().isBlank() && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
        cell.setLength(0);
      } else {
        cell.append(ch);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException(
          input + " line " + lineNo + " has a quoted cell that does not end on the line");
    }
    cells.add(cell.toString());
    return cells.toArray(new String[0]);
  }
}
