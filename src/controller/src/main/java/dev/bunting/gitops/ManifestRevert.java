package dev.bunting.gitops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.merge.MergeAlgorithm;
import org.eclipse.jgit.merge.MergeFormatter;
import org.eclipse.jgit.merge.MergeResult;

/**
 * Reverts the change one revision made to one object of a multi-document YAML file, on the file as it is now: a
 * three-way merge of that object's document only (base: the document at the failed revision; ours: at the branch
 * head; theirs: at the revision to go back to), so later changes to the same document survive and every other
 * document, comment and byte of the file stays as it is. A merge that conflicts with later changes is refused.
 */
final class ManifestRevert {
  private static final Pattern SEPARATOR = Pattern.compile("^---(\\s.*)?$");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ManifestRevert() {}

  /**
   * The file at the head with {@code target}'s document reverted; empty when the head already has that content.
   *
   * @throws GitException {@code Conflict} when the target is missing from one of the versions, or the revert
   *     conflicts with a later change of its document
   */
  static Optional<byte[]> revert(ObjectKey target, String file, byte[] atFailed, byte[] atPrevious, byte[] atHead)
      throws GitException {
    List<String> head = documents(new String(atHead, StandardCharsets.UTF_8));
    int h = find(head, target, file, "at the branch head");
    String base = documents(new String(atFailed, StandardCharsets.UTF_8)).get(find(
        documents(new String(atFailed, StandardCharsets.UTF_8)), target, file, "at the failed revision"));
    List<String> prev = documents(new String(atPrevious, StandardCharsets.UTF_8));
    String theirs = prev.get(find(prev, target, file, "at the previous revision"));
    String ours = head.get(h);
    String merged = merge(base, ours, theirs, target, file);
    if (merged.equals(ours)) {
      return Optional.empty();
    }
    head.set(h, merged);
    return Optional.of(String.join("", head).getBytes(StandardCharsets.UTF_8));
  }

  /** The documents of a YAML stream, each with its leading separator line; joined they are the text again. */
  static List<String> documents(String text) {
    List<String> docs = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      int nl = text.indexOf('\n', i);
      int end = nl < 0 ? text.length() : nl + 1;
      String line = text.substring(i, end);
      if (SEPARATOR.matcher(line.stripTrailing()).matches() && current.length() > 0) {
        docs.add(current.toString());
        current.setLength(0);
      }
      current.append(line);
      i = end;
    }
    docs.add(current.toString());
    return docs;
  }

  private static int find(List<String> docs, ObjectKey target, String file, String where) throws GitException {
    for (int i = 0; i < docs.size(); i++) {
      if (describes(docs.get(i), target)) {
        return i;
      }
    }
    throw new GitException(GitException.CONFLICT, target + " is not in " + file + " " + where);
  }

  @SuppressWarnings("unchecked")
  private static boolean describes(String doc, ObjectKey target) {
    Object parsed;
    try {
      parsed = YAML.readValue(doc, Object.class);
    } catch (IOException e) {
      return false;
    }
    if (!(parsed instanceof Map<?, ?> map) || !(map.get("metadata") instanceof Map<?, ?> meta)) {
      return false;
    }
    Object ns = meta.get("namespace");
    return target.kind().equals(map.get("kind")) && target.name().equals(meta.get("name"))
        && (ns == null || target.namespace().equals(ns));
  }

  private static String merge(String base, String ours, String theirs, ObjectKey target, String file)
      throws GitException {
    RawText b = new RawText(base.getBytes(StandardCharsets.UTF_8));
    RawText o = new RawText(ours.getBytes(StandardCharsets.UTF_8));
    RawText t = new RawText(theirs.getBytes(StandardCharsets.UTF_8));
    MergeResult<RawText> result = new MergeAlgorithm().merge(RawTextComparator.DEFAULT, b, o, t);
    if (result.containsConflicts()) {
      throw new GitException(GitException.CONFLICT, "reverting " + target + " in " + file
          + " conflicts with later changes of it on the branch");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new MergeFormatter().formatMerge(out, result, List.of("failed", "head", "previous"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new GitException(GitException.GIT_OPERATION_FAILED, "cannot merge " + file + ": " + e.getMessage());
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
