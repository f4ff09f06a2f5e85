package dev.bunting.playground;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * The demo app's Git repository on the local disk (JGit, branch {@code main}), served to a GitSync by its
 * {@code file://} URL. Each release is a real commit that edits the image tag in the Deployment's manifest, as a
 * person or an image-update bot would. Blocking: call it from a worker or the main thread.
 */
public final class DemoRepository implements AutoCloseable {
  public static final String BRANCH = "main";
  static final String AUTHOR_NAME = "Bunting Playground";
  static final String AUTHOR_EMAIL = "playground@bunting.dev";

  private final Path dir;
  private final Git git;

  private DemoRepository(Path dir, Git git) {
    this.dir = dir;
    this.git = git;
  }

  /** A new repository in {@code dir} (which must not exist or be empty) holding {@code app} at {@code tag}. */
  public static DemoRepository create(Path dir, DemoApp app, String tag) {
    try {
      Files.createDirectories(dir);
      try (var entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalStateException(dir + " is not empty");
        }
      }
      Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch(BRANCH).call();
      // so that a person can commit here with plain `git commit` even without a global identity
      var config = git.getRepository().getConfig();
      config.setString("user", null, "name", AUTHOR_NAME);
      config.setString("user", null, "email", AUTHOR_EMAIL);
      config.save();
      DemoRepository repo = new DemoRepository(dir, git);
      for (Map.Entry<String, String> f : app.files(tag).entrySet()) {
        repo.write(f.getKey(), f.getValue());
      }
      repo.commit("podinfo " + tag + ": initial version");
      return repo;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GitAPIException e) {
      throw new IllegalStateException("could not create the demo repository in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The URL a GitSync fetches from. */
  public String url() {
    return dir.toAbsolutePath().toUri().toString().replaceFirst("^file:/+", "file:///").replaceFirst("/$", "");
  }

  public Path dir() {
    return dir;
  }

  /**
   * Commits a new image tag for the Deployment: edits the {@code image:} line of its manifest (nothing else) and
   * commits it on {@code main}. Returns the commit.
   */
  public RevCommit release(String tag) {
    String file = DemoApp.PATH + "/deployment.yaml";
    try {
      String before = Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
      String after = before.replaceAll("(?m)^(\\s*image: )" + Pattern.quote(DemoApp.IMAGE) + ":\\S+$",
          "$1" + Matcher.quoteReplacement(DemoApp.image(tag)));
      if (after.equals(before)) {
        throw new IllegalStateException("no image line to change in " + file + " (already " + tag + "?)");
      }
      write(file, after);
      return commit("podinfo: bump image to " + tag);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GitAPIException e) {
      throw new IllegalStateException("could not commit " + tag + ": " + e.getMessage(), e);
    }
  }

  /**
   * Brings the work tree to {@code main} after Bunting pushed to it (an image update, a revert), so that what a person
   * sees there, and commits next, builds on those commits.
   */
  public void refresh() {
    try {
      git.reset().setMode(org.eclipse.jgit.api.ResetCommand.ResetType.HARD).setRef(BRANCH).call();
    } catch (GitAPIException e) {
      throw new IllegalStateException("could not update the work tree of " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The commit {@code main} points at, parsed (message, author). */
  public RevCommit headCommit() {
    try {
      return git.getRepository().parseCommit(git.getRepository().resolve(BRANCH));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The commit {@code main} points at. */
  public String head() {
    try {
      return git.getRepository().resolve(BRANCH).name();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(String path, String content) throws IOException {
    Path file = dir.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  private RevCommit commit(String message) throws GitAPIException {
    git.add().addFilepattern(".").call();
    PersonIdent author = new PersonIdent(AUTHOR_NAME, AUTHOR_EMAIL);
    return git.commit().setMessage(message).setAuthor(author).setCommitter(author).setSign(false).call();
  }

  @Override
  public void close() {
    git.close();
  }
}
