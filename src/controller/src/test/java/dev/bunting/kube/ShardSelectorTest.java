package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --watch-label-selector} with the API server's meaning of each operator. */
class ShardSelectorTest {
  private static final Map<String, String> SHARD1 = Map.of("sharding.bunting.dev/key", "shard1", "app", "web");
  private static final Map<String, String> SHARD2 = Map.of("sharding.bunting.dev/key", "shard2");
  private static final Map<String, String> UNLABELLED = Map.of("app", "web");

  @Test
  void aShardTakesOnlyItsKeyAndTheMainDeploymentEverythingElse() {
    ShardSelector shard1 = ShardSelector.parse("sharding.bunting.dev/key=shard1");
    ShardSelector main = ShardSelector.parse("sharding.bunting.dev/key notin (shard1, shard2)");
    assertThat(shard1.matches(SHARD1)).isTrue();
    assertThat(shard1.matches(SHARD2)).isFalse();
    assertThat(shard1.matches(UNLABELLED)).isFalse();
    assertThat(main.matches(SHARD1)).isFalse();
    assertThat(main.matches(SHARD2)).isFalse();
    assertThat(main.matches(UNLABELLED)).as("notin matches objects without the label").isTrue();
    assertThat(main.matches(Map.of("sharding.bunting.dev/key", "shard3"))).isTrue();
    assertThat(main.toString()).isEqualTo("sharding.bunting.dev/key notin (shard1, shard2)");
  }

  @Test
  void everyOperatorOfTheLabelSelectorSyntax() {
    assertThat(ShardSelector.parse("app==web").matches(SHARD1)).isTrue();
    assertThat(ShardSelector.parse("app!=web").matches(SHARD1)).isFalse();
    assertThat(ShardSelector.parse("app!=web").matches(SHARD2)).as("!= matches a missing label").isTrue();
    assertThat(ShardSelector.parse("app in (web,api)").matches(SHARD1)).isTrue();
    assertThat(ShardSelector.parse("app in (api)").matches(SHARD1)).isFalse();
    assertThat(ShardSelector.parse("app").matches(SHARD1)).isTrue();
    assertThat(ShardSelector.parse("!app").matches(SHARD1)).isFalse();
    assertThat(ShardSelector.parse("!app").matches(SHARD2)).isTrue();
    assertThat(ShardSelector.parse("app=web,sharding.bunting.dev/key in (shard1)").matches(SHARD1))
        .as("all requirements must hold").isTrue();
    assertThat(ShardSelector.parse("app=web, sharding.bunting.dev/key in (shard2)").matches(SHARD1)).isFalse();
    assertThat(ShardSelector.parse("app=web").matches((Map<String, String>) null)).isFalse();
  }

  @Test
  void emptyMatchesEverything() {
    assertThat(ShardSelector.parse("").all()).isTrue();
    assertThat(ShardSelector.parse(null).matches(UNLABELLED)).isTrue();
    assertThat(ShardSelector.parse("  ").matches((Map<String, String>) null)).isTrue();
  }

  @Test
  void aSelectorThatIsNotOneSaysWhere() {
    assertThatThrownBy(() -> ShardSelector.parse("app=web,shard=>1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at 'shard=>1'");
    assertThatThrownBy(() -> ShardSelector.parse("key in (a,,b)")).hasMessageContaining("is not a label value");
    assertThatThrownBy(() -> ShardSelector.parse("key notin shard1")).hasMessageContaining("at 'key notin shard1'");
  }
}
