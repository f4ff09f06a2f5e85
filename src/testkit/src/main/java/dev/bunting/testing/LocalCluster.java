package dev.bunting.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class against a real Kubernetes API server, with Bunting's CRDs installed.
 *
 * <p>Once per JVM the cluster is made ready: {@code $KUBECONFIG} when it is set and reachable, else the local control
 * plane of {@code scripts/local-cluster up} (or K3s in Docker with {@code -Dbunting.cluster=k3s}). Each test class gets
 * a fresh namespace, deleted after the class. Injected into fields and parameters: {@link TestCluster} (helpers),
 * {@code io.fabric8.kubernetes.client.KubernetesClient}, {@code io.vertx.core.Vertx}, and the namespace name into a
 * {@code String} annotated {@link TestNamespace}. Tagged {@code cluster}, so {@code mvn -Pfast test} skips it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag("cluster")
@ExtendWith(LocalClusterExtension.class)
public @interface LocalCluster {

  /**
   * Other projects' CRDs to install first, by {@link ThirdPartyCrds} bundle name, e.g. {@code "gateway-api"} (the
   * standard channel: GatewayClass, Gateway, HTTPRoute, ...) or {@code "istio"}.
   */
  String[] thirdPartyCrds() default {};
}
