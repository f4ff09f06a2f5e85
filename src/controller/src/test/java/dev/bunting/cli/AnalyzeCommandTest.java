package dev.bunting.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bunting analyze} against a Prometheus stand-in whose history turns bad 50 s into the release: the replay
 * queries each tick at its own time, prints the ticks with the Events Bunting would record, and ends with the
 * rollback it would have done.
 */
class AnalyzeCommandTest {
  private static final Instant FROM = Instant.parse("2026-11-26T10:00:00Z");
  static Vertx vertx;
  static HttpServer server;
  static final List<MultiMap> requests = new CopyOnWriteArrayList<>();

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(req -> {
      requests.add(MultiMap.caseInsensitiveMultiMap().addAll(req.params()));
      long t = (long) Double.parseDouble(req.getParam("time"));
      double rate = t < FROM.getEpochSecond() + 50 ? 100 : 80;
      req.response().end("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
          + "\"value\":[" + t + ",\"" + rate + "\"]}]}}");
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private record Run(int exit, String out, String err) {}

  private Run analyze(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.getSubcommands().get("analyze").setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void replaysTheReleaseTickByTickAndPrintsTheRollbackItWouldHaveDone() throws Exception {
    Path canary = dir.resolve("canary.yaml");
    Files.writeString(canary, """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test}
        spec:
          provider: gatewayapi:v1
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service: {port: 9898}
          analysis:
            interval: 10s
            threshold: 2
            stepWeight: 10
            maxWeight: 50
            metrics:
            - name: request-success-rate
              thresholdRange: {min: 99}
              interval: 1m
        """);
    Run run = analyze("analyze", "-f", canary.toString(), "--from", FROM.toString(), "--to", "2026-11-26T10:05:00Z",
        "--prometheus", "http://127.0.0.1:" + server.actualPort());
    assertThat(run.err()).isEmpty();
    assertThat(run.exit()).as(run.out()).isEqualTo(2);
    assertThat(run.out()).contains("Replaying Canary test/podinfo from 2026-11-26T10:00:00Z to 2026-11-26T10:05:00Z",
        "2026-11-26T10:00:00Z   Progressing      0       0       New revision detected! Scaling up podinfo.test",
        "2026-11-26T10:00:10Z   Progressing      10      0       Starting canary analysis for podinfo.test | Advance "
            + "podinfo.test canary weight 10",
        "2026-11-26T10:00:20Z   Progressing      20      0       Advance podinfo.test canary weight 20 "
            + "(request-success-rate=100%)",
        "request-success-rate     Passed   100",
        "Halt podinfo.test advancement success rate 80.00% < 99%",
        "Decision: rolled back at 2026-11-26T10:01:10Z: Canary analysis failed: failed checks threshold reached 2; "
            + "last: Halt podinfo.test advancement success rate 80.00% < 99%");
    assertThat(requests).extracting(q -> q.get("time"))
        .as("each tick queries Prometheus's history at its own time")
        .startsWith(Long.toString(FROM.getEpochSecond() + 20), Long.toString(FROM.getEpochSecond() + 30));
  }

  @Test
  void relativeTimesAndBadInput() throws Exception {
    AnalyzeCommand command = new AnalyzeCommand(Clock.fixed(FROM, ZoneOffset.UTC));
    assertThat(command.time("now-30m")).isEqualTo(FROM.minusSeconds(1800));
    assertThat(command.time("1790000000")).isEqualTo(Instant.ofEpochSecond(1_790_000_000L));
    Path empty = dir.resolve("empty.yaml");
    Files.writeString(empty, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    Run run = analyze("analyze", "-f", empty.toString(), "--from", "now-1h");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("no Canary in [" + empty + "]");
  }
}
