package dev.bunting.api;

/**
 * {@code ImagePolicy.spec.filterTags}, as in Flux: a regular expression a tag must match, and {@code extract}, a
 * replacement built from its groups ({@code $ts}, {@code ${ts}}, {@code $1}) that the policy orders instead of the whole
 * tag. Go's {@code (?P<name>...)} named groups are accepted.
 */
public class ImagePolicyFilterTags extends ApiObject {
  public String pattern;
  public String extract;
}
