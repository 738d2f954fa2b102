package dev.frip.scoring.internal;

/**
 * An immutable, flattened tree ensemble and its evaluation: the hot path of FRIP scoring.
 *
 * <p>Two layouts of the same trees. The <em>pointer</em> layout renumbers each tree breadth-first
 * so that a node's right child sits right after its left child ({@code right = left + 1}); it
 * serves every model and the contribution walk. The <em>perfect</em> layout, built when the deepest
 * tree has at most {@link #MAX_PERFECT_DEPTH} levels, pads every tree to a complete binary tree of
 * that depth (a shallow leaf is copied into all the slots below it), so traversal is a fixed number
 * of steps {@code i = 2i + 1 + goRight} with no loop-exit branch and no child arrays.
 *
 * <p>Semantics are XGBoost's: a value is missing when it is NaN or equals the configured missing
 * value, and then follows the node's default direction; otherwise it goes left when {@code x <
 * split} in float32. Leaves are added in float32, in tree order, onto the base margin. Instances
 * are thread-safe: every field is final and never written after construction.
 */
public final class TreeEnsemble {

  /** Deepest tree for which the padded, perfect layout is built. */
  public static final int MAX_PERFECT_DEPTH = 8;

  static final int FEATURE_MASK = 0x7fffffff;

  private final int numTrees;
  private final int numFeatures;
  private final int numOutputs;
  private final float missing;
  private final float[] baseMargin;
  private final int[] group;

  // Pointer layout: one slot per node, trees concatenated.
  private final int[] treeRoot;
  private final int[] code; // split feature | (default goes right) << 31
  private final int[] left; // absolute index of the left child, -1 for a leaf
  private final float[] value; // split condition, or leaf value for a leaf
  private final float[] mean; // cover-weighted mean of the leaves below, for contributions

