package dev.frip.scoring.internal;

import java.util.Arrays;

/**
 * An immutable, flattened tree ensemble and its evaluation: the hot path of FRIP scoring.
 *
 * <p><b>Missing values without a branch.</b> Each row is first expanded into {@code 2 *
 * numFeatures} slots: slot {@code f} holds the value with a missing value replaced by {@code
 * +Infinity}, slot {@code numFeatures + f} the value with a missing value replaced by {@code
 * -Infinity}. A node whose default direction is right reads the first copy ({@code +Inf < split} is
 * false, so it goes right), a default-left node reads the second ({@code -Inf < split} is true).
 * The hot loop is then one float comparison per level, compiled to a conditional move. The one
 * split this cannot express, a default-left node splitting at {@code -Infinity}, makes the ensemble
 * use an exact (slower) path that tests for missing values per node.
 *
 * <p><b>Layouts.</b> The <em>pointer</em> layout renumbers each tree breadth-first so that a node's
 * right child follows its left child; it serves every model and the contribution walk. The
 * <em>perfect</em> layout, built when the deepest tree has at most {@link #MAX_PERFECT_DEPTH}
 * levels, pads every tree to a complete binary tree (a shallow leaf is copied into all slots below
 * it), so a traversal is a fixed number of steps {@code i = 2i + 1 + goRight}, one packed {@code
 * long} (slot, split) per node; trees are walked eight at a time in lockstep so the CPU overlaps
 * their memory loads.
 *
 * <p>Semantics are XGBoost's: a value is missing when it is NaN or equals the configured missing
 * value; otherwise it goes left when {@code x < split} in float32. Leaves are added in float32, in
 * tree order, onto the base margin. Instances are thread-safe: fields are final and never written
 * after construction; the row expansion uses a per-thread buffer, so scoring does not allocate.
 */
public final class TreeEnsemble {

  /** Deepest tree for which the padded, perfect layout is built. */
  public static final int MAX_PERFECT_DEPTH = 8;

  private final int numTrees;
  private final int numFeatures;
  private final int numOutputs;
  private final float missing;
  private final float[] baseMargin;
  private final int[] group;
  private final boolean exact; // a default-left split at -Inf: test missing values per node
  private final ThreadLocal<float[]> scratch; // the expanded row, reused by every score

  // Pointer layout: one slot per node, trees concatenated.
  private final int[] treeRoot;
  private final int[]
      slot; // expanded-row slot the node reads (feature, +numFeatures if default left)
  private final int[] left; // absolute index of the left child, -1 for a leaf
  private final float[] value; // split condition, or leaf value for a leaf
  private final float[] mean; // cover-weighted mean of the leaves below, for contributions

  // Perfect layout (null when a tree is deeper than MAX_PERFECT_DEPTH): pairs (slot, split bits).
  private final int depth;
  private final long[] pNode; // (slot << 32) | split bits, one load per node
  private final float[] pLeaf;

  /** One tree as XGBoost stores it: parallel arrays indexed by node id, root at node 0. */
  public record Tree(
      int[] leftChildren,
      int[] rightChildren,
      int[] splitIndices,
      float[] splitConditions,
      boolean[] defaultLeft,
      float[] sumHessian,
      int group) {}

  /**
   * Builds the ensemble; the trees must already be validated (children in range, no cycles,
   * features below {@code numFeatures}).
   */
  public TreeEnsemble(Tree[] trees, int numFeatures, float[] baseMargin, float missing) {
    this.numTrees = trees.length;
    this.numFeatures = numFeatures;
    this.numOutputs = baseMargin.length;
    this.baseMargin = baseMargin.clone();
    this.missing = missing;
    this.scratch = ThreadLocal.withInitial(() -> new float[2 * numFeatures]);
    this.group = new int[numTrees];
    this.treeRoot = new int[numTrees];
    int total = 0;
    int maxDepth = 0;
    boolean needsExact = false;
    for (int t = 0; t < numTrees; t++) {
      Tree tree = trees[t];
      treeRoot[t] = total;
      total += tree.leftChildren().length;
      group[t] = tree.group();
      maxDepth = Math.max(maxDepth, depth(tree));
      for (int n = 0; n < tree.leftChildren().length; n++) {
        float s = tree.splitConditions()[n];
        if (tree.leftChildren()[n] != -1 && (Float.isNaN(s) || Float.isInfinite(s))) {
          needsExact = true;
        }
      }
    }
    this.exact = needsExact;
    slot = new int[total];
    left = new int[total];
    value = new float[total];
    mean = new float[total];
    for (int t = 0; t < numTrees; t++) {
      relayout(trees[t], treeRoot[t]);
    }
    if (maxDepth <= MAX_PERFECT_DEPTH && !exact) {
      depth = maxDepth;
      int internal = (1 << depth) - 1;
      int leaves = 1 << depth;
      pNode = new long[numTrees * internal];
      pLeaf = new float[numTrees * leaves];
      for (int t = 0; t < numTrees; t++) {
        fillPerfect(treeRoot[t], 0, 0, t * internal, t * leaves, internal);
      }
    } else {
      depth = -1;
      pNode = null;
      pLeaf = null;
    }
  }

