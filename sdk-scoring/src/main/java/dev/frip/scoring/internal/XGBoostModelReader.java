package dev.frip.scoring.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the document tree of a model saved by XGBoost 2.x/3.x ({@code save_model} to JSON or
 * UBJSON) and validates everything evaluation relies on, so a malformed model fails here with a
 * message naming the tree, node and array, never at score time.
 */
public final class XGBoostModelReader {

  /** Most features a model may declare: far above real models, far below what breaks memory. */
  static final int MAX_FEATURES = 1 << 24;

  /** Most classes a multi-class model may declare. */
  static final int MAX_CLASSES = 1 << 16;

  /** What a model file holds, validated. */
  public record Parsed(
      String objective,
      int numFeatures,
      int numOutputs,
      float[] baseScore,
      List<String> featureNames,
      TreeEnsemble.Tree[] trees,
      String xgboostVersion) {}

  private XGBoostModelReader() {}

  /** Validates a parsed document; throws {@link IllegalArgumentException} naming the defect. */
  public static Parsed read(Object document) {
    Map<String, Object> root = object(document, "the document");
    Map<String, Object> learner = object(root.get("learner"), "'learner'");
    Map<String, Object> param =
        object(learner.get("learner_model_param"), "'learner.learner_model_param'");
    Map<String, Object> objectiveObj = object(learner.get("objective"), "'learner.objective'");
    String objective = string(objectiveObj.get("name"), "'learner.objective.name'");
    Map<String, Object> booster =
        object(learner.get("gradient_booster"), "'learner.gradient_booster'");
    String boosterName = string(booster.get("name"), "'learner.gradient_booster.name'");
    if (!boosterName.equals("gbtree")) {
      throw new IllegalArgumentException(
          "unsupported booster '"
              + boosterName
              + "': only gbtree models can be evaluated (dart and gblinear are not supported)");
    }
    int numFeatures = intParam(param, "num_feature");
    if (numFeatures < 1 || numFeatures > MAX_FEATURES) {
      throw new IllegalArgumentException(
          "learner_model_param.num_feature must be in [1, "
              + MAX_FEATURES
              + "] but was "
              + numFeatures);
    }
    int numClass = param.containsKey("num_class") ? intParam(param, "num_class") : 0;
    if (numClass < 0 || numClass > MAX_CLASSES) {
      throw new IllegalArgumentException(
          "learner_model_param.num_class must be in [0, " + MAX_CLASSES + "] but was " + numClass);
    }
    int numTarget = param.containsKey("num_target") ? intParam(param, "num_target") : 1;
    if (numTarget > 1) {
      throw new IllegalArgumentException(
          "multi-target models (num_target=" + numTarget + ") are not supported");
    }
    boolean multi = objective.startsWith("multi:");
    if (multi && numClass < 2) {
      throw new IllegalArgumentException(
          "objective " + objective + " needs num_class >= 2 but num_class is " + numClass);
    }
    int numOutputs = multi ? numClass : 1;
    float[] baseScore = baseScore(param.get("base_score"), numOutputs);

    List<String> names = strings(learner.get("feature_names"), "'learner.feature_names'");
    List<String> types = strings(learner.get("feature_types"), "'learner.feature_types'");
    if (!names.isEmpty() && names.size() != numFeatures) {
      throw new IllegalArgumentException(
          "learner.feature_names has " + names.size() + " names but num_feature is " + numFeatures);
    }
    if (!types.isEmpty() && types.size() != numFeatures) {
      throw new IllegalArgumentException(
          "learner.feature_types has " + types.size() + " types but num_feature is " + numFeatures);
    }
    for (int k = 0; k < baseScore.length; k++) {
      if (!Float.isFinite(baseScore[k])) {
        throw new IllegalArgumentException(
            "learner_model_param.base_score " + param.get("base_score") + " is not finite");
      }
    }
    for (int f = 0; f < types.size(); f++) {
      if (types.get(f).equals("c")) {
        throw new IllegalArgumentException(
            "feature "
                + featureName(names, f)
                + " is categorical; categorical splits are not supported, retrain with the"
                + " feature encoded as numbers");
      }
    }

    Map<String, Object> model = object(booster.get("model"), "'learner.gradient_booster.model'");
    List<Object> treeDocs = list(model.get("trees"), "'gradient_booster.model.trees'");
    int[] treeInfo = ints(model.get("tree_info"), "'gradient_booster.model.tree_info'");
    if (treeInfo.length != treeDocs.size()) {
      throw new IllegalArgumentException(
          "tree_info has "
              + treeInfo.length
              + " entries but there are "
              + treeDocs.size()
              + " trees");
    }
    Map<String, Object> gbParam = optionalObject(model.get("gbtree_model_param"));
    if (gbParam != null && gbParam.containsKey("num_trees")) {
      int declared = intParam(gbParam, "num_trees");
      if (declared != treeDocs.size()) {
        throw new IllegalArgumentException(
            "gbtree_model_param.num_trees is " + declared + " but there are " + treeDocs.size());
      }
    }
    TreeEnsemble.Tree[] trees = new TreeEnsemble.Tree[treeDocs.size()];
    for (int t = 0; t < trees.length; t++) {
      if (treeInfo[t] < 0 || treeInfo[t] >= numOutputs) {
        throw new IllegalArgumentException(
            "tree_info[" + t + "] = " + treeInfo[t] + " is outside [0, " + numOutputs + ")");
      }
      trees[t] = tree(treeDocs.get(t), t, treeInfo[t], numFeatures, names);
    }
    String version = "";
    Object v = root.get("version");
    if (v != null) {
      int[] parts = ints(v, "'version'");
      StringBuilder b = new StringBuilder();
      for (int p : parts) {
        b.append(b.length() == 0 ? "" : ".").append(p);
      }
      version = b.toString();
    }
    return new Parsed(
        objective, numFeatures, numOutputs, baseScore, List.copyOf(names), trees, version);
  }

