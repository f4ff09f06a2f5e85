package dev.bunting.gitops;

/**
 * A Git operation failed. {@link #reason()} is the condition reason shown to the user ({@code GitOperationFailed},
 * {@code AuthenticationFailed}, {@code InvalidCredentials}, {@code RevisionNotFound}, {@code PathNotFound}, {@code PushRejected}, {@code Conflict}); the
 * message never contains credentials.
 */
public final class GitException extends Exception {
  public static final String GIT_OPERATION_FAILED = "GitOperationFailed";
  public static final String AUTHENTICATION_FAILED = "AuthenticationFailed";
  public static final String INVALID_CREDENTIALS = "InvalidCredentials";
  public static final String REVISION_NOT_FOUND = "RevisionNotFound";
  public static final String PATH_NOT_FOUND = "PathNotFound";
  /** The server refused a push (a protected branch, a hook, or the branch moved again while rebuilding). */
  public static final String PUSH_REJECTED = "PushRejected";
  /** A change cannot be made on the branch as it is now (a revert that conflicts with later changes). */
  public static final String CONFLICT = "Conflict";

  private final String reason;

  public GitException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
