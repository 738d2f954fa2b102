package dev.frip.lakehouse.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.parquet.bytes.ByteBufferAllocator;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.BinaryStatistics;
import org.apache.parquet.column.statistics.BooleanStatistics;
import org.apache.parquet.column.statistics.DoubleStatistics;
import org.apache.parquet.column.statistics.FloatStatistics;
import org.apache.parquet.column.statistics.IntStatistics;
import org.apache.parquet.column.statistics.LongStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType;

/**
 * Encodes one flat column of a {@link Columns} table into Parquet v1 data pages, straight from its
 * primitive arrays, and hands them to parquet-mr's {@link PageWriter} (which compresses them and
 * builds the page headers, column and offset indexes and the chunk's metadata). It replaces
 * parquet-mr's value-by-value column writer, whose per-value dictionary look-ups (hashing each
 * value's bytes), {@code Binary} wrappers, UTF-8 copies and zeroed buffer slabs were about a third
 * of silver's CPU (benchmarks/RESULTS.md, session 11).
 *
 * <p>The pages carry what parquet-mr's v1 writer puts in them, so readers cannot tell the two
 * apart:
 *
 * <ul>
 *   <li>definition levels (optional columns) RLE/bit-packed with a 4-byte length; no repetition
 *       levels (flat schema); encodings reported as parquet-mr reports them;
 *   <li>values {@code PLAIN}, or {@code PLAIN_DICTIONARY} ids (a bit-width byte, then
 *       RLE/bit-packed runs) with one {@code PLAIN} dictionary page per chunk; booleans always
 *       plain;
 *   <li>parquet-mr's dictionary rules: the dictionary is dropped when the first page does not
 *       shrink with it (encoded page plus dictionary not below the plain size); once the dictionary
 *       grows beyond {@link ParquetProperties#getDictionaryPageSizeThreshold()} the page in
 *       progress and all later ones are written plain, and the dictionary page holds the entries
 *       the earlier pages use;
 *   <li>page statistics (min, max, null count; or parquet-mr's no-op statistics where disabled) as
 *       parquet-mr's {@link Statistics} classes compute them: strings compared as unsigned UTF-8
 *       bytes, floating-point values through the statistics' own update.
 * </ul>
 *
 * <p>Pages end at {@link ParquetProperties#getPageRowCountLimit()} rows or when their estimated
 * size reaches {@link ParquetProperties#getPageSizeThreshold()}. Rows are appended in order with
 * {@link #write}; a page is encoded when it ends, from the source arrays, so nothing is buffered
 * per value. Not thread-safe: one encoder per column and file.
 */
final class ColumnChunkEncoder {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private enum Kind {
    STRING(4),
    LONG(8),
    INT(4),
    DOUBLE(8),
    FLOAT(4),
    BOOLEAN(1);

    /** Plain bytes per value (strings: the length prefix only). */
    final int width;

    Kind(int width) {
      this.width = width;
    }
  }

  /**
   * Whether pages of this column can be encoded here with the given settings: writer v1, no
   * byte-stream-split and no bloom filter (which parquet-mr's writer would add), flat column.
   */
  static boolean supports(ParquetProperties props, ColumnDescriptor column) {
    return props.getWriterVersion() == ParquetProperties.WriterVersion.PARQUET_1_0
        && !props.isByteStreamSplitEnabled(column)
        && !props.isBloomFilterEnabled(column)
        && column.getMaxRepetitionLevel() == 0
        && column.getMaxDefinitionLevel() <= 1;
  }

  private final ColumnDescriptor column;
  private final PrimitiveType type;
  private final Kind kind;
  private final boolean optional;
  private final boolean statistics;
  private final int pageSize;
  private final int pageRowLimit;
  private final int maxDictionaryBytes;

  private final boolean[] nulls;
  private final String[] strings;
  private final long[] longs;
  private final int[] ints;
  private final double[] doubles;
  private final boolean[] booleans;

  private PageWriter pages;
  private Dictionary dictionary; // null while writing plain
  private boolean dictionaryUsed; // a page of this chunk refers to it
  private boolean firstPage;
  private int pageStart;
  private int pageEnd;
  private long pageBytes; // estimated size of the page in progress

  private byte[] buf = new byte[1 << 16];
  private int pos;
  private int[] ids = new int[0];

