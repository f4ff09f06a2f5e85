package dev.bunting.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Amazon CloudWatch {@code GetMetricData}, as Flagger's {@code CloudWatchProvider}, without the AWS SDK: the query is a
 * JSON array of {@code MetricDataQuery} objects ({@code Id}, {@code Expression}, {@code MetricStat}, {@code Label},
 * {@code ReturnData}, {@code Period}, ...; names matched case-insensitively, as Go's JSON decoding does), sent with the
 * Query protocol ({@code POST /}, form-encoded, {@code Action=GetMetricData&Version=2010-08-01}) signed with AWS
 * Signature Version 4 for service {@code monitoring} in {@code spec.provider.region} (required), window from now − 10 ×
 * the metric's interval to now, {@code MaxDatapoints=20}. The endpoint is
 * {@code https://monitoring.<region>.amazonaws.com} unless {@code spec.provider.address} names another (a VPC
 * endpoint, or a test stand-in).
 *
 * <p>The value is the first value of the first result (CloudWatch returns the newest first). No results or no values:
 * no values. Credentials: {@link AwsCredentials}.
 */
final class CloudWatchProvider extends HttpMetricProvider {
  private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;
  private static final Map<String, String> NAMES = new LinkedHashMap<>();

  static {
    for (String name : List.of("Id", "Expression", "Label", "ReturnData", "Period", "AccountId", "MetricStat", "Metric",
        "Namespace", "MetricName", "Dimensions", "Name", "Value", "Stat", "Unit")) {
      NAMES.put(name.toLowerCase(Locale.ROOT), name);
    }
  }

  private final String region;
  private final URI endpoint;
  private final AwsCredentials credentials;
  private final Duration window;

  CloudWatchProvider(WebClient client, Clock clock, ProviderSettings s, AwsCredentials credentials) {
    super("cloudwatch", client, clock, TIMEOUT);
    if (s.region() == null || s.region().isBlank()) {
      throw new IllegalArgumentException("cloudwatch: region not specified (spec.provider.region)");
    }
    this.region = s.region().strip();
    String suffix = region.startsWith("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
    this.endpoint = URI.create(baseUrl(type, s.addressOr("https://monitoring." + region + suffix)));
    this.credentials = credentials;
    this.window = s.interval().multipliedBy(10);
  }

  @Override
  public Future<MetricValue> query(String query, Instant at) {
    Instant end = end(at).truncatedTo(ChronoUnit.SECONDS);
    Map<String, String> form = new LinkedHashMap<>();
    form.put("Action", "GetMetricData");
    form.put("Version", "2010-08-01");
    form.put("StartTime", ISO.format(end.minus(window)));
    form.put("EndTime", ISO.format(end));
    form.put("MaxDatapoints", "20");
    try {
      flatten("MetricDataQueries", queries(query), form);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(MetricValue.failed(e.getMessage()));
    }
    return send(signed(form, clock.instant()), Buffer.buffer(encode(form)), CloudWatchProvider::value);
  }

  /** The query's JSON array, or a failure with Flagger's {@code error unmarshaling query}. */
  static JsonNode queries(String query) {
    try {
      JsonNode node = JSON.readTree(query);
      if (node == null || !node.isArray()) {
        throw new IllegalArgumentException("error unmarshaling query: the query must be a JSON array of "
            + "MetricDataQuery objects");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("error unmarshaling query: " + e.getOriginalMessage(), e);
    }
  }

  /** The Query protocol's flattening: {@code a.b}, lists as {@code a.member.N} (from 1). */
  static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(prefix + ".member." + (i + 1), node.get(i), out);
      }
    } else if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        String name = NAMES.getOrDefault(f.getKey().toLowerCase(Locale.ROOT), f.getKey());
        flatten(prefix + "." + name, f.getValue(), out);
      }
    } else if (!node.isNull()) {
      out.put(prefix, node.asText());
    }
  }

  private HttpRequest<Buffer> signed(Map<String, String> form, Instant now) {
    String body = encode(form);
    String host = endpoint.getHost() + (endpoint.getPort() < 0 || endpoint.getPort() == defaultPort() ? ""
        : ":" + endpoint.getPort());
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    headers.put("Host", host);
    headers.put("X-Amz-Date", AwsSigV4.AMZ_DATE.format(now));
    if (credentials.sessionToken() != null) {
      headers.put("X-Amz-Security-Token", credentials.sessionToken());
    }
    String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
    String authorization = AwsSigV4.authorization(credentials, region, "monitoring", "POST", path, "", headers,
        body.getBytes(StandardCharsets.UTF_8), now);
    HttpRequest<Buffer> request = client.postAbs(endpoint.getScheme() + "://" + host + path);
    headers.forEach((k, v) -> {
      if (!k.equals("Host")) {
        request.putHeader(k, v);
      }
    });
    return request.putHeader("Authorization", authorization);
  }

  private int defaultPort() {
    return "https".equalsIgnoreCase(endpoint.getScheme()) ? 443 : 80;
  }

  /** {@code application/x-www-form-urlencoded} with RFC 3986 escapes (what SigV4 expects). */
  static String encode(Map<String, String> form) {
    return form.entrySet().stream().map(e -> escape(e.getKey()) + "=" + escape(e.getValue()))
        .collect(Collectors.joining("&"));
  }

  private static String escape(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
        .replace("%7E", "~");
  }

  static MetricValue value(String body) {
    Element root = xml(body);
    Element results = first(root, "MetricDataResults");
    List<Element> members = results == null ? List.of() : children(results, "member");
    if (members.isEmpty()) {
      return MetricValue.noValues("no values found (no MetricDataResults)");
    }
    Element values = first(members.get(0), "Values");
    List<Element> points = values == null ? List.of() : children(values, "member");
    if (points.isEmpty()) {
      Element status = first(members.get(0), "StatusCode");
      return MetricValue.noValues("no values found (the first result has no values"
          + (status == null ? "" : ", status " + status.getTextContent().strip()) + ")");
    }
    Double v = PrometheusResponse.parseGoFloat(points.get(0).getTextContent());
    if (v == null) {
      return MetricValue.failed("invalid response: value \"" + points.get(0).getTextContent() + "\"");
    }
    return v.isNaN() ? MetricValue.noValues("no values found (NaN)") : MetricValue.of(v);
  }

  @Override
  String httpError(int status, String body) {
    try {
      Element root = xml(body);
      Element code = first(root, "Code");
      Element message = first(root, "Message");
      if (code != null) {
        return "error requesting cloudwatch: HTTP " + status + ": " + code.getTextContent().strip()
            + (message == null ? "" : ": " + PrometheusResponse.excerpt(message.getTextContent()));
      }
    } catch (RuntimeException e) {
      // not XML: the generic message
    }
    return super.httpError(status, body);
  }

  private static Element xml(String body) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setNamespaceAware(false);
      return f.newDocumentBuilder().parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)))
          .getDocumentElement();
    } catch (Exception e) {
      throw new IllegalArgumentException("error unmarshaling result: " + e.getMessage() + ", '"
          + PrometheusResponse.excerpt(body) + "'", e);
    }
  }

  private static Element first(Element parent, String name) {
    var list = parent.getElementsByTagName(name);
    return list.getLength() == 0 ? null : (Element) list.item(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Flagger's check: GetMetricData with no queries must be refused with 400 (not 403, not unreachable). */
  @Override
  public Future<Boolean> isOnline() {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("Action", "GetMetricData");
    form.put("Version", "2010-08-01");
    return exchange(signed(form, clock.instant()), Buffer.buffer(encode(form)))
        .recover(e -> Future.failedFuture(new IllegalStateException(requestFailed(e))))
        .compose(r -> r.statusCode() == 200 || r.statusCode() == 400 ? Future.succeededFuture(true)
            : Future.failedFuture(new IllegalStateException("unexpected status code: " + r.statusCode())));
  }
}
