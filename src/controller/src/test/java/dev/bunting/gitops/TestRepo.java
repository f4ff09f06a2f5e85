package dev.bunting.gitops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/** A real Git repository on disk that tests commit manifests to (with JGit), reachable as a {@code file://} URL. */
public final class TestRepo implements AutoCloseable {
  private final Path dir;
  private final Git git;
  private static final PersonIdent WHO = new PersonIdent("Bunting Test", "test@bunting.dev");

  private TestRepo(Path dir, Git git) {
    this.dir = dir;
    this.git = git;
  }

  public static TestRepo create(Path dir) {
    try {
      Files.createDirectories(dir);
      Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
      return new TestRepo(dir, git);
    } catch (IOException | GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  public Path dir() {
    return dir;
  }

  public String url() {
    return dir.toUri().toString().replaceFirst("^file:/+", "file:///");
  }

  public TestRepo write(String path, String content) {
    try {
      Path f = dir.resolve(path);
      Files.createDirectories(f.getParent());
      Files.writeString(f, content, StandardCharsets.UTF_8);
      return this;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public TestRepo delete(String path) {
    try {
      Path f = dir.resolve(path);
      if (Files.isDirectory(f)) {
        try (Stream<Path> s = Files.walk(f)) {
          s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      } else {
        Files.deleteIfExists(f);
      }
      return this;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Commits every change in the work tree; returns the commit id. */
  public String commit(String message) {
    try {
      git.add().addFilepattern(".").call();
      git.add().addFilepattern(".").setUpdate(true).call();
      RevCommit c = git.commit().setMessage(message).setAuthor(WHO).setCommitter(WHO).setAllowEmpty(true).call();
      return c.getName();
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  public TestRepo tag(String name, boolean annotated) {
    try {
      if (annotated) {
        git.tag().setName(name).setAnnotated(true).setTagger(WHO).setMessage(name).call();
      } else {
        git.tag().setName(name).setAnnotated(false).call();
      }
      return this;
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  public TestRepo branch(String name) {
    try {
      git.branchCreate().setName(name).call();
      return this;
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Brings the work tree to the branch head after someone else pushed to this repository (Bunting's revert or image
   * commits): the next {@link #commit} then builds on what was pushed instead of undoing it.
   */
  public TestRepo refresh() {
    return resetHard("HEAD");
  }

  /**
   * Moves the branch and the work tree to {@code ref}, dropping the commits after it: with a commit on top, what a
   * force-push that rewrites history leaves in the repository.
   */
  public TestRepo resetHard(String ref) {
    try {
      git.reset().setMode(org.eclipse.jgit.api.ResetCommand.ResetType.HARD).setRef(ref).call();
      return this;
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The text of {@code path} at the branch head (not the work tree). */
  public String fileAtHead(String path) {
    try (var walk = org.eclipse.jgit.treewalk.TreeWalk.forPath(git.getRepository(), path,
        git.getRepository().parseCommit(git.getRepository().resolve("HEAD")).getTree())) {
      if (walk == null) {
        return null;
      }
      return new String(git.getRepository().open(walk.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The commit {@code main} points at, as JGit reads it (message, author, parents). */
  public RevCommit headCommit() {
    try {
      return git.getRepository().parseCommit(git.getRepository().resolve("HEAD"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Commit {@code sha}, parsed (message, author, parents). */
  public RevCommit parse(String sha) {
    try {
      return git.getRepository().parseCommit(org.eclipse.jgit.lib.ObjectId.fromString(sha));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public String head() {
    try {
      return git.getRepository().resolve("HEAD").getName();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    git.close();
  }
}