  /**
   * An encoder for column {@code col} of {@code rows}, written as {@code column}; {@code asFloat}
   * for a {@code FLOAT} column held as doubles.
   */
  ColumnChunkEncoder(
      ColumnDescriptor column, ParquetProperties props, Columns rows, int col, boolean asFloat) {
    this.column = column;
    this.type = column.getPrimitiveType();
    this.optional = column.getMaxDefinitionLevel() == 1;
    this.statistics = props.getStatisticsEnabled(column);
    this.pageSize = props.getPageSizeThreshold();
    this.pageRowLimit = Math.max(1, props.getPageRowCountLimit());
    this.maxDictionaryBytes = props.getDictionaryPageSizeThreshold();
    this.nulls = rows.nulls(col);
    Object data = rows.data(col);
    strings = data instanceof String[] s ? s : null;
    longs = data instanceof long[] l ? l : null;
    ints = data instanceof int[] i ? i : null;
    doubles = data instanceof double[] d ? d : null;
    booleans = data instanceof boolean[] b ? b : null;
    if (strings != null) {
      kind = Kind.STRING;
    } else if (longs != null) {
      kind = Kind.LONG;
    } else if (ints != null) {
      kind = Kind.INT;
    } else if (doubles != null) {
      kind = asFloat ? Kind.FLOAT : Kind.DOUBLE;
    } else {
      kind = Kind.BOOLEAN;
    }
  }

  /**
   * Starts a column chunk (a row group) whose pages go to {@code pages}, with the dictionary
   * setting {@code props} gives this column for it.
   */
  void startChunk(PageWriter pages, ParquetProperties props, int firstRow) {
    this.pages = pages;
    this.dictionary =
        kind != Kind.BOOLEAN && props.isDictionaryEnabled(column) ? new Dictionary() : null;
    this.dictionaryUsed = false;
    this.firstPage = true;
    this.pageStart = firstRow;
    this.pageEnd = firstRow;
    this.pageBytes = 0;
  }

  /** Appends rows {@code [from, to)}, which must follow the rows appended before. */
  void write(int from, int to) throws IOException {
    if (from != pageEnd) {
      throw new IllegalStateException(
          "column " + column + ": rows from " + from + " appended after row " + pageEnd);
    }
    int r = from;
    while (r < to) {
      int end = Math.min(to, pageStart + pageRowLimit);
      boolean plain = dictionary == null || dictionary.frozen;
      if (kind == Kind.STRING && plain) {
        // Plain strings: the page ends by size as well.
        while (r < end && pageBytes < pageSize) {
          String s = strings[r++];
          if (s != null) {
            pageBytes += 4 + s.length();
          }
        }
      } else {
        int width = plain ? kind.width : 4;
        long room = (pageSize - pageBytes + width - 1) / width;
        int stop = (int) Math.min(end, r + Math.max(1, room));
        pageBytes += (long) (stop - r) * width;
        r = stop;
      }
      pageEnd = r;
      if (pageEnd - pageStart >= pageRowLimit || pageBytes >= pageSize) {
        closePage();
      }
    }
  }

  /**
   * The bytes this chunk holds in memory: pages written (compressed), the page in progress
   * (estimated) and the dictionary.
   */
  long bufferedSize() {
    return pages.getMemSize() + pageBytes + (dictionary == null ? 0 : dictionary.bytes);
  }

  /** Writes the last page and the dictionary page; the chunk is then complete. */
  void finishChunk() throws IOException {
    if (pageEnd > pageStart) {
      closePage();
    }
    if (dictionaryUsed) {
      pages.writeDictionaryPage(dictionary.page(kind));
    }
    dictionary = null;
  }

