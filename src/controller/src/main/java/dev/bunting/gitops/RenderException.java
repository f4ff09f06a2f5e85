package dev.bunting.gitops;

/** The repository content cannot be turned into objects; the message names the file and the document. */
public final class RenderException extends Exception {
  private final String file;

  public RenderException(String file, String message) {
    super(message);
    this.file = file;
  }

  /** The offending file, relative to the repository root. */
  public String file() {
    return file;
  }
}