  private static int depth(Tree tree) {
    // Iterative: deep trees must not overflow the stack; validation has ruled out cycles.
    int n = tree.leftChildren().length;
    int[] stackNode = new int[n + 1];
    int[] stackDepth = new int[n + 1];
    int sp = 0;
    stackNode[sp] = 0;
    stackDepth[sp++] = 0;
    int max = 0;
    while (sp > 0) {
      sp--;
      int node = stackNode[sp];
      int d = stackDepth[sp];
      if (tree.leftChildren()[node] == -1) {
        max = Math.max(max, d);
      } else {
        stackNode[sp] = tree.leftChildren()[node];
        stackDepth[sp++] = d + 1;
        stackNode[sp] = tree.rightChildren()[node];
        stackDepth[sp++] = d + 1;
      }
    }
    return max;
  }

  private void relayout(Tree tree, int base) {
    int n = tree.leftChildren().length;
    int[] order = new int[n]; // new position -> original node id
    int[] posOf = new int[n];
    int reached = 1;
    for (int head = 0; head < reached; head++) {
      int orig = order[head];
      posOf[orig] = head;
      int l = tree.leftChildren()[orig];
      if (l != -1) {
        order[reached++] = l;
        order[reached++] = tree.rightChildren()[orig];
      }
    }
    for (int s = 0; s < reached; s++) {
      int orig = order[s];
      int l = tree.leftChildren()[orig];
      int at = base + s;
      value[at] = tree.splitConditions()[orig];
      if (l == -1) {
        left[at] = -1;
      } else {
        slot[at] = tree.splitIndices()[orig] + (tree.defaultLeft()[orig] ? numFeatures : 0);
        left[at] = base + posOf[l];
      }
    }
    // Unreachable (deleted) nodes keep zeroed slots; nothing points at them.
    float[] h = tree.sumHessian();
    for (int s = reached - 1; s >= 0; s--) {
      int at = base + s;
      int orig = order[s];
      if (left[at] == -1) {
        mean[at] = value[at];
      } else {
        int l = left[at];
        double hl = h == null ? 1 : h[tree.leftChildren()[orig]];
        double hr = h == null ? 1 : h[tree.rightChildren()[orig]];
        double sum = hl + hr;
        mean[at] =
            sum > 0
                ? (float) ((mean[l] * hl + mean[l + 1] * hr) / sum)
                : (mean[l] + mean[l + 1]) / 2;
      }
    }
  }

  private void fillPerfect(
      int node, int heap, int level, int nodeBase, int leafBase, int internal) {
    if (level == depth) {
      pLeaf[leafBase + heap - internal] = value[node];
      return;
    }
    int p = nodeBase + heap;
    if (left[node] == -1) {
      // A shallow leaf: pad with a split whose both sides lead to copies of this leaf.
      pNode[p] = pack(0, 0f);
      fillPerfect(node, 2 * heap + 1, level + 1, nodeBase, leafBase, internal);
      fillPerfect(node, 2 * heap + 2, level + 1, nodeBase, leafBase, internal);
    } else {
      pNode[p] = pack(slot[node], value[node]);
      fillPerfect(left[node], 2 * heap + 1, level + 1, nodeBase, leafBase, internal);
      fillPerfect(left[node] + 1, 2 * heap + 2, level + 1, nodeBase, leafBase, internal);
    }
  }

  private static long pack(int slot, float split) {
    return ((long) slot << 32) | (Float.floatToRawIntBits(split) & 0xffffffffL);
  }