  private void closePage() throws IOException {
    int from = pageStart;
    int to = pageEnd;
    int n = to - from;
    Statistics<?> stats = statistics ? Statistics.createStats(type) : Statistics.noopStats(type);
    int nullCount = 0;
    if (nulls != null) {
      for (int r = from; r < to; r++) {
        if (nulls[r]) {
          nullCount++;
        }
      }
    }
    if (nullCount > 0 && !optional) {
      throw new IllegalArgumentException(
          "column " + column + " is required but holds a null in rows " + from + " to " + to);
    }
    BytesInput levels = optional ? levels(from, to, nullCount) : BytesInput.empty();
    BytesInput values = null;
    Encoding encoding = Encoding.PLAIN;
    if (dictionary != null && !dictionary.frozen) {
      values = dictionaryIds(from, to, n - nullCount, stats);
      if (values == null) {
        // The dictionary overflowed in this page: it and the rest of the chunk go plain.
        if (dictionaryUsed) {
          dictionary.freeze();
        } else {
          dictionary = null;
        }
      } else if (firstPage && values.size() + dictionary.bytes >= dictionary.rawBytes) {
        // parquet-mr's first-page rule: a dictionary that does not make the page smaller is
        // dropped, and the chunk is written plain.
        dictionary = null;
        values = null;
        stats = statistics ? Statistics.createStats(type) : Statistics.noopStats(type);
      } else {
        encoding = Encoding.PLAIN_DICTIONARY;
        dictionaryUsed = true;
        dictionary.usedSize = dictionary.size;
      }
    }
    if (values == null) {
      values = plain(from, to, stats);
    }
    if (nullCount > 0) {
      stats.incrementNumNulls(nullCount);
    }
    pages.writePage(
        BytesInput.concat(levels, values),
        n,
        n,
        stats,
        Encoding.BIT_PACKED,
        optional ? Encoding.RLE : Encoding.BIT_PACKED,
        encoding);
    firstPage = false;
    pageStart = to;
    pageBytes = 0;
  }

  /** Definition levels with their 4-byte length: 1 for a value, 0 for a null. */
  private BytesInput levels(int from, int to, int nullCount) throws IOException {
    int n = to - from;
    if (nullCount == 0) {
      // One RLE run of n ones: the header (n << 1) as a varint, then the value in one byte.
      byte[] run = new byte[4 + 6];
      int at = 4;
      int header = n << 1;
      while ((header & ~0x7f) != 0) {
        run[at++] = (byte) ((header & 0x7f) | 0x80);
        header >>>= 7;
      }
      run[at++] = (byte) header;
      run[at++] = 1;
      INTS.set(run, 0, at - 4);
      return BytesInput.from(run, 0, at);
    }
    if (ids.length < n) {
      ids = new int[Math.max(n, ids.length * 2)];
    }
    for (int r = from; r < to; r++) {
      ids[r - from] = nulls[r] ? 0 : 1;
    }
    BytesInput rle = hybrid(1, n);
    return BytesInput.concat(BytesInput.fromInt(Math.toIntExact(rle.size())), rle);
  }

  /**
   * The page's values as dictionary ids, adding new values to the dictionary and their statistics
   * to {@code stats}; {@code null} when the dictionary outgrows its limit.
   */
  private BytesInput dictionaryIds(int from, int to, int nonNull, Statistics<?> stats)
      throws IOException {
    if (ids.length < nonNull) {
      ids = new int[Math.max(nonNull, ids.length * 2)];
    }
    Dictionary d = dictionary;
    d.rawBytes = 0;
    int k = 0;
    switch (kind) {
      case STRING -> {
        String last = null;
        int lastId = -1;
        for (int r = from; r < to; r++) {
          if (nulls != null && nulls[r]) {
            continue;
          }
          String s = strings[r];
          int id = s == last ? lastId : d.idOf(s);
          if (id < 0) {
            return null;
          }
          ids[k++] = id;
          d.rawBytes += 4 + d.utf8[id].length;
          last = s;
          lastId = id;
        }
      }
      case LONG -> {
        for (int r = from; r < to; r++) {
          if (nulls == null || !nulls[r]) {
            int id = d.idOf(longs[r]);
            if (id < 0) {
              return null;
            }
            ids[k++] = id;
          }
        }
      }
      case INT -> {
        for (int r = from; r < to; r++) {
          if (nulls == null || !nulls[r]) {
            int id = d.idOf(ints[r]);
            if (id < 0) {
              return null;
            }
            ids[k++] = id;
          }
        }
      }
      case DOUBLE -> {
        for (int r = from; r < to; r++) {
          if (nulls == null || !nulls[r]) {
            int id = d.idOf(Double.doubleToLongBits(doubles[r]));
            if (id < 0) {
              return null;
            }
            ids[k++] = id;
          }
        }
      }
      case FLOAT -> {
        for (int r = from; r < to; r++) {
          if (nulls == null || !nulls[r]) {
            int id = d.idOf(Float.floatToIntBits((float) doubles[r]));
            if (id < 0) {
              return null;
            }
            ids[k++] = id;
          }
        }
      }
      default -> throw new IllegalStateException("no dictionary for " + kind);
    }
    if (kind != Kind.STRING) {
      d.rawBytes = (long) k * kind.width;
    }
    if (statistics) {
      if (kind == Kind.STRING) {
        stringStatistics(d, k, (BinaryStatistics) stats);
      } else {
        numberStatistics(from, to, stats);
      }
    }
    int bitWidth = BytesUtils.getWidthFromMaxInt(d.size - 1);
    return BytesInput.concat(BytesInput.from(new byte[] {(byte) bitWidth}), hybrid(bitWidth, k));
  }

