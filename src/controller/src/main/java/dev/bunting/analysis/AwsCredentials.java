package dev.bunting.analysis;

import java.util.Map;

/**
 * AWS credentials for CloudWatch. Flagger uses the AWS SDK's default chain; Bunting reads static credentials: from the
 * template's Secret ({@code aws_access_key_id}, {@code aws_secret_access_key}, optional
 * {@code aws_session_token}: a Bunting addition) or else from the controller's environment ({@code AWS_ACCESS_KEY_ID},
 * {@code AWS_SECRET_ACCESS_KEY}, optional {@code AWS_SESSION_TOKEN}). {@link #toString()} shows only the key id's first characters.
 */
record AwsCredentials(String accessKeyId, String secretAccessKey, String sessionToken) {

  static AwsCredentials from(ProviderSettings s, Map<String, String> environment) {
    if (s.hasSecret() && s.secretValue("aws_access_key_id") != null) {
      return new AwsCredentials(s.secretValue("aws_access_key_id").strip(), s.required("aws_secret_access_key").strip(),
          blankToNull(s.secretValue("aws_session_token")));
    }
    String id = environment.get("AWS_ACCESS_KEY_ID");
    String secret = environment.get("AWS_SECRET_ACCESS_KEY");
    if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
      String irsa = environment.containsKey("AWS_WEB_IDENTITY_TOKEN_FILE")
          ? " (web identity / IRSA credentials are not supported yet)" : "";
      throw new IllegalArgumentException("cloudwatch: no AWS credentials: set AWS_ACCESS_KEY_ID and "
          + "AWS_SECRET_ACCESS_KEY in the controller's environment, or aws_access_key_id and aws_secret_access_key in "
          + "the template's secretRef" + irsa);
    }
    return new AwsCredentials(id.strip(), secret.strip(), blankToNull(environment.get("AWS_SESSION_TOKEN")));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  @Override
  public String toString() {
    return "AwsCredentials[" + accessKeyId.substring(0, Math.min(4, accessKeyId.length())) + "...]";
  }
}
