package dev.bunting.api;

/** The identity of the commits Bunting writes to a repository (revert commits, image updates). */
public class GitCommitAuthor extends ApiObject {
  public static final String DEFAULT_NAME = "Bunting";
  public static final String DEFAULT_EMAIL = "bunting@bunting.dev";

  public String name;
  public String email;

  public GitCommitAuthor() {}

  public GitCommitAuthor(String name, String email) {
    this.name = name;
    this.email = email;
  }

  /** {@code author}, with the default name and email where it sets none. */
  public static GitCommitAuthor orDefault(GitCommitAuthor author) {
    String n = author == null || author.name == null || author.name.isBlank() ? DEFAULT_NAME : author.name;
    String e = author == null || author.email == null || author.email.isBlank() ? DEFAULT_EMAIL : author.email;
    return new GitCommitAuthor(n, e);
  }
}