  /** {@code ids[0..count)} RLE/bit-packed at {@code bitWidth}, copied out of the encoder. */
  private BytesInput hybrid(int bitWidth, int count) throws IOException {
    try (RunLengthBitPackingHybridEncoder e =
        new RunLengthBitPackingHybridEncoder(
            bitWidth, 64, Math.max(64, count * bitWidth / 8 + 64), HEAP)) {
      for (int i = 0; i < count; i++) {
        e.writeInt(ids[i]);
      }
      return BytesInput.from(e.toBytes().toByteArray());
    }
  }

  /** Min and max of the page's distinct strings, as unsigned UTF-8 bytes. */
  private void stringStatistics(Dictionary d, int k, BinaryStatistics stats) {
    if (k == 0) {
      return;
    }
    d.page++;
    byte[] min = null;
    byte[] max = null;
    for (int i = 0; i < k; i++) {
      int id = ids[i];
      if (d.seenInPage[id] == d.page) {
        continue;
      }
      d.seenInPage[id] = d.page;
      byte[] v = d.utf8[id];
      if (min == null || Arrays.compareUnsigned(v, min) < 0) {
        min = v;
      }
      if (max == null || Arrays.compareUnsigned(v, max) > 0) {
        max = v;
      }
    }
    stats.updateStats(Binary.fromConstantByteArray(min));
    stats.updateStats(Binary.fromConstantByteArray(max));
  }

  /**
   * Statistics of a numeric or boolean page, value by value as parquet-mr's writer updates them.
   */
  private void numberStatistics(int from, int to, Statistics<?> stats) {
    switch (kind) {
      case LONG -> {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        boolean any = false;
        for (int r = from; r < to; r++) {
          if (nulls == null || !nulls[r]) {
            long v = longs[r];
            min = Math.min(min, v);
            max = Math.max(max, v);
            any = true;
          }
        }
        if (any) {
          ((LongStatistics) stats).updateStats(min);
          ((LongStatistics) stats).updateStats(max);
        }
      }
      case INT -> {
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        boolean any = false;
        for (int r = from; r < to; r++) {
          if (nulls == null || !nulls[r]) {
            int v = ints[r];
            min = Math.min(min, v);
            max = Math.max(max, v);
            any = true;
          }
        }
        if (any) {
          ((IntStatistics) stats).updateStats(min);
          ((IntStatistics) stats).updateStats(max);
        }
      }
      case DOUBLE -> {
        DoubleStatistics s = (DoubleStatistics) stats;
        for (int r = from; r < to; r++) {
          if (nulls == null || !nulls[r]) {
            s.updateStats(doubles[r]);
          }
        }
      }
      case FLOAT -> {
        FloatStatistics s = (FloatStatistics) stats;
        for (int r = from; r < to; r++) {
          if (nulls == null || !nulls[r]) {
            s.updateStats((float) doubles[r]);
          }
        }
      }
      case BOOLEAN -> {
        BooleanStatistics s = (BooleanStatistics) stats;
        for (int r = from; r < to; r++) {
          if (nulls == null || !nulls[r]) {
            s.updateStats(booleans[r]);
          }
        }
      }
      default -> throw new IllegalStateException("not a number: " + kind);
    }
  }

