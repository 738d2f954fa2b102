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
 * The hot loop is then one comparison per level with no branch on missing values. The one split
 * this cannot express, a default-left node splitting at {@code -Infinity}, makes the ensemble use
 * an exact (slower) path that tests for missing values per node.
 *
 * <p><b>Layouts.</b> The <em>pointer</em> layout renumbers each tree breadth-first so that a node's
 * right child follows its left child; it serves every model and the contribution walk. The
 * <em>perfect</em> layout, built when the deepest tree has at most {@link #MAX_PERFECT_DEPTH}
 * levels, pads every tree to a complete binary tree (a shallow leaf is copied into all slots below
 * it) and stores it level-major: level {@code k} of all trees together from {@code numTrees * (2^k
 * - 1)}, tree {@code t}'s nodes of that level at position {@code q = t * 2^k + i} within it. A row
 * then descends all trees one level at a time, and the node at position {@code q} has its children
 * at positions {@code 2q} and {@code 2q + 1} of the next level (on the last level, these are the
 * leaf indices): the inner loop runs over the trees with no dependency between iterations, so the
 * CPU overlaps hundreds of node visits instead of following one chain of loads per tree. The last
 * level is fused with the leaf sum, whose float additions stay in tree order. Where available, the
 * descent reads its arrays without bounds checks ({@link Unchecked}); every index it uses is
 * bounded by the layout built here.
 *
 * <p><b>Integer compares.</b> On the perfect layout a node is one {@code long}, {@code (key(split)
 * << 31) + slot}, and the row is expanded to {@code (key(x) << 31) + (2^31 - 1)}, where {@code key}
 * maps a float's bits to an int of the same order ({@code -0} is first turned into {@code +0}). The
 * sign bit of {@code node - row[slot]} is then exactly {@code x >= split}, the step to the right
 * child: the difference of the keys dominates, and with equal keys {@code slot - (2^31 - 1)} is
 * negative; it cannot overflow. The walk never leaves the integer registers.
 *
 * <p>Semantics are XGBoost's: a value is missing when it is NaN or equals the configured missing
 * value; otherwise it goes left when {@code x < split} in float32. Leaves are added in float32, in
 * tree order, onto the base margin. Instances are thread-safe: fields are final and never written
 * after construction; the row expansion uses a per-thread buffer, so scoring does not allocate.
 */
public final class TreeEnsemble {

  /** Deepest tree for which the padded, perfect layout is built. */
  public static final int MAX_PERFECT_DEPTH = 8;

  // Expanded-row values of the perfect layout: (key << 31) + LOW, and those of a missing value.
  private static final long LOW = 0x7fffffffL;
  private static final long PLUS_INF = ((long) key(Float.POSITIVE_INFINITY) << 31) + LOW;
  private static final long MINUS_INF = ((long) key(Float.NEGATIVE_INFINITY) << 31) + LOW;

  private final int numTrees;
  private final int numFeatures;
  private final int numOutputs;
  private final float missing;
  private final float[] baseMargin;
  private final int[] group;
  private final boolean exact; // a default-left split at -Inf: test missing values per node
  private final boolean unchecked; // descend without bounds checks (see Unchecked)
  private final ThreadLocal<Scratch> scratch; // the expanded row and positions, per thread

  // Pointer layout: one slot per node, trees concatenated.
  private final int[] treeRoot;
  private final int[]
      slot; // expanded-row slot the node reads (feature, +numFeatures if default left)
  private final int[] left; // absolute index of the left child, -1 for a leaf
  private final float[] value; // split condition, or leaf value for a leaf
  private final float[] mean; // cover-weighted mean of the leaves below, for contributions

  // Perfect layout, level-major (null when a tree is deeper than MAX_PERFECT_DEPTH).
  private final int depth;
  private final long[] pNode; // (key(split) << 31) + slot, see the class comment
  private final int lastLevel; // where the last level of internal nodes starts in pNode
  private final float[] pLeaf; // tree t's leaves at t * 2^depth
  private final float[] pMean; // the mean of the node at each position of pNode (contributions)
  private final int[] slotFeature; // expanded-row slot -> feature
  // Contributions on the perfect layout, per position of pNode: the step into the node from its
  // parent, mean(node) - mean(parent), as float bits in the high half; in the low half, the byte
  // offset in a bank of walkUnchecked's partial sums of the slot the step is credited to, the
  // parent's slot (or the padding slot 2 * numFeatures below padding, where the step is +0).
  private final long[] pIn;
  // The contributions' bias: base margin plus the root means, in tree order.
  private final double bias0;

  /** Per-thread buffers: the expanded row and each tree's current node position. */
  private static final class Scratch {
    final float[] row;
    final long[] keys;
    final int[] at;
    // The unchecked descent's positions, long so that a visit needs no sign extension; each level
    // reads one array and writes the other (see marginUnchecked).
    final long[] pos;
    final long[] next;
    // Contributions on the perfect layout: BANKS partial sums per feature; allocated on first use.
    float[] partial;
    // walkUnchecked's partial sums: SLOT_BANKS banks of a float per expanded-row slot and padding.
    float[] bySlot;

    Scratch(int numFeatures, int numTrees) {
      row = new float[2 * numFeatures];
      keys = new long[2 * numFeatures];
      at = new int[numTrees];
      pos = new long[numTrees];
      next = new long[numTrees];
    }
  }

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
    this.unchecked = Unchecked.UNSAFE != null;
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(numFeatures, trees.length));
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
    boolean[] padded = null; // per position of pNode: a padding copy below a shallow leaf
    if (maxDepth <= MAX_PERFECT_DEPTH && !exact) {
      depth = maxDepth;
      int internal = (1 << depth) - 1;
      int leaves = 1 << depth;
      pNode = new long[numTrees * internal];
      pMean = new float[numTrees * internal];
      pLeaf = new float[numTrees * leaves];
      lastLevel = depth == 0 ? 0 : numTrees * ((1 << (depth - 1)) - 1);
      padded = new boolean[numTrees * internal];
      for (int t = 0; t < numTrees; t++) {
        fillPerfect(t, treeRoot[t], 0, 0, padded);
      }
    } else {
      depth = -1;
      pNode = null;
      pMean = null;
      pLeaf = null;
      lastLevel = 0;
    }
    slotFeature = new int[2 * numFeatures];
    for (int f = 0; f < numFeatures; f++) {
      slotFeature[f] = f;
      slotFeature[numFeatures + f] = f;
    }
    pIn = pNode == null || numOutputs != 1 || depth == 0 ? null : stepsIn(padded);
    double b = this.baseMargin[0];
    for (int t = 0; t < numTrees; t++) {
      b += mean[treeRoot[t]];
    }
    bias0 = b;
  }

  /** {@link #pIn}: the same float subtractions {@link #walkPerfect} makes per visit. */
  private long[] stepsIn(boolean[] padded) {
    long[] in = new long[pNode.length];
    long paddingSlot = 4L * 2 * numFeatures;
    Arrays.fill(in, 0, numTrees, paddingSlot); // roots: no parent, +0
    int parentBase = 0;
    for (int level = 1; level < depth; level++) {
      int width = numTrees << level;
      int base = parentBase + (width >> 1);
      for (int q = 0; q < width; q++) {
        int parent = parentBase + (q >> 1);
        float step = pMean[base + q] - pMean[parent];
        long credited = padded[parent] ? paddingSlot : 4L * (pNode[parent] & LOW);
        in[base + q] = ((long) Float.floatToRawIntBits(step) << 32) | credited;
      }
      parentBase = base;
    }
    return in;
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

  /** Places {@code node} of tree {@code t} at position {@code i} of {@code level}, then below. */
  private void fillPerfect(int t, int node, int level, int i, boolean[] padded) {
    if (level == depth) {
      pLeaf[(t << depth) + i] = value[node];
      return;
    }
    int p = numTrees * ((1 << level) - 1) + (t << level) + i;
    pMean[p] = mean[node];
    if (left[node] == -1) {
      // A shallow leaf: pad with a split whose both sides lead to copies of this leaf.
      padded[p] = true;
      fillPerfect(t, node, level + 1, 2 * i, padded);
      fillPerfect(t, node, level + 1, 2 * i + 1, padded);
    } else {
      pNode[p] = ((long) key(value[node]) << 31) + slot[node];
      fillPerfect(t, left[node], level + 1, 2 * i, padded);
      fillPerfect(t, left[node] + 1, level + 1, 2 * i + 1, padded);
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
    return pNode != null;
  }

  /** An int with the order of the float: {@code key(a) < key(b)} iff {@code a < b}, for non-NaN. */
  private static int key(float v) {
    int bits = Float.floatToRawIntBits(v + 0f); // + 0f turns -0 into +0
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  /** Returns a copy of this ensemble that treats {@code newMissing} (and NaN) as missing. */
  public TreeEnsemble withMissing(float newMissing) {
    return new TreeEnsemble(this, newMissing, unchecked);
  }

  /**
   * Returns a copy of this ensemble that always reads its arrays with bounds checks, the path used
   * where {@link Unchecked} is off; for tests that compare both paths.
   */
  public TreeEnsemble withBoundsChecks() {
    return new TreeEnsemble(this, missing, false);
  }

  /** Whether single-output margins use the descent without bounds checks. */
  public boolean unchecked() {
    return unchecked && pNode != null && depth > 0;
  }

  private TreeEnsemble(TreeEnsemble o, float missing, boolean unchecked) {
    this.unchecked = unchecked;
    this.numTrees = o.numTrees;
    this.numFeatures = o.numFeatures;
    this.numOutputs = o.numOutputs;
    this.missing = missing;
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(o.numFeatures, o.numTrees));
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
    this.pMean = o.pMean;
    this.pLeaf = o.pLeaf;
    this.slotFeature = o.slotFeature;
    this.pIn = o.pIn;
    this.bias0 = o.bias0;
    this.lastLevel = o.lastLevel;
  }

  /** Expands a row into the per-thread buffer: missing becomes +Inf in slot f, -Inf in F + f. */
  private float[] expand(float[] x, int offset, float[] row) {
    final int nf = numFeatures;
    final float miss = missing;
    for (int f = 0; f < nf; f++) {
      float v = x[offset + f];
      boolean isMissing = v != v || v == miss;
      row[f] = isMissing ? Float.POSITIVE_INFINITY : v;
      row[nf + f] = isMissing ? Float.NEGATIVE_INFINITY : v;
    }
    return row;
  }

  /** {@link #expand} for the perfect layout: slots hold {@code (key(x) << 31) + 2^31 - 1}. */
  private long[] expandKeys(float[] x, int offset, long[] keys) {
    final int nf = numFeatures;
    final float miss = missing;
    for (int f = 0; f < nf; f++) {
      float v = x[offset + f];
      boolean isMissing = v != v || v == miss;
      long k = ((long) key(v) << 31) + LOW;
      keys[f] = isMissing ? PLUS_INF : k;
      keys[nf + f] = isMissing ? MINUS_INF : k;
    }
    return keys;
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
    Scratch s = scratch.get();
    if (pNode == null) {
      return marginPointer(expand(x, offset, s.row));
    }
    long[] row = expandKeys(x, offset, s.keys);
    return unchecked && depth > 0 ? marginUnchecked(row, s.pos, s.next) : marginPerfect(row, s.at);
  }

  /**
   * Descends all trees by {@code depth - 1} levels: afterwards {@code at[t]} is the absolute index
   * in {@code pNode} of tree {@code t}'s node on the last level of internal nodes. The node at
   * absolute index {@code p} has its children at {@code 2p + numTrees + {0, 1}}: the class
   * comment's {@code 2q + {0, 1}} with the level offsets folded in, which saves the checked path an
   * addition per visit.
   */
  private void descendPerfect(long[] row, int[] at) {
    final long[] nodes = pNode;
    final int n = numTrees;
    if (depth == 1) {
      for (int t = 0; t < n; t++) {
        at[t] = t;
      }
      return;
    }
    for (int t = 0; t < n; t++) {
      at[t] = 2 * t + n + goRight(row, nodes[t]);
    }
    for (int level = 2; level < depth; level++) {
      for (int t = 0; t < n; t++) {
        int p = at[t];
        at[t] = 2 * p + n + goRight(row, nodes[p]);
      }
    }
  }

  /** The leaf index (into {@code pLeaf}) reached from last-level absolute index {@code p}. */
  private int lastStep(long[] row, int p) {
    return 2 * (p - lastLevel) + goRight(row, pNode[p]);
  }

  /** 0 when the row's value in the node's slot is below its split, else 1 (class comment). */
  private static int goRight(long[] row, long node) {
    return (int) ((node - row[(int) node & 0x7fffffff]) >>> 63);
  }

  private float marginPerfect(long[] row, int[] at) {
    final float[] leaves = pLeaf;
    final int n = numTrees;
    float sum = baseMargin[0];
    if (depth == 0) {
      for (int t = 0; t < n; t++) {
        sum += leaves[t];
      }
      return sum;
    }
    descendPerfect(row, at);
    // The last level fused with the sum; added one by one in tree order (float32 addition is not
    // associative).
    for (int t = 0; t < n; t++) {
      sum += leaves[lastStep(row, at[t])];
    }
    return sum;
  }

  /**
   * {@link #marginPerfect} without bounds checks (depth at least 1). Bounds, by construction:
   * {@code q < numTrees * 2^level} on each level, so {@code base + q} stays inside that level of
   * {@code pNode}; a node's slot is below {@code 2 * numFeatures}, the length of {@code row}; the
   * last step's {@code 2q + 1 < numTrees * 2^depth}, the length of {@code pLeaf}; {@code pos} and
   * {@code next} have {@code numTrees} entries. {@code row} is the scratch buffer {@link
   * #expandKeys} filled.
   *
   * <p>Each level reads the positions from one array and writes them to the other, which then swap:
   * rewriting the array a level reads from measured about 6-10% slower (RESULTS.md, session 9),
   * probably because the loads of later trees' positions then wait on the stores of earlier ones in
   * the core's memory ordering.
   */
  private float marginUnchecked(long[] row, long[] pos, long[] next) {
    final sun.misc.Unsafe u = Unchecked.UNSAFE;
    final long[] nodes = pNode;
    final int n = numTrees;
    final long lb = Unchecked.LONG_BASE;
    long base = lb; // byte offset of the current level in pNode
    long[] last = pos; // the positions on the last level of internal nodes
    if (depth == 1) {
      for (int t = 0; t < n; t++) {
        u.putLong(pos, lb + 8L * t, t);
      }
    } else {
      for (int t = 0; t < n; t++) {
        long node = u.getLong(nodes, base + 8L * t);
        long x = u.getLong(row, lb + 8L * (node & LOW));
        u.putLong(pos, lb + 8L * t, 2L * t + ((node - x) >>> 63));
      }
      base += 8L * n;
      long[] from = pos;
      long[] to = next;
      for (int level = 1; level < depth - 1; level++) {
        for (int t = 0; t < n; t++) {
          long q = u.getLong(from, lb + 8L * t);
          long node = u.getLong(nodes, base + 8L * q);
          long x = u.getLong(row, lb + 8L * (node & LOW));
          u.putLong(to, lb + 8L * t, 2L * q + ((node - x) >>> 63));
        }
        long[] swap = from;
        from = to;
        to = swap;
        base += 8L * n << level;
      }
      last = from;
    }
    final float[] leaves = pLeaf;
    final long fb = Unchecked.FLOAT_BASE;
    float sum = baseMargin[0];
    // The last level fused with the sum, in tree order (float32 addition is not associative).
    for (int t = 0; t < n; t++) {
      long q = u.getLong(last, lb + 8L * t);
      long node = u.getLong(nodes, base + 8L * q);
      long x = u.getLong(row, lb + 8L * (node & LOW));
      sum += u.getFloat(leaves, fb + 4L * (2L * q + ((node - x) >>> 63)));
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
    Scratch s = scratch.get();
    if (pNode != null) {
      long[] row = expandKeys(x, offset, s.keys);
      int[] at = s.at;
      if (depth > 0) {
        descendPerfect(row, at);
      }
      for (int t = 0; t < numTrees; t++) {
        out[outOffset + group[t]] += pLeaf[depth == 0 ? t : lastStep(row, at[t])];
      }
    } else {
      float[] row = expand(x, offset, s.row);
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
    if (unchecked && pIn != null && depth > 0) {
      walkUnchecked(x, offset, out);
    } else if (pNode != null && depth > 0) {
      walkPerfect(x, offset, output, out);
    } else {
      contributionsByPath(x, offset, output, out);
    }
  }

  /**
   * The margin of a single-output model, as {@link #margin} gives it bit for bit, and its {@link
   * #contributions} into {@code out}, from one descent where the perfect layout is built.
   */
  public float marginAndContributions(float[] x, int offset, float[] out) {
    if (unchecked && pIn != null && depth > 0) {
      return walkUnchecked(x, offset, out);
    }
    if (pNode != null && depth > 0) {
      return walkPerfect(x, offset, 0, out);
    }
    contributionsByPath(x, offset, 0, out);
    return margin(x, offset);
  }

  /**
   * {@link #contributions} by walking each tree's path, one tree after another, adding each step
   * into one float per feature in that order: the definition, used where the perfect layout is not
   * built, and by the tests as the reference.
   */
  public void contributionsByPath(float[] x, int offset, int output, float[] out) {
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

  /** Banks of {@link #walkUnchecked}: tree {@code t} adds into bank {@code t % SLOT_BANKS}. */
  private static final int SLOT_BANKS = 4;

  /**
   * {@link #walkPerfect} for a single-output model without bounds checks (depth at least 1): the
   * same steps, credited to the same features, in another order. A visit credits the step that led
   * into its node, read from {@link #pIn} at the node's own position, to its parent's slot: its
   * value and target are known as soon as the position is, not only after the comparison as the
   * step out of the node would be. The last level also credits the step to the leaf, {@code leaf -
   * mean}, to its own slot. Partial sums are kept per expanded-row slot (no slot to feature lookup)
   * in {@link #SLOT_BANKS} banks, each with a padding slot that absorbs the +0 steps below shallow
   * leaves, and added up at the end in a fixed order. Bounds as in {@link #marginUnchecked}; {@code
   * pIn} and {@code pMean} have the layout of {@code pNode}, and the byte offsets in {@code pIn}
   * are below {@code 4 * (2 * numFeatures + 1)}, the size of a bank.
   */
  private float walkUnchecked(float[] x, int offset, float[] out) {
    final sun.misc.Unsafe u = Unchecked.UNSAFE;
    final long lb = Unchecked.LONG_BASE;
    final long fb = Unchecked.FLOAT_BASE;
    final int n = numTrees;
    final int nf = numFeatures;
    final int slots = 2 * nf + 1; // per bank: the expanded row's slots and the padding slot
    final long[] nodes = pNode;
    final long[] in = pIn;
    Scratch s = scratch.get();
    if (s.bySlot == null) {
      s.bySlot = new float[SLOT_BANKS * slots];
    }
    final float[] acc = s.bySlot;
    Arrays.fill(acc, 0f);
    final long[] row = expandKeys(x, offset, s.keys);
    long[] from = s.pos;
    long[] to = s.next;
    long base = lb; // byte offset of the current level in pNode and pIn
    long meanBase = fb; // and in pMean
    if (depth == 1) {
      for (int t = 0; t < n; t++) {
        u.putLong(from, lb + 8L * t, t);
      }
    } else {
      for (int t = 0; t < n; t++) {
        long node = u.getLong(nodes, base + 8L * t);
        long x0 = u.getLong(row, lb + 8L * (node & LOW));
        u.putLong(from, lb + 8L * t, 2L * t + ((node - x0) >>> 63));
      }
      base += 8L * n;
      meanBase += 4L * n;
      for (int level = 1; level < depth - 1; level++) {
        for (int t = 0; t < n; t++) {
          long q = u.getLong(from, lb + 8L * t);
          long step = u.getLong(in, base + 8L * q);
          long a = fb + 4L * slots * (t & (SLOT_BANKS - 1)) + (step & 0xffffffffL);
          u.putFloat(acc, a, u.getFloat(acc, a) + Float.intBitsToFloat((int) (step >>> 32)));
          long node = u.getLong(nodes, base + 8L * q);
          long xq = u.getLong(row, lb + 8L * (node & LOW));
          u.putLong(to, lb + 8L * t, 2L * q + ((node - xq) >>> 63));
        }
        long[] swap = from;
        from = to;
        to = swap;
        base += 8L * n << level;
        meanBase += 4L * n << level;
      }
    }
    final float[] leaves = pLeaf;
    final float[] means = pMean;
    float margin = baseMargin[0];
    // The last level: leaves added in tree order, as marginUnchecked.
    for (int t = 0; t < n; t++) {
      long q = u.getLong(from, lb + 8L * t);
      long bank = fb + 4L * slots * (t & (SLOT_BANKS - 1));
      long step = u.getLong(in, base + 8L * q);
      long a = bank + (step & 0xffffffffL);
      u.putFloat(acc, a, u.getFloat(acc, a) + Float.intBitsToFloat((int) (step >>> 32)));
      long node = u.getLong(nodes, base + 8L * q);
      long slot = node & LOW;
      long right = (node - u.getLong(row, lb + 8L * slot)) >>> 63;
      float leaf = u.getFloat(leaves, fb + 4L * (2L * q + right));
      margin += leaf;
      long b = bank + 4L * slot;
      u.putFloat(acc, b, u.getFloat(acc, b) + (leaf - u.getFloat(means, meanBase + 4L * q)));
    }
    for (int f = 0; f < nf; f++) {
      float sum = 0f;
      for (int k = 0; k < SLOT_BANKS; k++) {
        sum += acc[k * slots + f];
        sum += acc[k * slots + nf + f];
      }
      out[f] = sum;
    }
    out[nf] = (float) bias0;
    return margin;
  }

  /**
   * Partial sums per feature in {@link #walkPerfect}: tree {@code t} adds into bank {@code t %
   * BANKS}.
   */
  private static final int BANKS = 4;

  /**
   * {@link #contributions} of {@code output} on the perfect layout, returning the margin of {@code
   * output} (base margin plus the leaves of its trees in tree order, as {@link #margins}). All
   * trees descend one level at a time, as in {@link #margins}, so the CPU overlaps their visits,
   * where the path walk follows one chain of loads per tree. Each step, {@code mean(child) -
   * mean(node)}, is credited to the feature the node splits on; a padded level (below a shallow
   * leaf) steps from the leaf's mean to the same mean and adds {@code +0}. The steps go into {@code
   * BANKS} partial sums per feature, added up at the end in a fixed order: deterministic, equal to
   * the path walk's sums up to float rounding (the order of the additions differs).
   */
  private float walkPerfect(float[] x, int offset, int output, float[] out) {
    final int n = numTrees;
    final int d = depth;
    final int nf = numFeatures;
    Scratch s = scratch.get();
    if (s.partial == null) {
      s.partial = new float[BANKS * nf];
    }
    final float[] acc = s.partial;
    Arrays.fill(acc, 0f);
    final long[] row = expandKeys(x, offset, s.keys);
    final int[] at = s.at; // position within the current level: t * 2^level + i
    for (int t = 0; t < n; t++) {
      at[t] = t;
    }
    int base = 0; // where the current level starts in pNode and pMean
    for (int level = 0; level < d - 1; level++) {
      int nextBase = base + (n << level);
      for (int t = 0; t < n; t++) {
        int q = at[t];
        long node = pNode[base + q];
        int child = 2 * q + goRight(row, node);
        if (group[t] == output) {
          acc[(t & (BANKS - 1)) * nf + slotFeature[(int) node & 0x7fffffff]] +=
              pMean[nextBase + child] - pMean[base + q];
        }
        at[t] = child;
      }
      base = nextBase;
    }
    float margin = baseMargin[output];
    double bias = baseMargin[output];
    for (int t = 0; t < n; t++) { // the last level: leaves, in tree order
      if (group[t] == output) {
        int q = at[t];
        long node = pNode[base + q];
        float leaf = pLeaf[2 * q + goRight(row, node)];
        acc[(t & (BANKS - 1)) * nf + slotFeature[(int) node & 0x7fffffff]] +=
            leaf - pMean[base + q];
        margin += leaf;
        bias += pMean[t];
      }
    }
    for (int f = 0; f < nf; f++) {
      float sum = 0f;
      for (int b = f; b < acc.length; b += nf) {
        sum += acc[b];
      }
      out[f] = sum;
    }
    out[nf] = (float) bias;
    return margin;
  }
}
