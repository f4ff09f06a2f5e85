package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bunting.gitops.Health.Status;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthRulesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @SuppressWarnings("unchecked")
  private static Health eval(String yaml) throws Exception {
    return HealthRules.evaluate(YAML.readValue(yaml, Map.class));
  }

  private static final String DEPLOY = """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, generation: 3}
      spec: {replicas: 2}
      """;

  @Test
  void deploymentAvailableAndUpdatedIsCurrent() throws Exception {
    assertThat(eval(DEPLOY + """
        status:
          observedGeneration: 3
          replicas: 2
          updatedReplicas: 2
          readyReplicas: 2
          availableReplicas: 2
          conditions: [{type: Available, status: "True"}, {type: Progressing, status: "True", reason: NewReplicaSetAvailable}]
        """).status()).isEqualTo(Status.CURRENT);
  }

  @Test
  void deploymentRollingOutIsInProgress() throws Exception {
    Health h = eval(DEPLOY + """
        status:
          observedGeneration: 3
          replicas: 3
          updatedReplicas: 1
          readyReplicas: 2
          availableReplicas: 2
        """);
    assertThat(h.status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(h.message()).isEqualTo("updated replicas: 1/2");
    assertThat(eval(DEPLOY + "status: {observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2,"
        + " availableReplicas: 2}").message()).contains("generation 3 not yet observed");
    assertThat(eval(DEPLOY + "status: {observedGeneration: 3, replicas: 3, updatedReplicas: 2, readyReplicas: 2,"
        + " availableReplicas: 2}").message()).isEqualTo("pending termination: 1");
  }

  @Test
  void deploymentPastItsProgressDeadlineFailed() throws Exception {
    Health h = eval(DEPLOY + """
        status:
          observedGeneration: 3
          replicas: 2
          updatedReplicas: 1
          conditions:
          - {type: Progressing, status: "False", reason: ProgressDeadlineExceeded, message: 'ReplicaSet "web-5d" has timed out progressing.'}
        """);
    assertThat(h.status()).isEqualTo(Status.FAILED);
    assertThat(h.message()).contains("progress deadline exceeded").contains("timed out progressing");
  }

  @Test
  void deploymentScaledToZeroIsCurrent() throws Exception {
    assertThat(eval("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, generation: 1}
        spec: {replicas: 0}
        status: {observedGeneration: 1}
        """).isCurrent()).isTrue();
  }

  @Test
  void jobsMustComplete() throws Exception {
    String job = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n";
    assertThat(eval(job + "status: {active: 1}").status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(eval(job + "status: {conditions: [{type: Complete, status: \"True\"}]}").isCurrent()).isTrue();
    assertThat(eval(job + "status: {conditions: [{type: Failed, status: \"True\", message: BackoffLimitExceeded}]}")
        .isFailed()).isTrue();
  }

  @Test
  void statefulSetsAndDaemonSetsMustRollOut() throws Exception {
    String sts = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s, generation: 1}\nspec: {replicas: 2}\n";
    assertThat(eval(sts + "status: {observedGeneration: 1, readyReplicas: 2, currentRevision: a, updateRevision: a}")
        .isCurrent()).isTrue();
    assertThat(eval(sts + "status: {observedGeneration: 1, readyReplicas: 2, currentRevision: a, updateRevision: b}")
        .status()).isEqualTo(Status.IN_PROGRESS);
    String ds = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d, generation: 1}\n";
    assertThat(eval(ds + "status: {observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2,"
        + " numberAvailable: 2, numberReady: 2}").isCurrent()).isTrue();
    assertThat(eval(ds + "status: {observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 1,"
        + " numberAvailable: 2, numberReady: 2}").status()).isEqualTo(Status.IN_PROGRESS);
  }

  @Test
  void customResourcesFollowTheirReadyCondition() throws Exception {
    String cr = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, generation: 2}\n";
    assertThat(eval(cr).isCurrent()).isTrue();
    assertThat(eval(cr + "status: {observedGeneration: 2, conditions: [{type: Ready, status: \"True\"}]}").isCurrent())
        .isTrue();
    assertThat(eval(cr + "status: {observedGeneration: 2, conditions: [{type: Ready, status: \"False\", message: x}]}")
        .status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(eval(cr + "status: {observedGeneration: 1, conditions: [{type: Ready, status: \"True\"}]}").status())
        .isEqualTo(Status.IN_PROGRESS);
    assertThat(eval(cr + "status: {conditions: [{type: Stalled, status: \"True\", message: bad}]}").isFailed())
        .isTrue();
  }

  @Test
  void plainObjectsAreCurrentOnceTheyExist() throws Exception {
    assertThat(eval("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n").isCurrent()).isTrue();
    assertThat(eval("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: c}\n")
        .isCurrent()).isFalse();
  }
}