  /** The page's values, plain; their statistics go to {@code stats}. */
  private BytesInput plain(int from, int to, Statistics<?> stats) {
    pos = 0;
    switch (kind) {
      case STRING -> plainStrings(from, to, stats);
      case LONG -> {
        ensure((to - from) * 8L);
        for (int r = from; r < to; r++) {
          if (nulls == null || !nulls[r]) {
            LONGS.set(buf, pos, longs[r]);
            pos += 8;
          }
        }
      }
      case INT -> {
        ensure((to - from) * 4L);
        for (int r = from; r < to; r++) {
          if (nulls == null || !nulls[r]) {
            INTS.set(buf, pos, ints[r]);
            pos += 4;
          }
        }
      }
      case DOUBLE -> {
        ensure((to - from) * 8L);
        for (int r = from; r < to; r++) {
          if (nulls == null || !nulls[r]) {
            LONGS.set(buf, pos, Double.doubleToLongBits(doubles[r]));
            pos += 8;
          }
        }
      }
      case FLOAT -> {
        ensure((to - from) * 4L);
        for (int r = from; r < to; r++) {
          if (nulls == null || !nulls[r]) {
            INTS.set(buf, pos, Float.floatToIntBits((float) doubles[r]));
            pos += 4;
          }
        }
      }
      case BOOLEAN -> {
        // Bit-packed, least significant bit first, padded to a whole byte.
        ensure((to - from + 7) / 8);
        int bits = 0;
        int count = 0;
        for (int r = from; r < to; r++) {
          if (nulls == null || !nulls[r]) {
            if (booleans[r]) {
              bits |= 1 << count;
            }
            if (++count == 8) {
              buf[pos++] = (byte) bits;
              bits = 0;
              count = 0;
            }
          }
        }
        if (count > 0) {
          buf[pos++] = (byte) bits;
        }
      }
    }
    if (statistics && kind != Kind.STRING) {
      numberStatistics(from, to, stats);
    }
    // The page writer compresses (or copies) the bytes before returning, so buf can be reused.
    return BytesInput.from(buf, 0, pos);
  }

  /** Plain strings: a 4-byte length, then the UTF-8 bytes; statistics as unsigned bytes. */
  private void plainStrings(int from, int to, Statistics<?> stats) {
    int minAt = -1;
    int minLen = 0;
    int maxAt = -1;
    int maxLen = 0;
    for (int r = from; r < to; r++) {
      if (nulls != null && nulls[r]) {
        continue;
      }
      String s = strings[r];
      int len = s.length();
      ensure(4L + 3L * len);
      int start = pos + 4;
      int or = 0;
      for (int i = 0; i < len; i++) {
        char c = s.charAt(i);
        or |= c;
        buf[start + i] = (byte) c;
      }
      if (or >= 0x80) {
        // Not ASCII: let the JDK encode it (unpaired surrogates become '?', as getBytes does).
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        len = b.length;
        System.arraycopy(b, 0, buf, start, len);
      }
      INTS.set(buf, pos, len);
      if (statistics) {
        if (minAt < 0
            || Arrays.compareUnsigned(buf, start, start + len, buf, minAt, minAt + minLen) < 0) {
          minAt = start;
          minLen = len;
        }
        if (maxAt < 0
            || Arrays.compareUnsigned(buf, start, start + len, buf, maxAt, maxAt + maxLen) > 0) {
          maxAt = start;
          maxLen = len;
        }
      }
      pos = start + len;
    }
    if (minAt >= 0) {
      BinaryStatistics b = (BinaryStatistics) stats;
      b.updateStats(Binary.fromConstantByteArray(Arrays.copyOfRange(buf, minAt, minAt + minLen)));
      b.updateStats(Binary.fromConstantByteArray(Arrays.copyOfRange(buf, maxAt, maxAt + maxLen)));
    }
  }

  private void ensure(long more) {
    long need = pos + more;
    if (need > buf.length) {
      if (need > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("column " + column + ": page larger than 2 GB");
      }
      buf =
          Arrays.copyOf(
              buf, (int) Math.max(need, Math.min(Integer.MAX_VALUE - 16, 2L * buf.length)));
    }
  }

  private static final ByteBufferAllocator HEAP = new HeapByteBufferAllocator();

  /**
   * A column chunk's dictionary: values to ids in first-seen order, open addressing, with the byte
   * size parquet-mr counts (8 or 4 per number, 4 plus the UTF-8 length per string).
   */
  private final class Dictionary {
    int size;
    long bytes;
    long rawBytes; // plain size of the page being encoded
    boolean frozen; // overflowed: no more entries, later pages plain
    int usedSize; // entries the dictionary-encoded pages so far refer to
    int page;
    int[] seenInPage = new int[64];

    // Numbers: keys are the value's bits (long, or int widened).
    long[] numberKeys;
    long[] entries = new long[64];
    // Strings.
    String[] stringKeys;
    byte[][] utf8 = new byte[64][];