  /**
   * The heap index of the child to visit: {@code 2i + 1} when {@code row[slot] < split}, else
   * {@code 2i + 2}. The sign bit of the difference decides without a branch; it is exact because
   * rows hold no NaN and no -0 after expansion and splits are finite on this path.
   */
  private static int child(int i, long node, float[] row) {
    float diff = row[(int) (node >>> 32)] - Float.intBitsToFloat((int) node);
    return 2 * i + 2 - (Float.floatToRawIntBits(diff) >>> 31);
  }

  /** Number of trees. */
  public int numTrees() {
    return numTrees;
  }

  /** Number of input features a row must carry. */
  public int numFeatures() {
    return numFeatures;
  }

  /** Number of margins per row: 1, or the number of classes. */
  public int numOutputs() {
    return numOutputs;
  }

  /** The value treated as missing besides NaN. */
  public float missing() {
    return missing;
  }

  /** Whether the padded perfect layout is in use. */
  public boolean perfectLayout() {
    return pNode != null;
  }

  /** Returns a copy of this ensemble that treats {@code newMissing} (and NaN) as missing. */
  public TreeEnsemble withMissing(float newMissing) {
    return new TreeEnsemble(this, newMissing);
  }

  private TreeEnsemble(TreeEnsemble o, float missing) {
    this.numTrees = o.numTrees;
    this.numFeatures = o.numFeatures;
    this.numOutputs = o.numOutputs;
    this.missing = missing;
    this.scratch = ThreadLocal.withInitial(() -> new float[2 * o.numFeatures]);
    this.baseMargin = o.baseMargin;
    this.group = o.group;
    this.exact = o.exact;
    this.treeRoot = o.treeRoot;
    this.slot = o.slot;
    this.left = o.left;
    this.value = o.value;
    this.mean = o.mean;
    this.depth = o.depth;
    this.pNode = o.pNode;
    this.pLeaf = o.pLeaf;
  }

  /** Expands a row into the per-thread buffer: missing becomes +Inf in slot f, -Inf in F + f. */
  private float[] expand(float[] x, int offset, float[] row) {
    final int nf = numFeatures;
    final float miss = missing;
    for (int f = 0; f < nf; f++) {
      // + 0f turns -0 into +0: the sign of (v - split) then decides v < split exactly.
      float v = x[offset + f] + 0f;
      boolean isMissing = v != v || v == miss;
      row[f] = isMissing ? Float.POSITIVE_INFINITY : v;
      row[nf + f] = isMissing ? Float.NEGATIVE_INFINITY : v;
    }
    return row;
  }

  /** The margin of a single-output model for the row starting at {@code x[offset]}. */
  public float margin(float[] x, int offset) {
    if (exact) {
      float sum = baseMargin[0];
      for (int t = 0; t < numTrees; t++) {
        sum += value[exactLeaf(t, x, offset)];
      }
      return sum;
    }
    float[] row = expand(x, offset, scratch.get());
    return pNode != null ? marginPerfect(row) : marginPointer(row);
  }

  private float marginPerfect(float[] row) {
    final long[] nodes = pNode;
    final float[] leaves = pLeaf;
    final int d = depth;
    final int internal = (1 << d) - 1;
    final int leafCount = 1 << d;
    final int trees = numTrees;
    float sum = baseMargin[0];
    int t = 0;
    // Eight trees in lockstep: independent chains of loads the CPU overlaps.
    for (; t + 8 <= trees; t += 8) {
      final int b0 = t * internal;
      int i0 = 0;
      int i1 = 0;
      int i2 = 0;
      int i3 = 0;
      int i4 = 0;
      int i5 = 0;
      int i6 = 0;
      int i7 = 0;
      for (int level = 0; level < d; level++) {
        i0 = child(i0, nodes[b0 + i0], row);
        i1 = child(i1, nodes[b0 + internal + i1], row);
        i2 = child(i2, nodes[b0 + 2 * internal + i2], row);
        i3 = child(i3, nodes[b0 + 3 * internal + i3], row);
        i4 = child(i4, nodes[b0 + 4 * internal + i4], row);
        i5 = child(i5, nodes[b0 + 5 * internal + i5], row);
        i6 = child(i6, nodes[b0 + 6 * internal + i6], row);
        i7 = child(i7, nodes[b0 + 7 * internal + i7], row);
      }
      // Added one by one in tree order: float32 addition is not associative.
      final int l0 = t * leafCount - internal;
      sum += leaves[l0 + i0];
      sum += leaves[l0 + leafCount + i1];
      sum += leaves[l0 + 2 * leafCount + i2];
      sum += leaves[l0 + 3 * leafCount + i3];
      sum += leaves[l0 + 4 * leafCount + i4];
      sum += leaves[l0 + 5 * leafCount + i5];
      sum += leaves[l0 + 6 * leafCount + i6];
      sum += leaves[l0 + 7 * leafCount + i7];
    }
    for (; t < trees; t++) {
      final int b = t * internal;
      int i = 0;
      for (int level = 0; level < d; level++) {
        i = child(i, nodes[b + i], row);
      }
      sum += leaves[t * leafCount - internal + i];
    }
    return sum;
  }

