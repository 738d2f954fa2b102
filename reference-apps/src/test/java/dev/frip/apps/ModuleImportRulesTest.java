package dev.frip.apps;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.frip.core.archfixture.CoreClassImportingTheApps;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The import rules of ARCHITECTURE.md, checked on the compiled classes of every module. Maven's
 * enforcer rules stop a module from declaring a forbidden dependency; these rules stop code from
 * reaching into another module's {@code internal} packages or into the apps.
 */
class ModuleImportRulesTest {

  static final List<String> SDK_MODULES = List.of("core", "kafka", "lakehouse", "scoring");

  static JavaClasses production;

  @BeforeAll
  static void importClasses() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.frip");
  }

  static ArchRule coreImportsOnlyThirdPartyLibraries() {
    return classes()
        .that()
        .resideInAPackage("dev.frip.core..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "dev.frip.core..",
            "java..",
            "javax.annotation..",
            "org.apache.avro..",
            "com.github.benmanes.caffeine..",
            "org.slf4j..",
            "io.micrometer..")
        .because("sdk-core depends on third-party libraries only");
  }

  static ArchRule scoringImportsNeitherKafkaNorTheLakehouse() {
    return noClasses()
        .that()
        .resideInAPackage("dev.frip.scoring..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.frip.kafka..",
            "dev.frip.lakehouse..",
            "org.apache.kafka..",
            "io.delta..",
            "org.apache.hadoop..")
        .because("the trainer takes rows and the apps wire a table reader to it")
        .allowEmptyShould(true);
  }

  static ArchRule kafkaImportsNeitherLakehouseNorScoring() {
    return noClasses()
        .that()
        .resideInAPackage("dev.frip.kafka..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.frip.lakehouse..", "dev.frip.scoring..")
        .allowEmptyShould(true);
  }

  static ArchRule noSdkClassImportsTheApps() {
    return noClasses()
        .that()
        .resideInAnyPackage(
            "dev.frip.core..", "dev.frip.kafka..", "dev.frip.lakehouse..", "dev.frip.scoring..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.frip.apps..", "dev.frip.benchmarks..");
  }

  static ArchRule internalsStayInsideTheirModule(String module) {
    return noClasses()
        .that()
        .resideOutsideOfPackage("dev.frip." + module + "..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.frip." + module + ".internal..")
        .because("a module's implementation lives in its internal packages; use its public API")
        .allowEmptyShould(true);
  }

  @Test
  void sdkCoreDependsOnThirdPartyLibrariesOnly() {
    coreImportsOnlyThirdPartyLibraries().check(production);
  }

  @Test
  void sdkScoringImportsNeitherKafkaNorTheLakehouse() {
    scoringImportsNeitherKafkaNorTheLakehouse().check(production);
  }

  @Test
  void sdkKafkaImportsNeitherTheLakehouseNorScoring() {
    kafkaImportsNeitherLakehouseNorScoring().check(production);
  }

  @Test
  void noSdkModuleImportsTheApps() {
    noSdkClassImportsTheApps().check(production);
  }

  @Test
  void internalPackagesAreNotUsedFromOtherModules() {
    for (String module : SDK_MODULES) {
      internalsStayInsideTheirModule(module).check(production);
    }
  }

  @Test
  void theRulesCatchAViolation() {
    // A test fixture in dev.frip.core that imports a CLI library and the apps: both rules must
    // object.
    JavaClasses fixture = new ClassFileImporter().importClasses(CoreClassImportingTheApps.class);
    assertThat(coreImportsOnlyThirdPartyLibraries().evaluate(fixture).hasViolation()).isTrue();
    assertThat(noSdkClassImportsTheApps().evaluate(fixture).hasViolation()).isTrue();
  }
}
