package dev.bunting.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version Maven stamped into {@code bunting-version.properties}. */
public final class BuntingVersion implements IVersionProvider {

  public static String version() {
    Properties p = new Properties();
    try (InputStream in = BuntingVersion.class.getResourceAsStream("/bunting-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return p.getProperty("version", "unknown");
  }

  @Override
  public String[] getVersion() {
    return new String[] {"bunting " + version(), "Java " + System.getProperty("java.version")};
  }
}