  private float marginPointer(float[] row) {
    float sum = baseMargin[0];
    for (int t = 0; t < numTrees; t++) {
      sum += value[leaf(t, row)];
    }
    return sum;
  }

  private int leaf(int t, float[] row) {
    final int[] slots = slot;
    final int[] lefts = left;
    final float[] values = value;
    int n = treeRoot[t];
    int l;
    while ((l = lefts[n]) >= 0) {
      n = l + (row[slots[n]] < values[n] ? 0 : 1);
    }
    return n;
  }

  /** The exact path: tests each value for missing at each node (see the class comment). */
  private int exactLeaf(int t, float[] x, int offset) {
    int n = treeRoot[t];
    int l;
    while ((l = left[n]) >= 0) {
      int s = slot[n];
      boolean defaultLeft = s >= numFeatures;
      float v = x[offset + (defaultLeft ? s - numFeatures : s)];
      boolean goLeft = (v != v || v == missing) ? defaultLeft : v < value[n];
      n = l + (goLeft ? 0 : 1);
    }
    return n;
  }

  /**
   * Writes the {@link #numOutputs()} margins of the row starting at {@code x[offset]} into {@code
   * out[outOffset..]}.
   */
  public void margins(float[] x, int offset, float[] out, int outOffset) {
    if (numOutputs == 1) {
      out[outOffset] = margin(x, offset);
      return;
    }
    System.arraycopy(baseMargin, 0, out, outOffset, numOutputs);
    if (exact) {
      for (int t = 0; t < numTrees; t++) {
        out[outOffset + group[t]] += value[exactLeaf(t, x, offset)];
      }
      return;
    }
    float[] row = expand(x, offset, scratch.get());
    if (pNode != null) {
      final int d = depth;
      final int internal = (1 << d) - 1;
      final int leafCount = 1 << d;
      for (int t = 0; t < numTrees; t++) {
        final int b = t * internal;
        int i = 0;
        for (int level = 0; level < d; level++) {
          i = child(i, pNode[b + i], row);
        }
        out[outOffset + group[t]] += pLeaf[t * leafCount - internal + i];
      }
    } else {
      for (int t = 0; t < numTrees; t++) {
        out[outOffset + group[t]] += value[leaf(t, row)];
      }
    }
  }

  /**
   * Approximate per-feature contributions (the path attribution XGBoost computes with {@code
   * approx_contribs}): for each split on the row's path, the change of the cover-weighted mean
   * value is credited to the split's feature. Writes {@code numFeatures + 1} values, the last being
   * the bias (base margin plus the root means); their sum is the margin of {@code output}.
   */
  public void contributions(float[] x, int offset, int output, float[] out) {
    Arrays.fill(out, 0, numFeatures + 1, 0f);
    double bias = baseMargin[output];
    for (int t = 0; t < numTrees; t++) {
      if (group[t] != output) {
        continue;
      }
      int n = treeRoot[t];
      bias += mean[n];
      int l;
      while ((l = left[n]) >= 0) {
        int s = slot[n];
        boolean defaultLeft = s >= numFeatures;
        int f = defaultLeft ? s - numFeatures : s;
        float v = x[offset + f];
        boolean goLeft = (v != v || v == missing) ? defaultLeft : v < value[n];
        int next = l + (goLeft ? 0 : 1);
        out[f] += mean[next] - mean[n];
        n = next;
      }
    }
    out[numFeatures] = (float) bias;
  }
}
