package dev.bunting.gitops;

/** Small manifests for the GitSync tests (YAML text as a user would commit it). */
final class Manifests {
  private Manifests() {}

  static String configMap(String name, String value) {
    return """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: %s
        data:
          value: "%s"
        """.formatted(name, value);
  }

  static String service(String name) {
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: %s
        spec:
          selector: {app: %s}
          ports:
          - port: 80
            targetPort: 8080
        """.formatted(name, name);
  }

  static String deployment(String name, String image, Integer replicas) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %s
          labels: {app: %s}
        spec:
        %s  selector:
            matchLabels: {app: %s}
          template:
            metadata:
              labels: {app: %s}
            spec:
              containers:
              - name: app
                image: %s
                ports:
                - containerPort: 8080
        """.formatted(name, name, replicas == null ? "" : "  replicas: " + replicas + "\n", name, name, image);
  }
}