  // Perfect layout (null when a tree is deeper than MAX_PERFECT_DEPTH).
  private final int depth;
  private final int[] pCode;
  private final float[] pSplit;
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
    this.group = new int[numTrees];
    this.treeRoot = new int[numTrees];
    int total = 0;
    int maxDepth = 0;
    for (int t = 0; t < numTrees; t++) {
      treeRoot[t] = total;
      total += trees[t].leftChildren().length;
      group[t] = trees[t].group();
      maxDepth = Math.max(maxDepth, depth(trees[t], 0));
    }
    code = new int[total];
    left = new int[total];
    value = new float[total];
    mean = new float[total];
    for (int t = 0; t < numTrees; t++) {
      relayout(trees[t], treeRoot[t]);
    }
    if (maxDepth <= MAX_PERFECT_DEPTH) {
      depth = maxDepth;
      int internal = (1 << depth) - 1;
      int leaves = 1 << depth;
      pCode = new int[numTrees * internal];
      pSplit = new float[numTrees * internal];
      pLeaf = new float[numTrees * leaves];
      for (int t = 0; t < numTrees; t++) {
        fillPerfect(treeRoot[t], 0, 0, t * internal, t * leaves, internal);
      }
    } else {
      depth = -1;
      pCode = null;
      pSplit = null;
      pLeaf = null;
    }
  }

  private static int depth(Tree tree, int root) {
    // Iterative: deep trees must not overflow the stack; validation has ruled out cycles.
    int[] stackNode = new int[tree.leftChildren().length];
    int[] stackDepth = new int[tree.leftChildren().length];
    int sp = 0;
    stackNode[sp] = root;
    stackDepth[sp++] = 0;
    int max = 0;
    while (sp > 0) {
      sp--;
      int n = stackNode[sp];
      int d = stackDepth[sp];
      if (tree.leftChildren()[n] == -1) {
        max = Math.max(max, d);
      } else {
        stackNode[sp] = tree.leftChildren()[n];
        stackDepth[sp++] = d + 1;
        stackNode[sp] = tree.rightChildren()[n];
        stackDepth[sp++] = d + 1;
      }
    }
    return max;
  }

  private void relayout(Tree tree, int base) {
    int n = tree.leftChildren().length;
    int[] order = new int[n]; // new slot -> original node id
    int[] slotOf = new int[n];
    order[0] = 0;
    int next = 1;
    int reached = 1;
    for (int head = 0; head < reached; head++) {
      int orig = order[head];
      slotOf[orig] = head;
      int l = tree.leftChildren()[orig];
      if (l != -1) {
        order[next++] = l;
        order[next++] = tree.rightChildren()[orig];
        reached = next;
      }
    }
    for (int s = 0; s < reached; s++) {
      int orig = order[s];
      int l = tree.leftChildren()[orig];
      int slot = base + s;
      value[slot] = tree.splitConditions()[orig];
      if (l == -1) {
        code[slot] = 0;
        left[slot] = -1;
      } else {
        code[slot] = tree.splitIndices()[orig] | (tree.defaultLeft()[orig] ? 0 : 1 << 31);
        left[slot] = base + slotOf[l];
      }
    }
    // Unreachable (deleted) nodes keep zeroed slots; nothing points at them.
    for (int s = reached - 1; s >= 0; s--) {
      int slot = base + s;
      int orig = order[s];
      if (left[slot] == -1) {
        mean[slot] = value[slot];
      } else {
        int l = left[slot];
        float[] h = tree.sumHessian();
        double hl = h == null ? 1 : h[tree.leftChildren()[orig]];
        double hr = h == null ? 1 : h[tree.rightChildren()[orig]];
        double sum = hl + hr;
        mean[slot] =
            sum > 0
                ? (float) ((mean[l] * hl + mean[l + 1] * hr) / sum)
                : (mean[l] + mean[l + 1]) / 2;
      }
    }
  }

  private void fillPerfect(
      int node, int heap, int level, int codeBase, int leafBase, int internal) {
    if (level == depth) {
      pLeaf[leafBase + heap - internal] = value[node];
      return;
    }
    if (left[node] == -1) {
      // A shallow leaf: pad with a split whose both sides lead to copies of this leaf.
      pCode[codeBase + heap] = 0;
      pSplit[codeBase + heap] = 0f;
      fillPerfect(node, 2 * heap + 1, level + 1, codeBase, leafBase, internal);
      fillPerfect(node, 2 * heap + 2, level + 1, codeBase, leafBase, internal);
    } else {
      pCode[codeBase + heap] = code[node];
      pSplit[codeBase + heap] = value[node];
      fillPerfect(left[node], 2 * heap + 1, level + 1, codeBase, leafBase, internal);
      fillPerfect(left[node] + 1, 2 * heap + 2, level + 1, codeBase, leafBase, internal);
    }
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
    return pCode != null;
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
    this.baseMargin = o.baseMargin;
    this.group = o.group;
    this.treeRoot = o.treeRoot;
    this.code = o.code;
    this.left = o.left;
    this.value = o.value;
    this.mean = o.mean;
    this.depth = o.depth;
    this.pCode = o.pCode;
    this.pSplit = o.pSplit;
    this.pLeaf = o.pLeaf;
  }

  /** The margin of a single-output model for the row starting at {@code x[offset]}. */
  public float margin(float[] x, int offset) {
    return pCode != null ? marginPerfect(x, offset) : marginPointer(x, offset);
  }

  private float marginPerfect(float[] x, int offset) {
    final int[] codes = pCode;
    final float[] splits = pSplit;
    final float[] leaves = pLeaf;
    final int d = depth;
    final int internal = (1 << d) - 1;
    final int leafCount = 1 << d;
    final float miss = missing;
    float sum = baseMargin[0];
    for (int t = 0, nb = 0, lb = -internal; t < numTrees; t++, nb += internal, lb += leafCount) {
      int i = 0;
      for (int level = 0; level < d; level++) {
        int c = codes[nb + i];
        float v = x[offset + (c & FEATURE_MASK)];
        int right = v < splits[nb + i] ? 0 : 1;
        if (v != v || v == miss) {
          right = c >>> 31;
        }
        i = 2 * i + 1 + right;
      }
      sum += leaves[lb + i];
    }
    return sum;
  }

  private float marginPointer(float[] x, int offset) {
    final int[] codes = code;
    final int[] lefts = left;
    final float[] values = value;
    final float miss = missing;
    float sum = baseMargin[0];
    for (int t = 0; t < numTrees; t++) {
      int n = treeRoot[t];
      int l;
      while ((l = lefts[n]) >= 0) {
        int c = codes[n];
        float v = x[offset + (c & FEATURE_MASK)];
        int right = v < values[n] ? 0 : 1;
        if (v != v || v == miss) {
          right = c >>> 31;
        }
        n = l + right;
      }
      sum += values[n];
    }
    return sum;
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
    final float miss = missing;
    if (pCode != null) {
      final int d = depth;
      final int internal = (1 << d) - 1;
      final int leafCount = 1 << d;
      for (int t = 0, nb = 0, lb = -internal; t < numTrees; t++, nb += internal, lb += leafCount) {
        int i = 0;
        for (int level = 0; level < d; level++) {
          int c = pCode[nb + i];
          float v = x[offset + (c & FEATURE_MASK)];
          int right = v < pSplit[nb + i] ? 0 : 1;
          if (v != v || v == miss) {
            right = c >>> 31;
          }
          i = 2 * i + 1 + right;
        }
        out[outOffset + group[t]] += pLeaf[lb + i];
      }
    } else {
      for (int t = 0; t < numTrees; t++) {
        out[outOffset + group[t]] += value[leaf(t, x, offset)];
      }
    }
  }

  private int leaf(int t, float[] x, int offset) {
    int n = treeRoot[t];
    int l;
    while ((l = left[n]) >= 0) {
      int c = code[n];
      float v = x[offset + (c & FEATURE_MASK)];
      int right = v < value[n] ? 0 : 1;
      if (v != v || v == missing) {
        right = c >>> 31;
      }
      n = l + right;
    }
    return n;
  }

  /**
   * Approximate per-feature contributions (the path attribution XGBoost computes with {@code
   * approx_contribs}): for each split on the row's path, the change of the cover-weighted mean
   * value is credited to the split's feature. Writes {@code numFeatures + 1} values, the last being
   * the bias (base margin plus the root means); their sum is the margin of {@code output}.
   */
  public void contributions(float[] x, int offset, int output, float[] out) {
    java.util.Arrays.fill(out, 0, numFeatures + 1, 0f);
    double bias = baseMargin[output];
    for (int t = 0; t < numTrees; t++) {
      if (group[t] != output) {
        continue;
      }
      int n = treeRoot[t];
      bias += mean[n];
      int l;
      while ((l = left[n]) >= 0) {
        int c = code[n];
        float v = x[offset + (c & FEATURE_MASK)];
        int right = v < value[n] ? 0 : 1;
        if (v != v || v == missing) {
          right = c >>> 31;
        }
        int next = l + right;
        out[c & FEATURE_MASK] += mean[next] - mean[n];
        n = next;
      }
    }
    out[numFeatures] = (float) bias;
  }
}
