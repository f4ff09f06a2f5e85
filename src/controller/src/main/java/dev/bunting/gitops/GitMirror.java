package dev.bunting.gitops;

import dev.bunting.api.GitSyncRef;
import dev.bunting.gitops.ManifestRenderer.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.LsRemoteCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persistent bare mirrors of remote repositories, one per (URL, credentials), shared by every GitSync that uses them.
 * {@link #resolve} asks the remote which commit a ref points to ({@code ls-remote}); {@link #ensure} fetches that commit
 * only when the mirror does not already have it (shallow, depth 1, falling back to a full fetch when the server refuses
 * shallow); {@link #read} reads the YAML files of a path straight from the object database with a {@code TreeWalk}
 * (no working tree, no checkout). Every method blocks: call them on the worker pool. Fetches into one mirror are
 * serialised; reads are not.
 */
public final class GitMirror implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GitMirror.class);
  private static final Pattern URL_TOKEN = Pattern.compile("\\S+://\\S*");
  /** HTTP 401 or 403 as a word of its own ("401 Unauthorized", "status 403", "(403)"). */
  private static final Pattern HTTP_DENIED = Pattern.compile("(^|[\\s:(])40[13]($|[\\s:),.])");
  /** Files larger than this are refused (a manifest this big is a mistake). */
  static final int MAX_FILE_BYTES = 8 * 1024 * 1024;

  /** A remote ref: its full name, the short name shown in revisions, and the commit it points to (if known). */
  public record RemoteRef(String fullName, String shortName, ObjectId objectId) {}

  private final Path cacheDir;
  private final Map<Path, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final Map<Path, Repository> repositories = new ConcurrentHashMap<>();
  private final Map<Path, Boolean> shallowRefused = new ConcurrentHashMap<>();

  public GitMirror(Path cacheDir) {
    this.cacheDir = cacheDir;
  }

  public Path cacheDir() {
    return cacheDir;
  }

  /** The mirror directory for a URL and credentials. */
  Path mirrorDir(String url, GitCredentials creds) {
    return cacheDir.resolve(DriftCheck.sha256(url + "\n" + creds.hash()).substring(0, 24) + ".git");
  }

  /**
   * Asks the remote which commit {@code ref} names. For {@code commit} refs nothing is asked. For {@code semver} the
   * highest tag in the range wins.
   */
  public GitRevision resolve(String url, GitSyncRef ref, GitCredentials creds, Duration timeout) throws GitException {
    creds.validateFor(url);
    if (ref.commit != null) {
      return GitRevision.of(null, ref.commit);
    }
    RemoteRef remote = lsRemote(url, ref, creds, timeout);
    if (remote.objectId() == null) {
      throw new GitException(GitException.REVISION_NOT_FOUND, "ref " + remote.fullName() + " has no commit");
    }
    return GitRevision.of(remote.shortName(), remote.objectId().name());
  }

  RemoteRef lsRemote(String url, GitSyncRef ref, GitCredentials creds, Duration timeout) throws GitException {
    boolean wantTags = ref.tag != null || ref.semver != null;
    SemverRange range = null;
    if (ref.semver != null) {
      try {
        range = SemverRange.parse(ref.semver);
      } catch (IllegalArgumentException e) {
        throw new GitException(GitException.REVISION_NOT_FOUND, "spec.ref.semver: " + e.getMessage());
      }
    }
    Collection<Ref> refs;
    Path home = sshHome();
    LsRemoteCommand cmd = Git.lsRemoteRepository().setRemote(url).setHeads(!wantTags).setTags(wantTags)
        .setTimeout(seconds(timeout));
    try (GitCredentials.Session session = creds.configure(cmd, home)) {
      try {
        refs = cmd.call();
      } catch (GitAPIException | RuntimeException e) {
        throw failure("ls-remote", url, creds, session, e);
      }
    }
    if (ref.branch != null) {
      return find(refs, Constants.R_HEADS + ref.branch, ref.branch).orElseThrow(() -> new GitException(
          GitException.REVISION_NOT_FOUND, "branch '" + ref.branch + "' not found in " + GitCredentials.safeUrl(url)));
    }
    if (ref.tag != null) {
      return find(refs, Constants.R_TAGS + ref.tag, ref.tag).orElseThrow(() -> new GitException(
          GitException.REVISION_NOT_FOUND, "tag '" + ref.tag + "' not found in " + GitCredentials.safeUrl(url)));
    }
    List<Semver> versions = new ArrayList<>();
    for (Ref r : refs) {
      if (r.getName().startsWith(Constants.R_TAGS) && !r.getName().endsWith("^{}")) {
        Semver.parse(r.getName().substring(Constants.R_TAGS.length())).ifPresent(versions::add);
      }
    }
    Semver best = range.highest(versions).orElseThrow(() -> new GitException(GitException.REVISION_NOT_FOUND,
        "no tag of " + GitCredentials.safeUrl(url) + " matches semver range '" + ref.semver + "' ("
            + versions.size() + " version tags)"));
    String tag = best.original();
    return find(refs, Constants.R_TAGS + tag, tag).orElseThrow();
  }

  private static Optional<RemoteRef> find(Collection<Ref> refs, String fullName, String shortName) {
    for (Ref r : refs) {
      if (r.getName().equals(fullName)) {
        ObjectId id = r.getPeeledObjectId() != null ? r.getPeeledObjectId() : r.getObjectId();
        return Optional.of(new RemoteRef(fullName, shortName, id));
      }
    }
    return Optional.empty();
  }

  /**
   * Makes sure the mirror holds {@code revision}'s commit, fetching {@code ref} if it does not.
   *
   * @return true when a fetch was needed
   */
  public boolean ensure(String url, GitSyncRef ref, GitRevision revision, GitCredentials creds, Duration timeout)
      throws GitException {
    Path dir = mirrorDir(url, creds);
    ReentrantLock lock = locks.computeIfAbsent(dir, d -> new ReentrantLock());
    lock.lock();
    try {
      Repository repo = open(dir);
      if (hasCommit(repo, revision.sha())) {
        return false;
      }
      String fullRef = ref.branch != null ? Constants.R_HEADS + ref.branch
          : ref.commit != null ? null : Constants.R_TAGS + revision.ref();
      List<RefSpec> specs = fullRef == null
          ? List.of(new RefSpec("+refs/heads/*:refs/heads/*"))
          : List.of(new RefSpec("+" + fullRef + ":" + fullRef));
      boolean shallow = fullRef != null && !shallowRefused.containsKey(dir);
      fetch(repo, dir, url, specs, shallow, creds, timeout);
      if (!hasCommit(repo, revision.sha())) {
        if (shallow) {
          // the ref moved between ls-remote and fetch, or the commit is older than depth 1: fetch the full history
          fetch(repo, dir, url, specs, false, creds, timeout);
        }
        if (!hasCommit(repo, revision.sha())) {
          throw new GitException(GitException.REVISION_NOT_FOUND, "commit " + revision.sha() + " not found in "
              + GitCredentials.safeUrl(url) + (fullRef == null ? " (on any branch)" : " at " + fullRef));
        }
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void fetch(Repository repo, Path dir, String url, List<RefSpec> specs, boolean shallow,
      GitCredentials creds, Duration timeout) throws GitException {
    FetchCommand cmd = new Git(repo).fetch().setRemote(url).setRefSpecs(specs).setTagOpt(TagOpt.NO_TAGS)
        .setTimeout(seconds(timeout));
    if (shallow) {
      cmd.setDepth(1);
    } else if (isShallow(repo)) {
      cmd.setUnshallow(true);
    }
    try (GitCredentials.Session session = creds.configure(cmd, sshHome())) {
      try {
        cmd.call();
      } catch (TransportException e) {
        if (shallow && !isAuthFailure(e) && session.hostKeyRejection() == null) {
          LOG.info("shallow fetch from {} refused ({}); fetching without depth", GitCredentials.safeUrl(url),
              creds.redact(e.getMessage()));
          shallowRefused.put(dir, true);
          fetch(repo, dir, url, specs, false, creds, timeout);
          return;
        }
        throw failure("fetch", url, creds, session, e);
      } catch (GitAPIException | RuntimeException e) {
        throw failure("fetch", url, creds, session, e);
      }
    }
  }

  /**
   * The manifest files under {@code path} at {@code sha}, sorted by path; paths are relative to the repository root.
   */
  public List<SourceFile> read(String url, GitCredentials creds, String sha, String path) throws GitException {
    Path dir = mirrorDir(url, creds);
    Repository repo = open(dir);
    String base = normalizePath(path);
    List<SourceFile> files = new ArrayList<>();
    try (RevWalk rw = new RevWalk(repo); TreeWalk tw = new TreeWalk(repo)) {
      RevCommit commit = rw.parseCommit(ObjectId.fromString(sha));
      if (base.isEmpty()) {
        tw.addTree(commit.getTree());
      } else {
        try (TreeWalk dirWalk = TreeWalk.forPath(repo, base, commit.getTree())) {
          if (dirWalk == null || !dirWalk.getFileMode(0).equals(FileMode.TREE)) {
            throw new GitException(GitException.PATH_NOT_FOUND, "path '" + base + "' is not a directory at "
                + sha.substring(0, 12));
          }
          tw.addTree(dirWalk.getObjectId(0));
        }
      }
      tw.setRecursive(true);
      while (tw.next()) {
        String rel = tw.getPathString();
        FileMode mode = tw.getFileMode(0);
        if (!(mode.equals(FileMode.REGULAR_FILE) || mode.equals(FileMode.EXECUTABLE_FILE))
            || !ManifestRenderer.isManifestFile(rel)) {
          continue;
        }
        String full = base.isEmpty() ? rel : base + "/" + rel;
        ObjectLoader loader = repo.open(tw.getObjectId(0), Constants.OBJ_BLOB);
        if (loader.getSize() > MAX_FILE_BYTES) {
          throw new GitException(GitException.GIT_OPERATION_FAILED, full + " is " + loader.getSize()
              + " bytes, more than the " + MAX_FILE_BYTES + " bytes a manifest file may have");
        }
        files.add(new SourceFile(full, loader.getBytes()));
      }
    } catch (MissingObjectException e) {
      throw new GitException(GitException.REVISION_NOT_FOUND, "commit " + sha + " is not in the mirror");
    } catch (IOException e) {
      throw new GitException(GitException.GIT_OPERATION_FAILED, "cannot read " + sha.substring(0, 12) + ": "
          + e.getMessage());
    }
    files.sort((a, b) -> a.path().compareTo(b.path()));
    return files;
  }

  /** Work on a mirror repository while holding its lock. */
  @FunctionalInterface
  interface LockedWork<T> {
    T run(Repository repo) throws GitException;
  }

  /**
   * Runs {@code work} on the mirror of {@code url} and {@code creds} while holding the lock its fetches take, so that
   * a commit built and pushed from the mirror never overlaps a fetch into it.
   */
  <T> T locked(String url, GitCredentials creds, LockedWork<T> work) throws GitException {
    Path dir = mirrorDir(url, creds);
    ReentrantLock lock = locks.computeIfAbsent(dir, d -> new ReentrantLock());
    lock.lock();
    try {
      return work.run(open(dir));
    } finally {
      lock.unlock();
    }
  }

  /**
   * The bytes of {@code path} at commit {@code sha}; empty when the commit has no such file.
   *
   * @throws GitException when the commit is not in the mirror
   */
  Optional<byte[]> file(String url, GitCredentials creds, String sha, String path) throws GitException {
    Repository repo = open(mirrorDir(url, creds));
    try (RevWalk rw = new RevWalk(repo)) {
      RevCommit commit = rw.parseCommit(ObjectId.fromString(sha));
      try (TreeWalk tw = TreeWalk.forPath(repo, path, commit.getTree())) {
        if (tw == null || tw.getFileMode(0).equals(FileMode.TREE)) {
          return Optional.empty();
        }
        return Optional.of(repo.open(tw.getObjectId(0), Constants.OBJ_BLOB).getBytes(MAX_FILE_BYTES));
      }
    } catch (MissingObjectException e) {
      throw new GitException(GitException.REVISION_NOT_FOUND, "commit " + sha + " is not in the mirror");
    } catch (IOException e) {
      throw new GitException(GitException.GIT_OPERATION_FAILED, "cannot read " + path + " at " + sha.substring(0, 12)
          + ": " + e.getMessage());
    }
  }

  /** The first parent of commit {@code sha} (its id is known even when the parent itself was not fetched). */
  Optional<String> parentOf(String url, GitCredentials creds, String sha) throws GitException {
    Repository repo = open(mirrorDir(url, creds));
    try (RevWalk rw = new RevWalk(repo)) {
      RevCommit c = rw.parseCommit(ObjectId.fromString(sha));
      return c.getParentCount() == 0 ? Optional.empty() : Optional.of(c.getParent(0).getName());
    } catch (IOException e) {
      throw new GitException(GitException.REVISION_NOT_FOUND, "commit " + sha + " is not in the mirror");
    }
  }

  /** The first line of the message of commit {@code sha} (at most 200 characters); empty when it is not here. */
  Optional<String> subject(String url, GitCredentials creds, String sha) {
    try (RevWalk rw = new RevWalk(open(mirrorDir(url, creds)))) {
      String s = rw.parseCommit(ObjectId.fromString(sha)).getShortMessage();
      return Optional.of(s.length() > 200 ? s.substring(0, 199) + "…" : s);
    } catch (IOException | GitException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** {@code ./apps/} → {@code apps}; the root is the empty string. Refuses {@code ..}. */
  static String normalizePath(String path) throws GitException {
    if (path == null) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    for (String p : path.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        throw new GitException(GitException.PATH_NOT_FOUND, "path '" + path + "' leaves the repository");
      }
      parts.add(p);
    }
    return String.join("/", parts);
  }

  private Repository open(Path dir) throws GitException {
    try {
      return repositories.computeIfAbsent(dir, d -> {
        try {
          if (!Files.isDirectory(d.resolve("objects"))) {
            Files.createDirectories(d.getParent());
            Git.init().setBare(true).setDirectory(d.toFile()).call().close();
          }
          return new FileRepositoryBuilder().setGitDir(d.toFile()).setBare().setMustExist(true).build();
        } catch (IOException | GitAPIException e) {
          throw new IllegalStateException(e.getMessage(), e);
        }
      });
    } catch (IllegalStateException e) {
      throw new GitException(GitException.GIT_OPERATION_FAILED, "cannot open the mirror in " + dir + ": "
          + e.getMessage());
    }
  }

  private static boolean isShallow(Repository repo) {
    try {
      return !repo.getObjectDatabase().getShallowCommits().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean hasCommit(Repository repo, String sha) {
    try (RevWalk rw = new RevWalk(repo)) {
      rw.parseCommit(ObjectId.fromString(sha));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  Path sshHome() throws GitException {
    Path home = cacheDir.resolve(".ssh-home");
    try {
      if (!Files.isDirectory(home)) {
        Files.createDirectories(home);
        try {
          Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException notPosix) {
          // a file system without POSIX permissions (Windows): the directory's default access applies
        }
      }
    } catch (IOException e) {
      throw new GitException(GitException.GIT_OPERATION_FAILED, "cannot create " + home + ": " + e.getMessage());
    }
    return home;
  }

  static GitException failure(String op, String url, GitCredentials creds, GitCredentials.Session session,
      Exception e) {
    String safe = GitCredentials.safeUrl(url);
    String hostKey = session.hostKeyRejection();
    if (hostKey != null) {
      return new GitException(GitException.GIT_OPERATION_FAILED, op + " " + safe
          + ": ssh host key verification failed: " + hostKey);
    }
    String msg = creds.redact(rootMessage(e));
    if (url != null) {
      msg = msg.replace(url, safe);
    }
    if (isAuthFailure(e)) {
      return new GitException(GitException.AUTHENTICATION_FAILED, op + " " + safe + ": authentication failed: " + msg);
    }
    return new GitException(GitException.GIT_OPERATION_FAILED, op + " " + safe + ": " + msg);
  }

  /**
   * Whether {@code e} says the server refused who we are. Status codes count only as words of the message, outside
   * any URL: a repository at {@code /tmp/junit-5915433936344033486/gone} that is not found is not a 403.
   */
  static boolean isAuthFailure(Throwable e) {
    String m = URL_TOKEN.matcher(rootMessage(e)).replaceAll(" ").toLowerCase(Locale.ROOT);
    return m.contains("not authorized") || m.contains("authentication is required") || m.contains("auth fail")
        || HTTP_DENIED.matcher(m).find() || m.contains("no more authentication methods")
        || m.contains("authentication failed") || m.contains("permission denied");
  }

  private static String rootMessage(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null && sb.length() < 600; t = t.getCause()) {
      if (t.getMessage() != null && (sb.length() == 0 || !sb.toString().contains(t.getMessage()))) {
        if (sb.length() > 0) {
          sb.append(": ");
        }
        sb.append(t.getMessage());
      }
    }
    return sb.length() == 0 ? e.getClass().getSimpleName() : sb.toString();
  }

  static int seconds(Duration timeout) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds()));
  }

  @Override
  public void close() {
    repositories.values().forEach(Repository::close);
    repositories.clear();
  }
}