  private static String featureName(List<String> names, int f) {
    return names.isEmpty() ? "f" + f : "'" + names.get(f) + "' (f" + f + ")";
  }

  private static TreeEnsemble.Tree tree(
      Object doc, int t, int group, int numFeatures, List<String> names) {
    String where = "tree " + t;
    Map<String, Object> tree = object(doc, where);
    Map<String, Object> tp = object(tree.get("tree_param"), where + " 'tree_param'");
    int numNodes = intParam(tp, "num_nodes");
    if (numNodes < 1) {
      throw new IllegalArgumentException(
          where + ": num_nodes must be at least 1 but is " + numNodes);
    }
    if (tp.containsKey("num_feature")) {
      int nf = intParam(tp, "num_feature");
      if (nf != numFeatures) {
        throw new IllegalArgumentException(
            where
                + ": tree_param.num_feature is "
                + nf
                + " but learner_model_param.num_feature is "
                + numFeatures);
      }
    }
    if (tp.containsKey("size_leaf_vector")) {
      int slv = intParam(tp, "size_leaf_vector");
      if (slv > 1) {
        throw new IllegalArgumentException(
            where + ": vector leaves (size_leaf_vector=" + slv + ") are not supported");
      }
    }
    int[] lc = array(tree, "left_children", numNodes, where);
    int[] rc = array(tree, "right_children", numNodes, where);
    int[] si = array(tree, "split_indices", numNodes, where);
    float[] sc = floats(tree.get("split_conditions"), where + " 'split_conditions'");
    checkLength(sc.length, numNodes, where, "split_conditions");
    int[] dl = array(tree, "default_left", numNodes, where);
    float[] hess = null;
    if (tree.get("sum_hessian") != null) {
      hess = floats(tree.get("sum_hessian"), where + " 'sum_hessian'");
      checkLength(hess.length, numNodes, where, "sum_hessian");
    }
    int[] st = tree.get("split_type") == null ? null : array(tree, "split_type", numNodes, where);
    boolean[] defaultLeft = new boolean[numNodes];
    int[] visits = new int[numNodes];
    // Walk from the root: every child must be in range and reached exactly once (no cycle, no
    // node shared by two parents).
    int[] stack = new int[numNodes + 1];
    int sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      int n = stack[--sp];
      if (++visits[n] > 1) {
        throw new IllegalArgumentException(
            where + ": node " + n + " is reached twice (a cycle or a shared child)");
      }
      defaultLeft[n] = dl[n] != 0;
      int l = lc[n];
      int r = rc[n];
      if (l == -1 && r == -1) {
        if (!Float.isFinite(sc[n])) {
          throw new IllegalArgumentException(
              where + ": leaf " + n + " has the value " + sc[n] + "; leaves must be finite");
        }
        continue;
      }
      if (l < 0 || l >= numNodes || r < 0 || r >= numNodes) {
        throw new IllegalArgumentException(
            where
                + ": node "
                + n
                + " has children ("
                + l
                + ", "
                + r
                + ") outside [0, "
                + numNodes
                + ")");
      }
      if (l == n || r == n || l == r) {
        throw new IllegalArgumentException(
            where + ": node " + n + " has children (" + l + ", " + r + ") forming a cycle");
      }
      if (si[n] < 0 || si[n] >= numFeatures) {
        throw new IllegalArgumentException(
            where
                + ": node "
                + n
                + " splits on feature "
                + si[n]
                + " but the model has num_feature "
                + numFeatures);
      }
      if (st != null && st[n] != 0) {
        throw new IllegalArgumentException(
            where
                + ": node "
                + n
                + " is a categorical split on feature "
                + featureName(names, si[n])
                + "; categorical splits are not supported, retrain with the feature encoded as"
                + " numbers");
      }
      if (sp + 2 > stack.length) {
        throw new IllegalArgumentException(where + ": more children than nodes (a cycle)");
      }
      stack[sp++] = l;
      stack[sp++] = r;
    }
    return new TreeEnsemble.Tree(lc, rc, si, sc, defaultLeft, hess, group);
  }

  private static int[] array(Map<String, Object> tree, String name, int numNodes, String where) {
    int[] a = ints(tree.get(name), where + " '" + name + "'");
    checkLength(a.length, numNodes, where, name);
    return a;
  }

  private static void checkLength(int length, int numNodes, String where, String name) {
    if (length != numNodes) {
      throw new IllegalArgumentException(
          where + ": '" + name + "' has " + length + " entries but num_nodes is " + numNodes);
    }
  }

  static float[] baseScore(Object v, int numOutputs) {
    if (v == null) {
      throw new IllegalArgumentException("learner_model_param.base_score is missing");
    }
    String text = v.toString().trim();
    if (text.startsWith("[") && text.endsWith("]")) {
      text = text.substring(1, text.length() - 1);
    }
    String[] parts = text.split(",");
    float[] out = new float[numOutputs];
    try {
      if (parts.length == 1) {
        java.util.Arrays.fill(out, Float.parseFloat(parts[0].trim()));
      } else if (parts.length == numOutputs) {
        for (int k = 0; k < numOutputs; k++) {
          out[k] = Float.parseFloat(parts[k].trim());
        }
      } else {
        throw new IllegalArgumentException(
            "base_score " + v + " has " + parts.length + " values but the model has " + numOutputs);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("base_score '" + v + "' is not a number or vector");
    }
    return out;
  }

  private static int intParam(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      throw new IllegalArgumentException("parameter '" + key + "' is missing");
    }
    try {
      if (v instanceof Number n) {
        return Math.toIntExact(n.longValue());
      }
      return Integer.parseInt(v.toString().trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("parameter '" + key + "' is not an integer: " + v);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object v, String what) {
    if (v instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw new IllegalArgumentException(
        what + (v == null ? " is missing" : " is not an object but " + describe(v)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> optionalObject(Object v) {
    return v instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
  }

  private static String string(Object v, String what) {
    if (v instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException(
        what + (v == null ? " is missing" : " is not a string but " + describe(v)));
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object v, String what) {
    if (v instanceof List<?> l) {
      return (List<Object>) l;
    }
    throw new IllegalArgumentException(
        what + (v == null ? " is missing" : " is not an array but " + describe(v)));
  }

  private static List<String> strings(Object v, String what) {
    if (v == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Object o : list(v, what)) {
      out.add(string(o, what + " element"));
    }
    return out;
  }

  private static String describe(Object v) {
    return v.getClass().getSimpleName();
  }

  static int[] ints(Object v, String what) {
    if (v == null) {
      throw new IllegalArgumentException(what + " is missing");
    }
    if (v instanceof int[] a) {
      return a;
    }
    if (v instanceof long[] a) {
      int[] out = new int[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = toInt(a[i], what);
      }
      return out;
    }
    List<Object> l = list(v, what);
    int[] out = new int[l.size()];
    for (int i = 0; i < out.length; i++) {
      Object o = l.get(i);
      if (o instanceof Boolean b) {
        out[i] = b ? 1 : 0;
      } else if (o instanceof Number n) {
        if ((o instanceof Double || o instanceof Float)
            && n.doubleValue() != Math.rint(n.doubleValue())) {
          throw new IllegalArgumentException(what + "[" + i + "] is not an integer: " + o);
        }
        try {
          out[i] = toInt(n.longValue(), what);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(what + "[" + i + "] is not an integer: " + o);
        }
      } else {
        throw new IllegalArgumentException(what + "[" + i + "] is not a number: " + o);
      }
    }
    return out;
  }

  private static int toInt(long v, String what) {
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(what + " holds " + v + ", out of int range");
    }
    return (int) v;
  }

  static float[] floats(Object v, String what) {
    if (v == null) {
      throw new IllegalArgumentException(what + " is missing");
    }
    if (v instanceof float[] a) {
      return a;
    }
    List<Object> l = list(v, what);
    float[] out = new float[l.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(l.get(i) instanceof Number n)) {
        throw new IllegalArgumentException(what + "[" + i + "] is not a number: " + l.get(i));
      }
      out[i] = n.floatValue();
    }
    return out;
  }
}
