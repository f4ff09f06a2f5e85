package dev.bunting.gitops;

import dev.bunting.api.GitSyncRef;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.PushCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefLeaseSpec;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;

/**
 * Writes one commit to a remote branch, from the shared bare mirror, without a working tree: ask the remote where the
 * branch is ({@code ls-remote}), fetch that commit into the mirror if needed, let the caller's {@link Change} compute
 * the new contents of some files from the files there, build the blobs, tree and commit with an
 * {@link ObjectInserter} on the mirror, and push it with {@code --force-with-lease} semantics (never a force: the
 * push only succeeds when the branch is still at the commit the change was computed from).
 *
 * <p>When the branch moved meanwhile (a concurrent push), the change is computed again on the new head and pushed once
 * more; a second refusal, and any refusal for another reason (a protected branch, a hook), fails with
 * {@link GitException#PUSH_REJECTED} and the server's message. Nothing is retried here beyond that: the caller decides
 * when to try again. Credentials never appear in messages. Blocking: call it on the GitSync worker pool.
 */
public final class GitWriter {
  /** The files of the branch head a change is computed from. */
  public interface Head {
    /** The head commit. */
    String commit();

    /** The bytes of {@code path} at the head; empty when there is no such file. */
    Optional<byte[]> file(String path) throws GitException;

    /** The manifest files ({@code *.yaml}, {@code *.yml}) under {@code dir} at the head, by path. */
    List<ManifestRenderer.SourceFile> manifests(String dir) throws GitException;
  }

  /** New contents of some files (paths relative to the repository root) and the commit message. */
  public record Edit(Map<String, byte[]> files, String message) {}

  /** Computes what to commit on a head; empty when the head needs no change. */
  @FunctionalInterface
  public interface Change {
    Optional<Edit> on(Head head) throws GitException;
  }

  /**
   * What {@link #commit} did.
   *
   * @param commit the pushed commit, or null when the branch needed no change
   * @param head the branch head the change was computed on (the pushed commit's parent)
   * @param rebuilt the branch moved once before the push succeeded, and the change was computed again
   */
  record Result(String commit, String head, boolean rebuilt) {
    boolean pushed() {
      return commit != null;
    }
  }

  private final GitMirror mirror;

  GitWriter(GitMirror mirror) {
    this.mirror = mirror;
  }

  /**
   * Commits {@code change} on {@code branch} of {@code url} as {@code author} and pushes it.
   *
   * @param now the commit time
   */
  Result commit(String url, String branch, GitCredentials creds, Duration timeout, PersonIdent author, Instant now,
      Change change) throws GitException {
    creds.validateFor(url);
    GitSyncRef ref = GitSyncRef.branch(branch);
    return mirror.locked(url, creds, repo -> {
      GitException moved = null;
      for (int attempt = 0; attempt < 2; attempt++) {
        GitRevision head = mirror.resolve(url, ref, creds, timeout);
        mirror.ensure(url, ref, head, creds, timeout);
        Optional<Edit> edit = change.on(head(url, creds, head.sha()));
        if (edit.isEmpty()) {
          return new Result(null, head.sha(), attempt > 0);
        }
        ObjectId commit = build(repo, head.sha(), edit.get(), new PersonIdent(author.getName(),
            author.getEmailAddress(), now, ZoneOffset.UTC));
        RemoteRefUpdate.Status status;
        String serverMessage;
        PushCommand push = new Git(repo).push().setRemote(url)
            .setRefSpecs(new RefSpec(commit.name() + ":" + Constants.R_HEADS + branch))
            .setRefLeaseSpecs(new RefLeaseSpec(Constants.R_HEADS + branch, head.sha()))
            .setTimeout(GitMirror.seconds(timeout));
        try (GitCredentials.Session session = creds.configure(push, mirror.sshHome())) {
          try {
            RemoteRefUpdate update = null;
            StringBuilder messages = new StringBuilder();
            for (PushResult r : push.call()) {
              update = r.getRemoteUpdate(Constants.R_HEADS + branch);
              if (r.getMessages() != null && !r.getMessages().isBlank()) {
                messages.append(r.getMessages().strip());
              }
            }
            if (update == null) {
              throw new GitException(GitException.GIT_OPERATION_FAILED, "push to " + GitCredentials.safeUrl(url)
                  + ": the server did not report on " + branch);
            }
            status = update.getStatus();
            serverMessage = join(update.getMessage(), messages.toString());
          } catch (GitAPIException | RuntimeException e) {
            throw GitMirror.failure("push", url, creds, session, e);
          }
        }
        switch (status) {
          case OK, UP_TO_DATE -> {
            return new Result(commit.name(), head.sha(), attempt > 0);
          }
          case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> moved = new GitException(
              GitException.PUSH_REJECTED, "push to " + GitCredentials.safeUrl(url) + " branch " + branch
                  + " rejected: the branch moved " + (attempt == 0 ? "" : "again ") + "while the commit was built on "
                  + head.sha().substring(0, 12) + creds.redact(serverMessage.isEmpty() ? "" : " (" + serverMessage
                  + ")"));
          default -> throw new GitException(GitException.PUSH_REJECTED, "push to " + GitCredentials.safeUrl(url)
              + " branch " + branch + " rejected by the server" + (serverMessage.isEmpty() ? " (" + status + ")"
              : ": " + creds.redact(serverMessage)));
        }
      }
      throw moved;
    });
  }

