package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

  @Test
  void hidesTheUserInfoOfEveryUrlInAText() {
    assertThat(
            Redaction.credentialsInUrls(
                "Resolving path s3a://AKIAEXAMPLE:Top@Secret123@lakehouse/bronze/payments and"
                    + " https://key:secret@registry.example:8081/subjects"))
        .isEqualTo(
            "Resolving path s3a://***@lakehouse/bronze/payments and"
                + " https://***@registry.example:8081/subjects");
    assertThat(Redaction.credentialsInUrls("s3://user@bucket")).isEqualTo("s3://***@bucket");
  }

  @Test
  void leavesTextWithoutCredentialsAlone() {
    String plain = "s3a://lakehouse/models/registry, mail ops@example.com, /tmp/a@b, http://h/p@q";
    assertThat(Redaction.credentialsInUrls(plain)).isEqualTo(plain);
    assertThat(Redaction.credentialsInUrls(null)).isNull();
    assertThat(Redaction.hasUserInfo("s3a://KEY:SECRET@bucket/")).isTrue();
    assertThat(Redaction.hasUserInfo("s3a://bucket/")).isFalse();
    assertThat(Redaction.hasUserInfo("/data/lake")).isFalse();
    assertThat(Redaction.hasUserInfo(null)).isFalse();
  }
}
