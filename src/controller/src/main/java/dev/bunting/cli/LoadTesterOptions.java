package dev.bunting.cli;

import dev.bunting.api.GoDuration;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The flags of {@code bunting loadtester}: flagger-loadtester's ({@code --port}, {@code --timeout},
 * {@code --namespace-regexp}, {@code --log-level}) and Bunting's. Each has an environment-variable fallback, named at
 * the end of its description as {@code Env: NAME.} ({@code ControllerHelpTest} holds them to it).
 */
public final class LoadTesterOptions {
  @Option(names = "--port", defaultValue = "${env:PORT:-9090}",
      description = "HTTP port of the API, /metrics and /healthz (default: ${DEFAULT-VALUE}, as flagger-loadtester). "
          + "Env: PORT.")
  public int port;

  @Option(names = "--listen-address", defaultValue = "${env:LISTEN_ADDRESS:-0.0.0.0}",
      description = "Address the HTTP server binds (default: ${DEFAULT-VALUE}). Env: LISTEN_ADDRESS.")
  public String listenAddress;

  @Option(names = "--timeout", defaultValue = "${env:TIMEOUT:-1h}", converter = GoDurationConverter.class,
      description = "How long a command may run before it is killed, and the longest duration of a load task "
          + "(default: ${DEFAULT-VALUE}). Env: TIMEOUT.")
  public Duration timeout;

  @Option(names = "--namespace-regexp", defaultValue = "${env:NAMESPACE_REGEXP}",
      description = "Serve only canaries whose namespace matches this regular expression, anywhere in the name unless "
          + "anchored with ^ and $; others get 403 (default: every namespace). Env: NAMESPACE_REGEXP.")
  public String namespaceRegexp;

  @Option(names = "--enable-shell-tasks", arity = "0..1", fallbackValue = "true",
      defaultValue = "${env:ENABLE_SHELL_TASKS:-false}",
      description = "Run the cmd, bash, kubectl and helm tasks, which execute commands sent over HTTP; without it "
          + "they get 403 (default: ${DEFAULT-VALUE}). Env: ENABLE_SHELL_TASKS.")
  public boolean enableShellTasks;

  @Option(names = "--gate-configmap", defaultValue = "${env:GATE_CONFIGMAP}",
      description = "Keep the gates in this ConfigMap ('name' in the load tester's namespace, or 'namespace/name'), "
          + "so they survive restarts and are shared by replicas (default: in memory). Env: GATE_CONFIGMAP.")
  public String gateConfigMap;

  @Mixin
  public LoggingOptions logging;

  public Optional<String> gateConfigMap() {
    return Optional.ofNullable(gateConfigMap).map(String::trim).filter(s -> !s.isEmpty());
  }

  /** A Go duration ({@code 30s}, {@code 10m}, {@code 1h}) of more than zero. */
  static final class GoDurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d = GoDuration.parse(value.trim()).orElseThrow(() ->
          new TypeConversionException("'" + value + "' is not a duration such as 30s, 10m or 1h"));
      if (d.isZero() || d.isNegative()) {
        throw new TypeConversionException("must be more than 0, got " + value.trim());
      }
      return d;
    }
  }
}