    int[] slotIds; // id + 1, 0 for an empty slot
    int mask;

    Dictionary() {
      int cap = 1024;
      slotIds = new int[cap];
      mask = cap - 1;
      if (kind == Kind.STRING) {
        stringKeys = new String[cap];
      } else {
        numberKeys = new long[cap];
      }
    }

    /** The id of {@code s}, added if new; -1 when adding it takes the dictionary over its limit. */
    int idOf(String s) {
      int h = s.hashCode();
      int i = mix(h) & mask;
      int id;
      while ((id = slotIds[i]) != 0) {
        String k = stringKeys[i];
        if (k == s || (k.hashCode() == h && k.equals(s))) {
          return id - 1;
        }
        i = (i + 1) & mask;
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      bytes += 4 + b.length;
      if (bytes > maxDictionaryBytes) {
        return -1;
      }
      int newId = add(i);
      stringKeys[i] = s;
      if (newId == utf8.length) {
        utf8 = Arrays.copyOf(utf8, newId * 2);
      }
      utf8[newId] = b;
      grow();
      return newId;
    }

    /** {@link #idOf(String)} for a number's bits. */
    int idOf(long bits) {
      int i = mix(Long.hashCode(bits * 0x9E3779B97F4A7C15L)) & mask;
      int id;
      while ((id = slotIds[i]) != 0) {
        if (numberKeys[i] == bits) {
          return id - 1;
        }
        i = (i + 1) & mask;
      }
      bytes += kind.width;
      if (bytes > maxDictionaryBytes) {
        return -1;
      }
      int newId = add(i);
      numberKeys[i] = bits;
      if (newId == entries.length) {
        entries = Arrays.copyOf(entries, newId * 2);
      }
      entries[newId] = bits;
      grow();
      return newId;
    }

    private int add(int slot) {
      int id = size++;
      slotIds[slot] = id + 1;
      if (id == seenInPage.length) {
        seenInPage = Arrays.copyOf(seenInPage, id * 2);
      }
      return id;
    }

    private void grow() {
      if (size * 2 <= slotIds.length) {
        return;
      }
      int cap = slotIds.length * 2;
      int[] oldIds = slotIds;
      String[] oldStrings = stringKeys;
      long[] oldNumbers = numberKeys;
      slotIds = new int[cap];
      mask = cap - 1;
      if (oldStrings != null) {
        stringKeys = new String[cap];
      } else {
        numberKeys = new long[cap];
      }
      for (int j = 0; j < oldIds.length; j++) {
        if (oldIds[j] == 0) {
          continue;
        }
        int i =
            oldStrings != null
                ? mix(oldStrings[j].hashCode()) & mask
                : mix(Long.hashCode(oldNumbers[j] * 0x9E3779B97F4A7C15L)) & mask;
        while (slotIds[i] != 0) {
          i = (i + 1) & mask;
        }
        slotIds[i] = oldIds[j];
        if (oldStrings != null) {
          stringKeys[i] = oldStrings[j];
        } else {
          numberKeys[i] = oldNumbers[j];
        }
      }
    }

    /** Stops adding: the dictionary page keeps the entries the pages so far use. */
    void freeze() {
      frozen = true;
    }

    /** The dictionary page: the entries the pages use, plain-encoded, in id order. */
    DictionaryPage page(Kind k) {
      int count = usedSize;
      byte[] out;
      if (k == Kind.STRING) {
        long total = 0;
        for (int i = 0; i < count; i++) {
          total += 4 + utf8[i].length;
        }
        out = new byte[Math.toIntExact(total)];
        int at = 0;
        for (int i = 0; i < count; i++) {
          byte[] b = utf8[i];
          INTS.set(out, at, b.length);
          System.arraycopy(b, 0, out, at + 4, b.length);
          at += 4 + b.length;
        }
      } else if (k.width == 8) {
        out = new byte[count * 8];
        for (int i = 0; i < count; i++) {
          LONGS.set(out, i * 8, entries[i]);
        }
      } else {
        out = new byte[count * 4];
        for (int i = 0; i < count; i++) {
          INTS.set(out, i * 4, (int) entries[i]);
        }
      }
      return new DictionaryPage(BytesInput.from(out), count, Encoding.PLAIN_DICTIONARY);
    }
  }

  private static int mix(int h) {
    return h ^ (h >>> 16);
  }
}
