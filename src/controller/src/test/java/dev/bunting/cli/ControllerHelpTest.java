package dev.bunting.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code bunting --help}, {@code bunting controller --help} and {@code bunting loadtester --help}: every option (bar -h and -V) says which environment
 * variable sets it, as {@code Env: NAME.} at the end of its description, that name is the one its default reads
 * ({@code ${env:NAME}}), and setting that variable really sets the option (checked in a child JVM, since a running
 * JVM cannot change its own environment).
 */
class ControllerHelpTest {
  private static final Pattern ENV_DEFAULT = Pattern.compile("^\\$\\{env:([A-Z][A-Z0-9_]*)(:-.*)?}$");

  /** The commands of bunting.jar: the top level (runs the controller), {@code controller} and {@code loadtester}. */
  private static List<CommandLine> commands() {
    CommandLine main = new CommandLine(new Main());
    return List.of(main, main.getSubcommands().get("controller"), main.getSubcommands().get("loadtester"));
  }

  /** The arguments that run {@code cli}: none for the top level, else its name. */
  private static String[] argsOf(CommandLine cli) {
    return cli.getParent() == null ? new String[0] : new String[] {cli.getCommandName()};
  }

  private static List<OptionSpec> documented(CommandSpec spec) {
    return spec.options().stream().filter(o -> !o.usageHelp() && !o.versionHelp() && !o.hidden()).toList();
  }

  private static String envOf(OptionSpec o) {
    Matcher m = ENV_DEFAULT.matcher(String.valueOf(o.defaultValueString(false)));
    return m.matches() ? m.group(1) : null;
  }

  @Test
  void everyOptionOfEveryCommandNamesItsEnvironmentVariableInTheHelp() {
    List<String> wrong = new ArrayList<>();
    for (CommandLine cli : commands()) {
      String usage = cli.getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
      List<OptionSpec> options = documented(cli.getCommandSpec());
      assertThat(options).as("options of %s", cli.getCommandName())
          .hasSizeGreaterThan(cli.getCommandName().equals("loadtester") ? 6 : 15);
      for (OptionSpec o : options) {
        String env = envOf(o);
        String description = String.join(" ", o.description());
        if (env == null) {
          wrong.add(cli.getCommandName() + " " + o.longestName() + ": default " + o.defaultValueString(false)
              + " reads no environment variable");
        } else if (!description.endsWith("Env: " + env + ".")) {
          wrong.add(cli.getCommandName() + " " + o.longestName() + ": description does not end with 'Env: " + env
              + ".': " + description);
        } else if (!usage.contains("Env: " + env + ".")) {
          wrong.add(cli.getCommandName() + " " + o.longestName() + ": --help does not show 'Env: " + env + ".'");
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void everyEnvironmentVariableNamedInTheHelpSetsItsOption() throws Exception {
    for (CommandLine cli : commands()) {
      Map<String, String> env = new HashMap<>();
      Map<String, String> expected = new LinkedHashMap<>();
      for (OptionSpec o : documented(cli.getCommandSpec())) {
        String name = envOf(o);
        assertThat(name).as(o.longestName()).isNotNull();
        Class<?> type = o.type();
        String value;
        String shown;
        if (type == int.class || type == Integer.class) {
          value = "7";
          shown = "7";
        } else if (type == double.class || type == Double.class) {
          value = "2.5";
          shown = "2.5";
        } else if (type == boolean.class || type == Boolean.class) {
          boolean byDefault = Boolean.parseBoolean(String.valueOf((Object) o.getValue()));
          value = String.valueOf(!byDefault);
          shown = value;
        } else if (List.class.isAssignableFrom(type)) {
          value = "env-a,env-b";
          shown = "[env-a, env-b]";
        } else if (type == java.time.Duration.class) {
          value = "90s";
          shown = java.time.Duration.ofSeconds(90).toString();
        } else if (type == Path.class) {
          value = "/env/" + name.toLowerCase();
          shown = value;
        } else if (type == String.class) {
          value = "env-" + name.toLowerCase();
          shown = value;
        } else {
          throw new AssertionError(o.longestName() + ": no test value for type " + type);
        }
        env.put(name, value);
        expected.put(o.longestName(), shown);
      }
      String[] args = argsOf(cli);
      Map<String, String> parsed = probe(env, args);
      assertThat(parsed).as("options of '%s' with the environment %s", String.join(" ", args), env)
          .containsAllEntriesOf(expected);
    }
  }

  /** Runs {@link EnvProbe} in a child JVM with {@code env} added; its options as printed. */
  private static Map<String, String> probe(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), EnvProbe.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    Map<String, String> parsed = new LinkedHashMap<>();
    out.lines().filter(l -> l.startsWith("--")).forEach(l -> parsed.put(l.substring(0, l.indexOf('=')),
        l.substring(l.indexOf('=') + 1)));
    return parsed;
  }
}
