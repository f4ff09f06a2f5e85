package dev.bunting.kube;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A named worker pool for blocking work: fabric8 DSL calls, JGit, file I/O. Never run those on an event loop or inside
 * an informer callback; run them here and continue on the returned {@link Future}. Each engine has its own pool, so
 * one engine's slow work (a GitSync applying a thousand objects) never queues ahead of another's (a canary's status
 * write); the pools' names ({@code bunting-canary}, {@code bunting-gitsync}, ...) are their threads' names.
 */
public final class BlockingPool implements AutoCloseable {
  private final String name;
  private final int size;
  private final WorkerExecutor executor;

  public BlockingPool(Vertx vertx, String name, int size) {
    this.name = name;
    this.size = size;
    this.executor = vertx.createSharedWorkerExecutor(name, size, 5, TimeUnit.MINUTES);
  }

  public String name() {
    return name;
  }

  public int size() {
    return size;
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
