package dev.bunting.api;

import java.util.List;
import java.util.Map;

/**
 * Istio's {@code HTTPMatchRequest}, used by {@code service.match} and {@code analysis.match}; the Gateway API router
 * maps uri (exact/prefix/regex), method, headers and queryParams onto HTTPRoute matches.
 */
public class HttpMatchRequest extends ApiObject {
  public String name;
  public StringMatch uri;
  public StringMatch scheme;
  public StringMatch method;
  public StringMatch authority;
  public Map<String, StringMatch> headers;
  public Integer port;
  public Map<String, String> sourceLabels;
  public List<String> gateways;
  public Map<String, StringMatch> queryParams;
  public Boolean ignoreUriCase;
  public Map<String, StringMatch> withoutHeaders;
  public String sourceNamespace;

  /** One of {@code exact}, {@code prefix}, {@code suffix}, {@code regex}. */
  public static class StringMatch extends ApiObject {
    public String exact;
    public String prefix;
    public String suffix;
    public String regex;

    public static StringMatch exact(String value) {
      StringMatch m = new StringMatch();
      m.exact = value;
      return m;
    }

    public static StringMatch regex(String value) {
      StringMatch m = new StringMatch();
      m.regex = value;
      return m;
    }
  }
}
