package dev.bunting.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.GoDuration;
import dev.bunting.api.MetricTemplate;
import dev.bunting.canary.Backtest;
import dev.bunting.canary.CanaryDecider;
import dev.bunting.canary.CanarySnapshot;
import dev.bunting.canary.PrometheusAnalysis;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bunting analyze -f canary.yaml --from T --to T}: replays a Canary's analysis against a Prometheus's history,
 * tick by tick ({@link Backtest}), and prints the decisions Bunting would have taken. No cluster is needed: the Canary,
 * its MetricTemplates and their Secrets come from the files. Exit code 0 when the release would have been promoted (or
 * was still running at {@code --to}), 2 when it would have been rolled back, 1 on bad input.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, versionProvider = BuntingVersion.class,
    description = "Replay a Canary's analysis against a Prometheus's history, tick by tick, and print the decisions "
        + "it would have taken (a new revision at --from; webhooks are not replayed).")
public final class AnalyzeCommand implements Callable<Integer> {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
      description = "YAML file(s) with the Canary and the MetricTemplates (and their Secrets) it uses; repeatable.")
  List<Path> files;

  @Option(names = "--from", required = true, paramLabel = "TIME",
      description = "When the release starts: RFC 3339 (2026-11-26T10:00:00Z), Unix seconds, or now-<duration> "
          + "(now-30m).")
  String from;

  @Option(names = "--to", defaultValue = "now", paramLabel = "TIME",
      description = "Stop replaying at this time (default: ${DEFAULT-VALUE}); same forms as --from.")
  String to;

  @Option(names = "--prometheus", defaultValue = "${env:METRICS_SERVER}", paramLabel = "URL",
      description = "Prometheus to query for builtin metrics and MetricTemplates without an address (default: the "
          + "Canary's spec.metricsServer). Env: METRICS_SERVER.")
  String prometheus;

  @Option(names = "--canary", paramLabel = "NAME",
      description = "The Canary to replay when the files hold several.")
  String canaryName;

  @Option(names = "--pod-template-hash", paramLabel = "HASH",
      description = "The pod-template-hash of the release's canary pods, for queries that select them "
          + "(analysis.window: release, {{ pods }}); default: Flagger's pod name pattern.")
  String podTemplateHash;

  @Spec
  CommandSpec spec;

  private final Clock clock;

  public AnalyzeCommand() {
    this(Clock.systemUTC());
  }

  AnalyzeCommand(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Canary> canaries = new ArrayList<>();
    List<MetricTemplate> templates = new ArrayList<>();
    List<Secret> secrets = new ArrayList<>();
    Instant start;
    Instant end;
    try {
      for (Path file : files) {
        read(file, canaries, templates, secrets);
      }
      start = time(from);
      end = time(to);
    } catch (IllegalArgumentException | IOException e) {
      err.println(e.getMessage());
      return 1;
    }
    List<Canary> chosen = canaries.stream()
        .filter(c -> canaryName == null || canaryName.equals(c.getMetadata().getName())).toList();
    if (chosen.size() != 1) {
      err.println(chosen.isEmpty() ? "no Canary" + (canaryName == null ? "" : " named " + canaryName) + " in "
          + files : "several Canaries in " + files + ": choose one with --canary");
      return 1;
    }
    if (!end.isAfter(start)) {
      err.println("--to must be after --from");
      return 1;
    }
    Canary canary = chosen.get(0);
    if (canary.getMetadata().getNamespace() == null) {
      canary.getMetadata().setNamespace("default");
    }
    Vertx vertx = Vertx.vertx();
    try (PrometheusAnalysis analysis = new PrometheusAnalysis(vertx, sources(templates, secrets),
        Optional.ofNullable(prometheus).filter(p -> !p.isBlank()), "", true)) {
      Backtest.Report report = new Backtest(new CanaryDecider(), analysis).run(canary, start, end)
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
      print(out, canary, start, end, report);
      return report.outcome() == CanaryPhase.FAILED ? 2 : 0;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private void print(PrintWriter out, Canary canary, Instant start, Instant end, Backtest.Report report) {
    var a = canary.getSpec().effectiveAnalysis();
    out.printf(Locale.ROOT, "Replaying Canary %s/%s from %s to %s: a new revision at the start, a tick every %ss, "
            + "threshold %d. Webhooks are not replayed (they count as passed).%n", canary.getMetadata().getNamespace(),
        canary.getMetadata().getName(), start, end, a.intervalDuration().toSeconds(), a.thresholdOrDefault());
    out.println();
    String format = "%-22s %-16s %-7s %-7s %s%n";
    out.printf(Locale.ROOT, format, "TIME", "PHASE", "WEIGHT", "FAILED", "EVENTS");
    for (Backtest.Tick t : report.ticks()) {
      out.printf(Locale.ROOT, format, t.at(), t.phase().wire(), t.weight(), t.failedChecks(),
          String.join(" | ", t.events()));
      if (t.analysis() != null) {
        CanaryReport.metrics(t.analysis()).forEach(out::println);
      }
    }
    out.println();
    out.println("Decision: " + report.decision());
    out.flush();
  }

  private PrometheusAnalysis.Sources sources(List<MetricTemplate> templates, List<Secret> secrets) {
    return new PrometheusAnalysis.Sources() {
      @Override
      public Optional<MetricTemplate> template(String namespace, String name) {
        return templates.stream().filter(t -> name.equals(t.getMetadata().getName()) && (t.getMetadata()
            .getNamespace() == null || namespace.equals(t.getMetadata().getNamespace()))).findFirst();
      }

      @Override
      public Optional<Secret> secret(String namespace, String name) {
        return secrets.stream().filter(s -> name.equals(s.getMetadata().getName())).findFirst();
      }

      @Override
      public Future<Optional<String>> podTemplateHash(CanarySnapshot snapshot) {
        return Future.succeededFuture(Optional.ofNullable(podTemplateHash).filter(h -> !h.isBlank()));
      }
    };
  }

  private static void read(Path file, List<Canary> canaries, List<MetricTemplate> templates, List<Secret> secrets)
      throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no such file: " + file);
    }
    ObjectMapper json = Serialization.jsonMapper();
    try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(file))) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || doc.isNull() || doc.isMissingNode()) {
          continue;
        }
        switch (doc.path("kind").asText("")) {
          case "Canary" -> canaries.add(json.convertValue(doc, Canary.class));
          case "MetricTemplate" -> templates.add(json.convertValue(doc, MetricTemplate.class));
          case "Secret" -> secrets.add(json.convertValue(doc, Secret.class));
          default -> { }
        }
      }
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IllegalArgumentException(file + ": not valid YAML: " + e.getOriginalMessage());
    }
  }

  /** RFC 3339, Unix seconds, {@code now} or {@code now-<Go duration>}. */
  Instant time(String text) {
    String t = text.strip();
    Instant now = clock.instant();
    if (t.equals("now")) {
      return now;
    }
    if (t.startsWith("now-")) {
      return now.minus(GoDuration.parse(t.substring(4)).orElseThrow(() -> new IllegalArgumentException(
          "not a duration: " + t.substring(4) + " (e.g. now-30m)")));
    }
    if (t.matches("\\d+(\\.\\d+)?")) {
      return Instant.ofEpochMilli((long) (Double.parseDouble(t) * 1000));
    }
    try {
      return Instant.parse(t);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a time: " + text + " (RFC 3339, Unix seconds or now-30m)");
    }
  }
}
