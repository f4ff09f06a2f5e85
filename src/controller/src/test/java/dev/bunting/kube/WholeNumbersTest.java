package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.DefaultKubernetesResourceList;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Numbers that Flagger's CRDs let through into whole-number fields: the Canary is still read (an informer never stops
 * on it) and says which field could not be read exactly. Both ways fabric8 reads objects are covered: straight from
 * JSON (lists) and converted from a generic object (watch events).
 */
class WholeNumbersTest {
  private final KubernetesSerialization serialization = KubeClientFactory.serialization();

  private static String canary(String analysis) {
    return """
        {"apiVersion":"flagger.app/v1beta1","kind":"Canary","metadata":{"name":"podinfo","namespace":"test"},
         "spec":{"targetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"podinfo"},
         "analysis":%s}}""".formatted(analysis);
  }

  private Canary viaWatch(String json) {
    return serialization.convertValue(serialization.unmarshal(json, GenericKubernetesResource.class), Canary.class);
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "10.5; 10; spec.analysis.stepWeight: 10.5 is not a whole number",
      "4.9E-324; 0; spec.analysis.stepWeight: 4.9E-324 is not a whole number",
      "1e308; 2147483647; spec.analysis.stepWeight: 1E+308 is more than 2147483647",
      "-2.5e9; -2147483648; spec.analysis.stepWeight: -2500000000 is less than -2147483648",
      "9223372036854775807; 2147483647; spec.analysis.stepWeight: 9223372036854775807 is more than 2147483647"})
  void aNumberThatIsNotAnIntIsReadAndReported(String json, int read, String problem) {
    for (Canary c : new Canary[] {serialization.unmarshal(canary("{\"stepWeight\":" + json + "}"), Canary.class),
        viaWatch(canary("{\"stepWeight\":" + json + "}"))}) {
      assertThat(c.getSpec().analysis.stepWeight).isEqualTo(read);
      assertThat(c.readProblems()).containsExactly(problem);
    }
  }

  @Test
  void aNumberBeyondADoubleIsClampedToo() {
    String json = canary("{\"stepWeight\":1e400,\"threshold\":-1e400}");
    for (Canary c : new Canary[] {serialization.unmarshal(json, Canary.class), viaWatch(json)}) {
      assertThat(c.getSpec().analysis.stepWeight).isEqualTo(Integer.MAX_VALUE);
      assertThat(c.getSpec().analysis.threshold).isEqualTo(Integer.MIN_VALUE);
      assertThat(c.readProblems()).hasSize(2).anyMatch(m -> m.startsWith("spec.analysis.stepWeight: ")
          && m.endsWith(" is more than 2147483647")).anyMatch(m -> m.startsWith("spec.analysis.threshold: ")
          && m.endsWith(" is less than -2147483648"));
    }
  }

  @Test
  void wholeNumbersWrittenAsDecimalsAreExactAndFine() {
    Canary c = viaWatch(canary("{\"stepWeight\":10.0,\"threshold\":5,\"maxWeight\":5e1}"));
    assertThat(c.getSpec().analysis.stepWeight).isEqualTo(10);
    assertThat(c.getSpec().analysis.threshold).isEqualTo(5);
    assertThat(c.getSpec().analysis.maxWeight).isEqualTo(50);
    assertThat(c.readProblems()).isEmpty();
  }

  @Test
  void everyFieldIsNamedWithItsPathAndListIndexesStayOutOfIt() {
    String bad = canary("{\"stepWeights\":[10,20.5,30],\"threshold\":1.5}");
    String list = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[" + canary("{\"threshold\":2}") + "," + bad + "]}";
    List<Canary> items = serialization.unmarshal(list, new TypeReference<DefaultKubernetesResourceList<Canary>>() {})
        .getItems();
    Canary good = items.get(0);
    Canary read = items.get(1);
    assertThat(good.readProblems()).isEmpty();
    assertThat(read.readProblems()).containsExactly(
        "spec.analysis.stepWeights[1]: 20.5 is not a whole number",
        "spec.analysis.threshold: 1.5 is not a whole number");
    assertThat(read.getSpec().analysis.stepWeights).containsExactly(10, 20, 30);
  }

  @Test
  void otherObjectsReadAsBefore() {
    Deployment d = serialization.unmarshal("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"replicas":3,
         "template":{"spec":{"containers":[{"name":"app","ports":[{"containerPort":8080}]}]}}}}""", Deployment.class);
    assertThat(d.getSpec().getReplicas()).isEqualTo(3);
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0).getContainerPort())
        .isEqualTo(8080);
  }
}
