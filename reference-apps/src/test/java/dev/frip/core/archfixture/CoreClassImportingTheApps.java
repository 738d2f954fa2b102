package dev.frip.core.archfixture;

import dev.frip.apps.Frip;
import picocli.CommandLine;

/** A deliberate violation of the import rules, used only to prove the rules can fail. */
public final class CoreClassImportingTheApps {

  private CoreClassImportingTheApps() {}

  /** Touches a CLI library and the apps from a package of sdk-core. */
  public static String violate() {
    return CommandLine.class.getName() + Frip.class.getName();
  }
}
