package dev.bunting.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory timeline of observed status changes: what an entry holds, when none is added, and its bounds. */
class CanaryHistoryTest {
  private final CanaryHistory history = new CanaryHistory(Clock.systemUTC(), 3, 2, 100);

  private static Canary at(int weight, String evaluatedAt, double value) {
    Canary c = UiRoutesMockTest.canary("podinfo", weight);
    c.getStatus().analysis.evaluatedAt = evaluatedAt;
    c.getStatus().analysis.metrics.get(0).value = value;
    return c;
  }

  @Test
  void recordsWeightStepsAndEachNewMetricReading() {
    assertThat(history.observe(at(10, "t1", 99.5))).isTrue();
    assertThat(history.observe(at(10, "t1", 99.5))).as("nothing changed").isFalse();
    assertThat(history.observe(at(20, "t2", 98.0))).isTrue();
    JsonArray entries = history.entries("test", "podinfo");
    assertThat(entries).hasSize(2);
    JsonObject second = entries.getJsonObject(1);
    assertThat(second.getInteger("weight")).isEqualTo(20);
    assertThat(second.getJsonArray("changes").getList()).containsExactly("Weight 10 \u2192 20");
    JsonObject metric = second.getJsonObject("analysis").getJsonArray("metrics").getJsonObject(0);
    assertThat(metric.getString("name")).isEqualTo("request-success-rate");
    assertThat(metric.getDouble("value")).isEqualTo(98.0);
    assertThat(metric.getString("range")).isEqualTo(">= 99");
    assertThat(entries.getJsonObject(0).getString("decision")).as("the first entry says the decision").isNotNull();
  }

  @Test
  void keepsTheNewestEntriesOfTheNewestCanaries() {
    for (int w : List.of(10, 20, 30, 40, 50)) {
      history.observe(at(w, "t" + w, 99.5));
    }
    JsonArray entries = history.entries("test", "podinfo");
    assertThat(entries).hasSize(3);
    assertThat(entries.getJsonObject(0).getInteger("weight")).isEqualTo(30);
    history.observe(UiRoutesMockTest.canary("a", 0));
    history.observe(UiRoutesMockTest.canary("b", 0));
    assertThat(history.entries("test", "podinfo")).as("the least recently seen canary goes").isEmpty();
    assertThat(history.latest("test", "b").getInteger("weight")).isZero();
  }

  @Test
  void pastTheTotalBudgetTheLeastRecentlyChangedCanaryGivesUpItsOldestEntries() {
    CanaryHistory small = new CanaryHistory(Clock.systemUTC(), 10, 10, 5);
    for (int w : List.of(10, 20, 30)) {
      small.observe(UiRoutesMockTest.canary("a", w));
    }
    for (int w : List.of(10, 20, 30)) {
      small.observe(UiRoutesMockTest.canary("b", w));
    }
    assertThat(small.size()).isEqualTo(5);
    assertThat(small.entries("test", "a")).extracting(e -> ((JsonObject) e).getInteger("weight"))
        .as("a changed least recently: its oldest entry went").containsExactly(20, 30);
    assertThat(small.entries("test", "b")).hasSize(3);
    for (int w : List.of(40, 50, 60, 70, 80)) {
      small.observe(UiRoutesMockTest.canary("b", w));
    }
    assertThat(small.entries("test", "a")).as("a gave up everything before b did").isEmpty();
    assertThat(small.entries("test", "b")).extracting(e -> ((JsonObject) e).getInteger("weight"))
        .containsExactly(40, 50, 60, 70, 80);
    assertThat(small.observe(UiRoutesMockTest.canary("a", 30))).as("a's last state is still known").isFalse();
    small.forget("test", "b");
    assertThat(small.size()).isZero();
  }

  @Test
  void originsAndTokens() {
    assertThat(UiRoutes.sameOrigin("http://127.0.0.1:8080", "127.0.0.1:8080")).isTrue();
    assertThat(UiRoutes.sameOrigin("https://bunting.example", "bunting.example")).isTrue();
    assertThat(UiRoutes.sameOrigin("https://bunting.example", "bunting.example:443")).isTrue();
    assertThat(UiRoutes.sameOrigin("https://evil.example", "bunting.example")).isFalse();
    assertThat(UiRoutes.sameOrigin("null", "bunting.example")).isFalse();
    assertThat(UiRoutes.bearer("Bearer abc")).isEqualTo("abc");
    assertThat(UiRoutes.bearer("bearer abc")).isEqualTo("abc");
    assertThat(UiRoutes.bearer("Basic abc")).isNull();
    assertThat(UiRoutes.bearer("Bearer ")).isNull();
  }
}