  private Head head(String url, GitCredentials creds, String sha) {
    return new Head() {
      @Override
      public String commit() {
        return sha;
      }

      @Override
      public Optional<byte[]> file(String path) throws GitException {
        return mirror.file(url, creds, sha, path);
      }

      @Override
      public List<ManifestRenderer.SourceFile> manifests(String dir) throws GitException {
        return mirror.read(url, creds, sha, dir);
      }
    };
  }

  /** Blobs, a tree from the head's tree with the edited paths replaced, and a commit on the head; in the mirror. */
  private static ObjectId build(Repository repo, String headSha, Edit edit, PersonIdent who) throws GitException {
    try (ObjectInserter ins = repo.newObjectInserter(); ObjectReader reader = repo.newObjectReader();
        RevWalk rw = new RevWalk(reader)) {
      RevCommit head = rw.parseCommit(ObjectId.fromString(headSha));
      DirCache index = DirCache.read(reader, head.getTree());
      DirCacheEditor editor = index.editor();
      for (Map.Entry<String, byte[]> f : edit.files().entrySet()) {
        ObjectId blob = ins.insert(Constants.OBJ_BLOB, f.getValue());
        editor.add(new DirCacheEditor.PathEdit(f.getKey()) {
          @Override
          public void apply(DirCacheEntry e) {
            if (e.getRawMode() == 0) {
              e.setFileMode(FileMode.REGULAR_FILE);
            }
            e.setObjectId(blob);
          }
        });
      }
      editor.finish();
      CommitBuilder cb = new CommitBuilder();
      cb.setTreeId(index.writeTree(ins));
      cb.setParentId(head);
      cb.setAuthor(who);
      cb.setCommitter(who);
      cb.setMessage(edit.message().endsWith("\n") ? edit.message() : edit.message() + "\n");
      ObjectId commit = ins.insert(cb);
      ins.flush();
      return commit;
    } catch (IOException e) {
      throw new GitException(GitException.GIT_OPERATION_FAILED, "cannot build the commit on " + headSha.substring(0, 12)
          + ": " + e.getMessage());
    }
  }

  private static String join(String a, String b) {
    List<String> parts = new ArrayList<>();
    for (String s : new String[] {a, b}) {
      if (s != null && !s.isBlank() && !parts.contains(s.strip())) {
        parts.add(s.strip());
      }
    }
    return String.join("; ", parts);
  }
}
