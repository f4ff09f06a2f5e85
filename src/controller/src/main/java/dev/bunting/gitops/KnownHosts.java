package dev.bunting.gitops;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;

/**
 * Strict host-key checking against the {@code known_hosts} text of a GitSync's Secret (never the process's own
 * {@code ~/.ssh}): an unknown host or a different key is refused, never learned. The reason of the last refusal is kept
 * so the GitSync's condition can say exactly what was wrong.
 */
final class KnownHosts implements ServerKeyDatabase {
  private final List<KnownHostEntry> entries;
  private volatile String lastRejection;

  KnownHosts(String knownHosts) throws IOException {
    this.entries = KnownHostEntry.readKnownHostEntries(new StringReader(knownHosts), true);
  }

  int size() {
    return entries.size();
  }

  /** Why the last server key was refused, or null. */
  String lastRejection() {
    return lastRejection;
  }

  @Override
  public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
    List<PublicKey> keys = new ArrayList<>();
    for (KnownHostEntry e : matching(host(connectAddress), port(connectAddress, remoteAddress))) {
      PublicKey k = key(e);
      if (k != null) {
        keys.add(k);
      }
    }
    return keys;
  }

  @Override
  public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
      Configuration config, CredentialsProvider provider) {
    String host = host(connectAddress);
    int port = port(connectAddress, remoteAddress);
    String where = port == 22 ? host : "[" + host + "]:" + port;
    List<KnownHostEntry> candidates = matching(host, port);
    String presented = KeyUtils.getKeyType(serverKey) + " " + KeyUtils.getFingerPrint(serverKey);
    if (candidates.isEmpty()) {
      lastRejection = "host " + where + " is not in known_hosts (the server presented " + presented + ")";
      return false;
    }
    List<String> known = new ArrayList<>();
    for (KnownHostEntry e : candidates) {
      PublicKey k = key(e);
      if (k != null && KeyUtils.compareKeys(k, serverKey)) {
        lastRejection = null;
        return true;
      }
      if (k != null) {
        known.add(KeyUtils.getKeyType(k) + " " + KeyUtils.getFingerPrint(k));
      }
    }
    lastRejection = "host key mismatch for " + where + ": the server presented " + presented
        + " but known_hosts has " + String.join(", ", known);
    return false;
  }

  private List<KnownHostEntry> matching(String host, int port) {
    List<KnownHostEntry> out = new ArrayList<>();
    for (KnownHostEntry e : entries) {
      if (e.getMarker() != null && e.getMarker().equals("revoked")) {
        continue;
      }
      if (e.isHostMatch(host, port)) {
        out.add(e);
      }
    }
    return out;
  }

  private static PublicKey key(KnownHostEntry e) {
    try {
      return e.getKeyEntry() == null ? null : e.getKeyEntry().resolvePublicKey(null, java.util.Map.of(),
          PublicKeyEntryResolver.IGNORING);
    } catch (IOException | GeneralSecurityException ex) {
      return null;
    }
  }

  private static String host(String connectAddress) {
    if (connectAddress.startsWith("[")) {
      int end = connectAddress.indexOf(']');
      return end > 0 ? connectAddress.substring(1, end) : connectAddress;
    }
    return connectAddress;
  }

  private static int port(String connectAddress, InetSocketAddress remote) {
    if (connectAddress.startsWith("[")) {
      int colon = connectAddress.lastIndexOf("]:");
      if (colon > 0) {
        try {
          return Integer.parseInt(connectAddress.substring(colon + 2));
        } catch (NumberFormatException ignored) {
          // fall through
        }
      }
    }
    return remote == null ? 22 : remote.getPort();
  }
}
