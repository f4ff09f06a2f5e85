package dev.bunting.kube;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The one named worker pool for blocking work: fabric8 DSL calls, JGit, file I/O. Never run those on an event loop or
 * inside an informer callback; run them here and continue on the returned {@link Future}.
 */
public final class BlockingPool implements AutoCloseable {
  public static final String NAME = "bunting-blocking";

  private final WorkerExecutor executor;

  public BlockingPool(Vertx vertx, int size) {
    this.executor = vertx.createSharedWorkerExecutor(NAME, size, 5, TimeUnit.MINUTES);
  }

  /** Runs {@code work} on the pool, unordered (independent calls run in parallel). */
  public <T> Future<T> run(Callable<T> work) {
    return executor.executeBlocking(work, false);
  }

  @Override
  public void close() {
    executor.close();
  }
}
