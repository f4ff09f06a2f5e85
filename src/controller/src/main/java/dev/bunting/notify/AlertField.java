package dev.bunting.notify;

import java.util.Objects;

/**
 * One name/value line of an alert: a Slack attachment field, a Teams fact, a Google Chat paragraph.
 *
 * @param name e.g. {@code Target}
 * @param value e.g. {@code Deployment/podinfo.test}
 */
public record AlertField(String name, String value) {
  public AlertField {
    Objects.requireNonNull(name, "name");
    value = value == null ? "" : value;
  }
}
