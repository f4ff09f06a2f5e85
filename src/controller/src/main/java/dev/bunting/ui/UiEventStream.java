package dev.bunting.ui;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code /ui/events}: server-sent events to every open page. A new stream first gets {@code snapshot} (all rows), then
 * one event per changed object: {@code canary} / {@code gitsync} with the object's row (and, for a canary, the newest
 * history entry), or {@code removed}. Changes are coalesced: informer callbacks only {@link #changed mark} a key, and
 * at most every {@code debounceMs} one flush on the event loop reads the current rows from the caches and writes them,
 * so a burst of updates to one canary becomes one event. A client that cannot keep up (its write queue is full) is
 * closed; its browser reconnects and starts again from a snapshot. Nothing here blocks or calls the API server.
 */
public final class UiEventStream {
  /** Kind of a changed object: {@code canary} or {@code gitsync}. */
  public enum Kind {
    CANARY, GITSYNC;

    String wire() {
      return this == CANARY ? "canary" : "gitsync";
    }
  }

  private final Vertx vertx;
  private final long debounceMs;
  private final Supplier<JsonObject> snapshot;
  private final Map<Kind, Function<String, JsonObject>> rows;
  private final Set<HttpServerResponse> clients = ConcurrentHashMap.newKeySet();
  private final Map<String, Kind> dirty = new LinkedHashMap<>();
  private boolean flushScheduled;
  private long heartbeat = -1;

  /**
   * @param snapshot every row, {@code {"canaries": [...], "gitSyncs": [...]}}
   * @param rows per kind: the current row (with history) of key {@code namespace/name}, null when it is gone
   */
  public UiEventStream(Vertx vertx, long debounceMs, Supplier<JsonObject> snapshot,
      Map<Kind, Function<String, JsonObject>> rows) {
    this.vertx = vertx;
    this.debounceMs = debounceMs;
    this.snapshot = snapshot;
    this.rows = rows;
  }

  /** Marks {@code key} changed; any thread (informer callbacks). */
  public void changed(Kind kind, String key) {
    synchronized (dirty) {
      dirty.put(kind.wire() + ":" + key, kind);
      if (flushScheduled || clients.isEmpty()) {
        if (clients.isEmpty()) {
          dirty.clear();
        }
        return;
      }
      flushScheduled = true;
    }
    vertx.setTimer(debounceMs, t -> flush());
  }

  /** Starts a stream on {@code response} (on its event loop). */
  public void open(HttpServerResponse response) {
    response.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    clients.add(response);
    response.closeHandler(v -> clients.remove(response));
    response.exceptionHandler(e -> clients.remove(response));
    send(response, "snapshot", snapshot.get());
    synchronized (this) {
      if (heartbeat < 0) {
        heartbeat = vertx.setPeriodic(20_000, id -> clients.forEach(c -> write(c, ": keep-alive\n\n")));
      }
    }
  }

  /** Open streams. */
  public int clients() {
    return clients.size();
  }

  /** Ends every stream. */
  public void close() {
    synchronized (this) {
      if (heartbeat >= 0) {
        vertx.cancelTimer(heartbeat);
        heartbeat = -1;
      }
    }
    new ArrayList<>(clients).forEach(c -> {
      clients.remove(c);
      c.end();
    });
  }

  private void flush() {
    List<Map.Entry<String, Kind>> keys;
    synchronized (dirty) {
      keys = new ArrayList<>(dirty.entrySet());
      dirty.clear();
      flushScheduled = false;
    }
    if (clients.isEmpty()) {
      return;
    }
    for (Map.Entry<String, Kind> e : keys) {
      String key = e.getKey().substring(e.getValue().wire().length() + 1);
      JsonObject row = rows.get(e.getValue()).apply(key);
      if (row == null) {
        int slash = key.indexOf('/');
        broadcast("removed", new JsonObject().put("kind", e.getValue().wire())
            .put("namespace", key.substring(0, slash)).put("name", key.substring(slash + 1)));
      } else {
        broadcast(e.getValue().wire(), row);
      }
    }
  }

  private void broadcast(String event, JsonObject data) {
    String frame = frame(event, data);
    clients.forEach(c -> write(c, frame));
  }

  private void send(HttpServerResponse c, String event, JsonObject data) {
    write(c, frame(event, data));
  }

  private void write(HttpServerResponse c, String frame) {
    if (c.writeQueueFull()) {
      clients.remove(c);
      c.reset();
      return;
    }
    c.write(frame);
  }

  /** One SSE frame; JSON has no raw newlines, so one {@code data:} line suffices. */
  static String frame(String event, JsonObject data) {
    return "event: " + event + "\ndata: " + data.encode() + "\n\n";
  }
}
