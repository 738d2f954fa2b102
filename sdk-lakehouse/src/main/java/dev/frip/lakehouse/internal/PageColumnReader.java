package dev.frip.lakehouse.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Set;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.EncodingStats;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Decodes the pages of one flat column chunk straight into a {@link Columns} column: definition
 * levels and dictionary ids from their RLE / bit-packed runs into an {@code int[]} per page, plain
 * values read from the page's bytes in place. parquet-mr's column reader makes two objects per
 * plain string value (a buffer view and a {@code Binary}) before the {@code String}, and checks its
 * state per value; this makes only the {@code String}.
 *
 * <p>Only chunks whose data pages are {@code PLAIN} or dictionary-encoded, as the footer's encoding
 * statistics tell, of types other than {@code BOOLEAN}, are read this way ({@link #supports}); the
 * caller reads the others with parquet-mr. Pages of either format version are decoded. A page whose
 * bytes end early, or that refers to a dictionary entry that does not exist, fails the read with an
 * {@link IOException} naming the column.
 */
final class PageColumnReader {

  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final Set<Encoding> DATA =
      Set.of(Encoding.PLAIN, Encoding.PLAIN_DICTIONARY, Encoding.RLE_DICTIONARY);
  private static final Set<Encoding> DICTIONARY = Set.of(Encoding.PLAIN, Encoding.PLAIN_DICTIONARY);

  /** Makes the strings of a column from UTF-8 bytes. */
  interface Strings {
    /** A value of a plain page. */
    String plain(byte[] bytes, int offset, int length);

    /** An entry of the chunk's dictionary (decoded once per chunk). */
    String dictionaryEntry(byte[] bytes, int offset, int length);
  }

  private PageColumnReader() {}

  /** True when the chunk's pages can all be decoded here (see the class comment). */
  static boolean supports(ColumnChunkMetaData chunk, ColumnDescriptor column) {
    PrimitiveTypeName type = column.getPrimitiveType().getPrimitiveTypeName();
    EncodingStats stats = chunk.getEncodingStats();
    return column.getMaxRepetitionLevel() == 0
        && column.getMaxDefinitionLevel() <= 1
        && (type == PrimitiveTypeName.BINARY
            || type == PrimitiveTypeName.INT32
            || type == PrimitiveTypeName.INT64
            || type == PrimitiveTypeName.FLOAT
            || type == PrimitiveTypeName.DOUBLE)
        && stats != null
        && DATA.containsAll(stats.getDataEncodings())
        && DICTIONARY.containsAll(stats.getDictionaryEncodings());
  }

  /**
   * Reads the chunk's {@code rows} values into rows {@code base..} of column {@code c} of {@code
   * out}, whose array type matches the column's ({@code FLOAT} widened into a {@code double[]}).
   */
  static void read(
      PageReader pages,
      ColumnDescriptor column,
      Columns out,
      int c,
      int base,
      int rows,
      Strings strings)
      throws IOException {
    String name = String.join(".", column.getPath());
    PrimitiveTypeName type = column.getPrimitiveType().getPrimitiveTypeName();
    int maxDef = column.getMaxDefinitionLevel();
    DictionaryPage dictionaryPage = pages.readDictionaryPage();
    Object dictionary = null;
    int dictionarySize = 0;
    if (dictionaryPage != null) {
      dictionarySize = dictionaryPage.getDictionarySize();
      byte[] b = dictionaryPage.getBytes().toByteArray();
      dictionary = newArray(type, dictionarySize);
      int pos = 0;
      for (int i = 0; i < dictionarySize; i++) {
        pos = plainValue(b, pos, b.length, type, dictionary, i, strings, true, name);
      }
    }
    int[] levels = new int[0];
    int[] ids = new int[0];
    Object data = out.data(c);
    int row = 0;
    while (row < rows) {
      DataPage page = pages.readPage();
      if (page == null) {
        throw new IOException(
            "column " + name + ": its pages hold " + row + " of the row group's " + rows + " rows");
      }
      int count = page.getValueCount();
      if (count > rows - row) {
        throw new IOException(
            "column " + name + ": a page of " + count + " values after " + row + " of " + rows);
      }
      if (levels.length < count) {
        levels = new int[Math.max(count, 2 * levels.length)];
      }
      byte[] b;
      int pos = 0;
      Encoding encoding;
      if (page instanceof DataPageV1 v1) {
        b = v1.getBytes().toByteArray();
        if (maxDef > 0) {
          if (v1.getDlEncoding() == Encoding.RLE) {
            require(b.length >= 4, name);
            int length = (int) INT.get(b, 0);
            require(length >= 0 && length <= b.length - 4, name);
            decodeHybrid(b, 4, 4 + length, 1, levels, count, name);
            pos = 4 + length;
          } else if (v1.getDlEncoding() == Encoding.BIT_PACKED) {
            int length = (count + 7) / 8;
            require(length <= b.length, name);
            for (int i = 0; i < count; i++) {
              levels[i] = (b[i >>> 3] >>> (7 - (i & 7))) & 1;
            }
            pos = length;
          } else {
            throw new IOException(
                "column " + name + ": definition levels encoded as " + v1.getDlEncoding());
          }
        }
        encoding = v1.getValueEncoding();
      } else {
        DataPageV2 v2 = (DataPageV2) page;
        if (maxDef > 0) {
          byte[] dl = v2.getDefinitionLevels().toByteArray();
          decodeHybrid(dl, 0, dl.length, 1, levels, count, name);
        }
        b = v2.getData().toByteArray();
        encoding = v2.getDataEncoding();
      }
      // A required column's levels are never written: they stay 0, its maximum.
      if (encoding.usesDictionary()) {
        require(dictionary != null && b.length > pos, name);
        int present = 0;
        for (int i = 0; i < count; i++) {
          present += levels[i] == maxDef ? 1 : 0;
        }
        if (ids.length < present) {
          ids = new int[Math.max(present, 2 * ids.length)];
        }
        decodeHybrid(b, pos + 1, b.length, b[pos] & 0xff, ids, present, name);
        for (int i = 0, k = 0; i < count; i++) {
          if (levels[i] != maxDef) {
            out.setNull(base + row + i, c);
            continue;
          }
          int id = ids[k++];
          if (id < 0 || id >= dictionarySize) {
            throw new IOException(
                "column " + name + ": dictionary id " + id + " of " + dictionarySize + " entries");
          }
          copy(dictionary, id, data, base + row + i);
        }
      } else if (encoding == Encoding.PLAIN) {
        for (int i = 0; i < count; i++) {
          if (levels[i] != maxDef) {
            out.setNull(base + row + i, c);
          } else {
            pos = plainValue(b, pos, b.length, type, data, base + row + i, strings, false, name);
          }
        }
      } else {
        throw new IOException("column " + name + ": values encoded as " + encoding);
      }
      row += count;
    }
  }

  private static Object newArray(PrimitiveTypeName type, int n) {
    return switch (type) {
      case BINARY -> new String[n];
      case INT64 -> new long[n];
      case INT32 -> new int[n];
      default -> new double[n];
    };
  }

  private static void copy(Object from, int i, Object to, int j) {
    if (to instanceof String[] s) {
      s[j] = ((String[]) from)[i];
    } else if (to instanceof long[] l) {
      l[j] = ((long[]) from)[i];
    } else if (to instanceof int[] v) {
      v[j] = ((int[]) from)[i];
    } else {
      ((double[]) to)[j] = ((double[]) from)[i];
    }
  }

  /** Reads one plain value at {@code pos} into {@code to[j]}; returns the position after it. */
  private static int plainValue(
      byte[] b,
      int pos,
      int end,
      PrimitiveTypeName type,
      Object to,
      int j,
      Strings strings,
      boolean dictionary,
      String name)
      throws IOException {
    switch (type) {
      case BINARY -> {
        require(end - pos >= 4, name);
        int length = (int) INT.get(b, pos);
        require(length >= 0 && length <= end - pos - 4, name);
        ((String[]) to)[j] =
            dictionary
                ? strings.dictionaryEntry(b, pos + 4, length)
                : strings.plain(b, pos + 4, length);
        return pos + 4 + length;
      }
      case INT64 -> {
        require(end - pos >= 8, name);
        ((long[]) to)[j] = (long) LONG.get(b, pos);
        return pos + 8;
      }
      case INT32 -> {
        require(end - pos >= 4, name);
        ((int[]) to)[j] = (int) INT.get(b, pos);
        return pos + 4;
      }
      case DOUBLE -> {
        require(end - pos >= 8, name);
        ((double[]) to)[j] = Double.longBitsToDouble((long) LONG.get(b, pos));
        return pos + 8;
      }
      default -> {
        require(end - pos >= 4, name);
        ((double[]) to)[j] = Float.intBitsToFloat((int) INT.get(b, pos));
        return pos + 4;
      }
    }
  }

  /**
   * Decodes {@code n} values of Parquet's RLE / bit-packing hybrid encoding of width {@code
   * bitWidth} from {@code b[pos, end)} into {@code out}.
   */
  static void decodeHybrid(byte[] b, int pos, int end, int bitWidth, int[] out, int n, String name)
      throws IOException {
    if (bitWidth > 32) {
      throw new IOException("column " + name + ": bit width " + bitWidth);
    }
    int byteWidth = BytesUtils.paddedByteCountFromBits(bitWidth);
    long mask = (1L << bitWidth) - 1;
    int i = 0;
    while (i < n) {
      int header = 0;
      int shift = 0;
      int x;
      do {
        require(pos < end && shift < 35, name);
        x = b[pos++];
        header |= (x & 0x7f) << shift;
        shift += 7;
      } while (x < 0);
      if ((header & 1) == 0) {
        int count = header >>> 1;
        require(end - pos >= byteWidth, name);
        int v = 0;
        for (int k = 0; k < byteWidth; k++) {
          v |= (b[pos++] & 0xff) << (8 * k);
        }
        int stop = Math.min(n, i + count);
        Arrays.fill(out, i, stop, v);
        i = stop;
        if (count == 0) {
          throw new IOException("column " + name + ": an empty run");
        }
      } else {
        int values = (header >>> 1) * 8;
        require(values > 0 && (long) (header >>> 1) * bitWidth <= end - pos, name);
        long acc = 0;
        int bits = 0;
        for (int k = 0; k < values; k++) {
          while (bits < bitWidth) {
            acc |= (long) (b[pos++] & 0xff) << bits;
            bits += 8;
          }
          if (i < n) {
            out[i] = (int) (acc & mask);
          }
          i++;
          acc >>>= bitWidth;
          bits -= bitWidth;
        }
      }
    }
  }

  private static void require(boolean ok, String name) throws IOException {
    if (!ok) {
      throw new IOException("column " + name + ": a page ends before its values");
    }
  }
}
