package dev.bunting.api;

/**
 * {@code GitSync.spec.receiver}: the Secret (key {@code token}) that signs push webhooks. GitHub's
 * {@code X-Hub-Signature-256}, GitLab's {@code X-Gitlab-Token} and the generic {@code X-Signature: sha256=<hex>} are
 * checked against it.
 */
public class GitSyncReceiver extends ApiObject {
  public SecretReference secretRef;
}
