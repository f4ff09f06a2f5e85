package dev.bunting.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link LocalCluster}: one {@link ClusterSession} per JVM (cluster up, CRDs installed), one
 * {@link TestCluster} (fresh namespace) per top-level test class, injection into fields and parameters, and a clean
 * skip with the reason when the selected backend cannot run here (K3s without Docker).
 */
public final class LocalClusterExtension
    implements ExecutionCondition, BeforeAllCallback, TestInstancePostProcessor, ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(LocalClusterExtension.class);
  private static final String TEST_CLUSTER = "test-cluster";
  private static final String SESSION_CLOSER = "session-closer";

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    ClusterSettings settings = ClusterSettings.fromSystem();
    if (settings.backend() == ClusterSettings.Backend.K3S) {
      return k3sCondition(ClusterSession.dockerUnavailableReason());
    }
    return ConditionEvaluationResult.enabled("cluster backend: " + settings.backend());
  }

  /** The K3s backend runs only where Docker does; otherwise the test is skipped with the reason. */
  static ConditionEvaluationResult k3sCondition(Optional<String> dockerUnavailableReason) {
    return dockerUnavailableReason
        .map(reason -> ConditionEvaluationResult.disabled(
            "K3s cluster backend selected (-Dbunting.cluster=k3s), but " + reason
                + "; run without -Dbunting.cluster=k3s to use the local control plane"))
        .orElseGet(() -> ConditionEvaluationResult.enabled("K3s cluster backend, Docker available"));
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    TestCluster cluster = testCluster(context);
    AnnotationSupport.findAnnotation(context.getRequiredTestClass(), LocalCluster.class)
        .ifPresent(a -> cluster.installThirdPartyCrds(a.thirdPartyCrds()));
    inject(context.getRequiredTestClass(), null, cluster);
  }

  @Override
  public void postProcessTestInstance(Object testInstance, ExtensionContext context) throws Exception {
    inject(testInstance.getClass(), testInstance, testCluster(context));
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Class<?> type = parameterContext.getParameter().getType();
    return type == TestCluster.class || type == KubernetesClient.class || type == Vertx.class
        || (type == String.class && parameterContext.isAnnotated(TestNamespace.class));
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    TestCluster cluster = testCluster(extensionContext);
    Class<?> type = parameterContext.getParameter().getType();
    if (type == TestCluster.class) {
      return cluster;
    }
    if (type == KubernetesClient.class) {
      return cluster.client();
    }
    if (type == Vertx.class) {
      return cluster.vertx();
    }
    if (type == String.class) {
      return cluster.namespace();
    }
    throw new ParameterResolutionException("cannot resolve " + parameterContext.getParameter());
  }

  /**
   * The top-level test class's {@link TestCluster}, created on first use (beforeAll, or instance post-processing with
   * {@code PER_CLASS} lifecycle). It lives in the class's store, which closes it (deleting the namespace) when the
   * class finishes; nested classes share it.
   */
  private static TestCluster testCluster(ExtensionContext context) {
    ExtensionContext classContext = topLevelClassContext(context);
    ClusterSession session = session(context);
    return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(TEST_CLUSTER,
        key -> TestCluster.forClass(session, classContext.getRequiredTestClass()), TestCluster.class);
  }

  private static ClusterSession session(ExtensionContext context) {
    ClusterSession session = ClusterSession.shared(ClusterSettings.fromSystem());
    // closed (client, Vert.x, K3s container) when the whole test run ends
    context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(SESSION_CLOSER, key -> session, ClusterSession.class);
    return session;
  }

  private static ExtensionContext topLevelClassContext(ExtensionContext context) {
    ExtensionContext top = null;
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      if (c.getTestClass().isPresent() && c.getTestMethod().isEmpty()) {
        top = c;
      }
    }
    if (top == null) {
      throw new IllegalStateException("@LocalCluster needs a test class context");
    }
    return top;
  }

  /** Static fields when {@code instance} is null, else instance fields; fields that already hold a value are left. */
  private static void inject(Class<?> type, Object instance, TestCluster cluster) throws IllegalAccessException {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        boolean isStatic = Modifier.isStatic(field.getModifiers());
        if (isStatic != (instance == null) || Modifier.isFinal(field.getModifiers())) {
          continue;
        }
        Object value = valueFor(field, cluster);
        if (value == null) {
          continue;
        }
        field.setAccessible(true);
        if (field.get(instance) == null) {
          field.set(instance, value);
        }
      }
    }
  }

  private static Object valueFor(Field field, TestCluster cluster) {
    Class<?> type = field.getType();
    if (type == TestCluster.class) {
      return cluster;
    }
    if (type == KubernetesClient.class) {
      return cluster.client();
    }
    if (type == Vertx.class) {
      return cluster.vertx();
    }
    if (type == String.class && field.isAnnotationPresent(TestNamespace.class)) {
      return cluster.namespace();
    }
    return null;
  }
}
