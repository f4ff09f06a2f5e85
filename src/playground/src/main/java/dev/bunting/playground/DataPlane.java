package dev.bunting.playground;

import dev.bunting.testing.GatewayStatusController;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/**
 * The simulated data plane of the playground, never used by the controller: an app process per kwok pod
 * ({@link SimulatedPods}), their scrape targets for Prometheus ({@link ScrapeTargets}), a gateway that routes by the
 * HTTPRoute's weights ({@link SimulatedGateway}) and marks routes accepted ({@link GatewayStatusController}), and
 * steady traffic ({@link LoadGenerator}) from the moment the gateway has a route for the app's host (as users arrive
 * once DNS points at a gateway that serves them).
 */
public final class DataPlane implements AutoCloseable {
  private final SimulatedPods pods;
  private final ScrapeTargets targets;
  private final SimulatedGateway gateway;
  private final GatewayStatusController routeStatus;
  private final LoadGenerator load;

  private DataPlane(SimulatedPods pods, ScrapeTargets targets, SimulatedGateway gateway,
      GatewayStatusController routeStatus, LoadGenerator load) {
    this.pods = pods;
    this.targets = targets;
    this.gateway = gateway;
    this.routeStatus = routeStatus;
    this.load = load;
  }

  /** What the data plane needs to know. */
  public record Settings(String namespace, String gatewayName, String host, Path targetsFile, int gatewayPort,
      double requestsPerSecond) {}

  /** Starts everything and returns once the gateway listens and the load runs. */
  public static Future<DataPlane> start(Vertx vertx, KubernetesClient client, Settings s) {
    SimulatedPods pods = new SimulatedPods(vertx, client, s.namespace());
    ScrapeTargets targets = new ScrapeTargets(vertx, s.targetsFile(), s.namespace(), pods::snapshot);
    pods.onChange(apps -> targets.refresh());
    SimulatedGateway gateway = new SimulatedGateway(vertx, client, s.namespace(), s.gatewayName(), pods);
    GatewayStatusController routeStatus = new GatewayStatusController(client, vertx, s.namespace());
    return targets.refresh()
        .compose(v -> pods.start())
        .compose(v -> gateway.start(s.gatewayPort()))
        .map(g -> {
          routeStatus.start();
          LoadGenerator load = new LoadGenerator(vertx, g.port(), s.host(), s.requestsPerSecond());
          load.startWhen(() -> g.route(s.host()).isPresent());
          return new DataPlane(pods, targets, gateway, routeStatus, load);
        })
        .onFailure(e -> {
          gateway.close();
          pods.close();
          routeStatus.close();
        });
  }

  public SimulatedPods pods() {
    return pods;
  }

  public ScrapeTargets targets() {
    return targets;
  }

  public SimulatedGateway gateway() {
    return gateway;
  }

  public LoadGenerator load() {
    return load;
  }

  @Override
  public void close() {
    load.close();
    routeStatus.close();
    gateway.close();
    pods.close();
  }
}
