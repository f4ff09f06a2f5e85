package dev.bunting.api;

import java.util.List;

/** {@code ImagePolicy.status}. */
public class ImagePolicyStatus extends ApiObject {
  public Long observedGeneration;
  public List<Condition> conditions;
  /** The newest allowed image of the last scan, {@code repository:tag}. */
  public String latestImage;
  /** How many tags the last scan listed. */
  public Integer tagCount;
  /** When the tags were last listed (RFC 3339). */
  public String lastScanTime;
  /**
   * The image last brought into the files (pushed, or found there already). A newer {@code latestImage} is written once;
   * a revert or a hand edit of the same image is left alone.
   */
  public String writtenImage;
  /** The last handled value of the annotation {@code reconcile.bunting.dev/requestedAt} (a scan now). */
  public String lastHandledReconcileAt;
  /** The last commit pushed, and when. */
  public String lastPushCommit;
  public String lastPushTime;
}
