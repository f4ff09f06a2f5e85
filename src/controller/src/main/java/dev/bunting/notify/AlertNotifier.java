package dev.bunting.notify;

import dev.bunting.api.CanaryAlert;
import dev.bunting.logging.ObjectLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends canary alerts to chat services (and {@code generic} receivers), with Flagger's routing rules:
 * <ul>
 *   <li>a canary with {@code analysis.alerts} sends to each listed AlertProvider whose severity threshold admits the
 *       alert ({@code info} ⇒ all, {@code warn} ⇒ warn and error, {@code error} ⇒ error only; an empty severity is
 *       {@code info});</li>
 *   <li>a canary without {@code analysis.alerts} sends to the global notifier (the {@code --slack-*} /
 *       {@code --msteams-*} flags), if one is configured, whatever the severity;</li>
 *   <li>a {@code Cluster} field comes first when a cluster name is configured.</li>
 * </ul>
 * Delivery is asynchronous, uses one shared HTTP client with a 5 second timeout, and never fails: the returned
 * future always succeeds with one {@link AlertDelivery} per provider tried. Failures are logged without addresses
 * or tokens.
 */
public final class AlertNotifier implements AutoCloseable {
  /** Per-request timeout, as in Flagger. */
  public static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(AlertNotifier.class);

  private final AlertPoster poster;
  private final Optional<AlertTarget> global;
  private final Optional<String> clusterName;
  private final Clock clock;

  /**
   * @param global the controller-wide destination; {@link GlobalNotifierConfig#none()} for none
   * @param clusterName {@code --cluster-name}, shown as the {@code Cluster} field
   * @param clock stamps each alert with the time it is sent ({@code generic} payloads carry it)
   * @throws IllegalArgumentException when the global configuration is unusable (message free of secrets)
   */
  public AlertNotifier(Vertx vertx, GlobalNotifierConfig global, Optional<String> clusterName, Clock clock) {
    this(vertx, global, clusterName, clock, TIMEOUT);
  }

  AlertNotifier(Vertx vertx, GlobalNotifierConfig global, Optional<String> clusterName, Clock clock,
      Duration timeout) {
    try {
      this.global = global.target();
    } catch (InvalidAlertProviderException e) {
      throw new IllegalArgumentException("global notifier: " + e.getMessage(), e);
    }
    this.clusterName = clusterName.filter(n -> !n.isBlank());
    this.clock = clock;
    this.poster = new AlertPoster(vertx, timeout);
  }

  /**
   * Sends {@code alert} for a canary.
   *
   * @param canaryAlerts the canary's {@code analysis.alerts} (null or empty ⇒ the global notifier)
   * @param lookup finds AlertProviders and their Secrets
   * @return one delivery per provider tried, in the order of {@code canaryAlerts}; never fails
   */
  public Future<List<AlertDelivery>> send(Alert raised, List<CanaryAlert> canaryAlerts, AlertProviderLookup lookup) {
    Alert alert = raised.time() == null ? raised.at(clock.instant()) : raised;
    List<AlertField> fields = fieldsOf(alert);
    if (canaryAlerts == null || canaryAlerts.isEmpty()) {
      return global
          .map(target -> deliver(alert, fields, target, "global (" + target.type().wire() + ")").map(List::of))
          .orElseGet(() -> Future.succeededFuture(List.of()));
    }
    List<Future<AlertDelivery>> deliveries = new ArrayList<>();
    for (CanaryAlert canaryAlert : canaryAlerts) {
      if (canaryAlert != null) {
        route(alert, fields, canaryAlert, lookup).ifPresent(deliveries::add);
      }
    }
    return Future.all(deliveries).map(all -> all.<AlertDelivery>list());
  }

  private Optional<Future<AlertDelivery>> route(Alert alert, List<AlertField> fields, CanaryAlert canaryAlert,
      AlertProviderLookup lookup) {
    String alertName = canaryAlert.name == null ? "" : canaryAlert.name;
    Optional<AlertSeverity> threshold = AlertSeverity.threshold(canaryAlert.severity);
    if (threshold.isEmpty()) {
      return Optional.of(unusable(alert, "alert " + alertName,
          "unknown severity '" + canaryAlert.severity + "' (use info, warn or error)"));
    }
    if (!threshold.get().admits(alert.severity())) {
      return Optional.empty();
    }
    if (canaryAlert.providerRef == null || canaryAlert.providerRef.name == null
        || canaryAlert.providerRef.name.isEmpty()) {
      return Optional.of(unusable(alert, "alert " + alertName, "no providerRef"));
    }
    String namespace = canaryAlert.providerRef.namespaceOr(alert.namespace());
    String label = namespace + "/" + canaryAlert.providerRef.name;
    Optional<ResolvedAlertProvider> provider;
    try {
      provider = lookup.find(namespace, canaryAlert.providerRef.name);
    } catch (RuntimeException e) {
      return Optional.of(unusable(alert, label, "lookup failed: " + e.getClass().getSimpleName()));
    }
    if (provider.isEmpty()) {
      return Optional.of(unusable(alert, label, "alert provider not found"));
    }
    try {
      AlertTarget target = AlertTarget.fromProvider(provider.get().spec(), provider.get().secretData());
      return Optional.of(deliver(alert, fields, target, label + " (" + target.type().wire() + ")"));
    } catch (InvalidAlertProviderException e) {
      return Optional.of(unusable(alert, label, e.getMessage()));
    }
  }

  private Future<AlertDelivery> deliver(Alert alert, List<AlertField> fields, AlertTarget target, String label) {
    JsonObject payload = target.type().format().render(alert, fields, target.channel(), target.username());
    return poster.post(target, payload).transform(ar -> {
      if (ar.succeeded()) {
        ObjectLog.of(LOG, "Canary", alert.key()).debug("alert sent to {}: {}", label, ar.result());
        return Future.succeededFuture(new AlertDelivery(label, true, ar.result()));
      }
      String message = ar.cause().getMessage();
      ObjectLog.of(LOG, "Canary", alert.key()).warn("alert to {} failed: {}", label, message);
      return Future.succeededFuture(new AlertDelivery(label, false, message));
    });
  }

  private static Future<AlertDelivery> unusable(Alert alert, String label, String reason) {
    ObjectLog.of(LOG, "Canary", alert.key()).warn("alert to {} not sent: {}", label, reason);
    return Future.succeededFuture(new AlertDelivery(label, false, reason));
  }

  private List<AlertField> fieldsOf(Alert alert) {
    if (clusterName.isEmpty()) {
      return alert.fields();
    }
    List<AlertField> fields = new ArrayList<>(alert.fields().size() + 1);
    fields.add(new AlertField("Cluster", clusterName.get()));
    fields.addAll(alert.fields());
    return fields;
  }

  /** Closes the HTTP client. */
  @Override
  public void close() {
    poster.close();
  }
}
