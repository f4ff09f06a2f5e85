package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class KnownHostsTest {
  private static final String GITHUB = """
      github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
      github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=
      # a comment
      """;

  @Test
  void readsEd25519AndEcdsaEntries() throws Exception {
    KnownHosts kh = new KnownHosts(GITHUB);
    assertThat(kh.size()).isEqualTo(2);
    assertThat(kh.lookup("github.com", new InetSocketAddress("127.0.0.1", 22), null)).hasSize(2);
    assertThat(kh.lookup("gitlab.com", new InetSocketAddress("127.0.0.1", 22), null)).isEmpty();
    assertThat(kh.lookup("[github.com]:2222", new InetSocketAddress("127.0.0.1", 2222), null)).isEmpty();
  }
}
