package dev.bunting.canary;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryActionStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A rollout action asked for with the Canary's {@code bunting.dev/action} annotation, without editing the spec:
 * {@code ACTION[,force][@ID]}, where ACTION is {@code promote}, {@code abort}, {@code retry}, {@code pause} or
 * {@code resume}, {@code force} (promote only) skips the {@code confirm-promotion} hooks, and {@code ID} is any text
 * that makes the value new ({@code bunting promote} writes the time of the request).
 *
 * <p>A request is identified by the whole value: the controller handles a value once and records it in
 * {@code status.lastAction.request}, and only a different value is a new request. So {@code kubectl annotate ...
 * bunting.dev/action=abort} works once; to ask for the same action again, write a new value (e.g.
 * {@code abort@2}). Requests are not queued: a value replaced before the controller saw it is never handled.
 *
 * @param value the annotation value as written
 * @param action the action, null when the value is invalid
 * @param problem why the value is invalid, null when it is valid
 */
public record ActionRequest(String value, Action action, boolean force, String problem) {
  public static final String ANNOTATION = "bunting.dev/action";
  /** Longer values are invalid, and recorded as {@code sha256:<hex>} so the status stays small. */
  static final int MAX_LENGTH = 253;
  /** The grammar, for messages about invalid values. */
  public static final String USAGE = "use ACTION[,force][@ID] with ACTION one of promote, abort, retry, pause, resume"
      + " (force: promote only)";

  /** The actions, by their annotation (and command) names. */
  public enum Action {
    PROMOTE, ABORT, RETRY, PAUSE, RESUME;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Optional<Action> fromWire(String name) {
      for (Action a : values()) {
        if (a.wire().equals(name)) {
          return Optional.of(a);
        }
      }
      return Optional.empty();
    }
  }

  /** The request in {@code canary}'s annotation; empty when there is none (absent or blank). */
  public static Optional<ActionRequest> of(Canary canary) {
    Map<String, String> annotations = canary.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(ANNOTATION);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(parse(value));
  }

  /** The request in {@code canary}'s annotation unless {@code status.lastAction} records it as handled already. */
  public static Optional<ActionRequest> pending(Canary canary) {
    CanaryActionStatus last = canary.getStatus() == null ? null : canary.getStatus().lastAction;
    return of(canary).filter(r -> last == null || !r.key().equals(last.request));
  }

  public static ActionRequest parse(String value) {
    if (value.length() > MAX_LENGTH) {
      return invalid(value, "the value is longer than " + MAX_LENGTH + " characters");
    }
    int at = value.indexOf('@');
    String head = (at < 0 ? value : value.substring(0, at)).trim().toLowerCase(Locale.ROOT);
    String[] parts = head.split(",", -1);
    Optional<Action> action = Action.fromWire(parts[0].trim());
    if (action.isEmpty()) {
      return invalid(value, "unknown action '" + parts[0].trim() + "'");
    }
    boolean force = false;
    for (int i = 1; i < parts.length; i++) {
      String option = parts[i].trim();
      if (!option.equals("force")) {
        return invalid(value, "unknown option '" + option + "'");
      }
      if (action.get() != Action.PROMOTE) {
        return invalid(value, "force applies to promote only");
      }
      force = true;
    }
    return new ActionRequest(value, action.get(), force, null);
  }

  /** The value {@code bunting <action>} writes: {@code promote,force@2026-12-04T16:40:05.123Z}. */
  public static String format(Action action, boolean force, String id) {
    return action.wire() + (force ? ",force" : "") + "@" + id;
  }

  private static ActionRequest invalid(String value, String problem) {
    return new ActionRequest(value, null, false, problem + "; " + USAGE);
  }

  public boolean valid() {
    return action != null;
  }

  /** {@code promote}, {@code promote --force}, ... as a person would say it; empty when invalid. */
  public String actionName() {
    return action == null ? "" : action.wire();
  }

  /** What {@code status.lastAction.request} records for this request: the value, or a digest of a very long one. */
  public String key() {
    return key(value);
  }

  static String key(String value) {
    if (value.length() <= MAX_LENGTH) {
      return value;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code bunting.dev/action=<value>} for messages, the value cut at 64 characters. */
  public String shown() {
    return ANNOTATION + "=" + (value.length() <= 64 ? value : value.substring(0, 61) + "...");
  }
}
