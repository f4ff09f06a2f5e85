package dev.bunting.canary.router;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Optional;

/**
 * Builds the three ClusterIP Services of a canary (Flagger's naming contract): {@code <svc>-canary} selecting the
 * target's pods ({@code <label>: <value>}), {@code <svc>-primary} and the apex {@code <svc>} selecting the primary's
 * pods ({@code <label>: <value>-primary}). Ports: {@code service.port}/{@code portName} (default {@code http})/
 * {@code targetPort} (default the port)/{@code appProtocol}, plus discovered container ports with
 * {@code portDiscovery}. Labels/annotations from {@code service.apex|primary|canary}; {@code headless};
 * {@code trafficDistribution}. For an apex Service that already exists and is not owned by the Canary, only ports and
 * selector are set (existing {@code nodePort}s kept).
 */
public interface ServiceBuilder {

  /** The selector label and its value, as found on the target (see {@code SelectorLabels}). */
  record Selector(String label, String value) {}

  Service canaryService(Canary canary, HasMetadata target, Selector selector);

  Service primaryService(Canary canary, HasMetadata target, Selector selector);

  Service apexService(Canary canary, HasMetadata target, Selector selector, Optional<Service> existing);

  /**
   * The apex Service pointed back at the target's pods ({@code <label>: <value>}), for {@code revertOnDeletion}: a
   * Service the Canary controls loses its owner reference (so it outlives the Canary instead of being garbage
   * collected); a Service it does not control gets the selector from its {@code kubectl.kubernetes.io/last-applied-configuration}
   * when there is one, as Flagger's {@code Finalize} does.
   */
  Service revertedApexService(Canary canary, HasMetadata target, Selector selector, Optional<Service> existing);
}
