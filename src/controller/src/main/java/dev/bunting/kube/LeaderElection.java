package dev.bunting.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active/passive replicas through a {@code coordination.k8s.io} Lease (fabric8's {@link LeaderElector} with a
 * {@link LeaseLock}), as Flagger and Kubernetes' own controllers do: the holder renews the Lease every retry period;
 * when it cannot renew within the renew deadline it stops leading; another replica takes the Lease once it has not
 * been renewed for the lease duration.
 *
 * <p>Threads: fabric8's elector makes blocking API calls (get, create, update of the Lease) and runs its callbacks on
 * the executor it is given: here one dedicated thread, {@code bunting-leader-election}, never a Vert.x event loop and
 * never a pool the engines use. The callbacks must return quickly (hand work to Vert.x).
 *
 * <p>Each instance has its own identity, {@code <hostname>_<uuid>} (as client-go's), so two instances with one host
 * name (two in a test JVM, a pod restarted in place) never both think they hold the Lease.
 */
public final class LeaderElection {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

  /** Where the Lease is and how it is held. */
  public record Settings(String namespace, String name, Duration leaseDuration, Duration renewDeadline,
      Duration retryPeriod) {
    public Settings {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(name, "name");
      if (leaseDuration.compareTo(renewDeadline) <= 0 || renewDeadline.compareTo(retryPeriod) <= 0
          || retryPeriod.isNegative() || retryPeriod.isZero()) {
        throw new IllegalArgumentException("leader election needs lease duration > renew deadline > retry period > 0, "
            + "got " + leaseDuration.toMillis() + "ms, " + renewDeadline.toMillis() + "ms, " + retryPeriod.toMillis()
            + "ms");
      }
    }

    /** {@code namespace/name}. */
    public String lease() {
      return namespace + "/" + name;
    }
  }

  private final Settings settings;
  private final String identity;
  private final Runnable onStart;
  private final Runnable onStop;
  private final ExecutorService thread;
  private final LeaderElector elector;
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean leading;
  private volatile String leader;
  private volatile CompletableFuture<?> running;

  /**
   * @param onStart called (on the election thread) when this instance becomes the leader
   * @param onStop called (on the election thread) when it stops being the leader for any reason but {@link #close}:
   *     it could not renew the Lease in time, or another instance holds it
   */
  public LeaderElection(KubernetesClient client, Settings settings, String hostname, Runnable onStart,
      Runnable onStop) {
    this.settings = settings;
    this.identity = hostname + "_" + UUID.randomUUID();
    this.onStart = onStart;
    this.onStop = onStop;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "bunting-leader-election");
      t.setDaemon(true);
      return t;
    });
    LeaderElectionConfig config = new LeaderElectionConfig(new LeaseLock(settings.namespace(), settings.name(),
        identity), settings.leaseDuration(), settings.renewDeadline(), settings.retryPeriod(),
        new LeaderCallbacks(this::started, this::stopped, this::observed), false, "bunting");
    this.elector = new LeaderElector(client, config, thread);
  }

  /** Starts trying to acquire the Lease (in the background); returns at once. */
  public void start() {
    LOG.info("leader election: {} competing for Lease {} (lease {}s, renew deadline {}s, retry {}s)", identity,
        settings.lease(), settings.leaseDuration().toMillis() / 1000.0, settings.renewDeadline().toMillis() / 1000.0,
        settings.retryPeriod().toMillis() / 1000.0);
    running = elector.start();
  }

  public boolean leading() {
    return leading;
  }

  /** The holder of the Lease as last seen, if any. */
  public Optional<String> leader() {
    return Optional.ofNullable(leader);
  }

  public String identity() {
    return identity;
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Stops competing. With {@code release}, a Lease this instance holds is released (blocking: one get and one update),
   * so that a standby takes over at once rather than after the lease duration; without, it is left to expire, as when
   * the process is killed. {@code onStop} is not called.
   */
  public void close(boolean release) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    boolean wasLeading = leading;
    leading = false;
    CompletableFuture<?> r = running;
    if (r != null) {
      r.cancel(true);
    }
    if (release && wasLeading) {
      try {
        if (elector.release()) {
          LOG.info("leader election: released Lease {}", settings.lease());
        }
      } catch (RuntimeException e) {
        LOG.warn("leader election: could not release Lease {} (it expires in {}s): {}", settings.lease(),
            settings.leaseDuration().toSeconds(), e.getMessage());
      }
    }
    thread.shutdownNow();
  }

  private void started() {
    if (closing.get()) {
      return;
    }
    leading = true;
    LOG.info("leader election: {} is now the leader (Lease {})", identity, settings.lease());
    onStart.run();
  }

  private void stopped() {
    boolean was = leading;
    leading = false;
    if (closing.get() || !was) {
      return;
    }
    LOG.warn("leader election: {} lost the Lease {} (not renewed within {}s, or taken over)", identity,
        settings.lease(), settings.renewDeadline().toMillis() / 1000.0);
    onStop.run();
  }

  private void observed(String holder) {
    leader = holder;
    if (holder != null && !holder.equals(identity)) {
      LOG.info("leader election: the leader is {}", holder);
    }
  }

  @Override
  public String toString() {
    return "LeaderElection[" + identity + " " + settings.lease() + (leading ? " leading" : "") + "]";
  }
}
