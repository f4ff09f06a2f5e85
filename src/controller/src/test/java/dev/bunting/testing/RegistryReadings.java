package dev.bunting.testing;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Readings of an in-process controller's metric registry for tests that measure while they run: a histogram's classic
 * buckets (to subtract one reading from a later one) and the sum of a counter or a histogram's count.
 */
public final class RegistryReadings {
  private RegistryReadings() {
  }

  /** Cumulative counts of a histogram's classic buckets (upper bound → count), summed over matching label sets. */
  public record Histogram(Map<Double, Long> buckets, long count) {
    public Histogram minus(Histogram earlier) {
      Map<Double, Long> out = new TreeMap<>();
      buckets.forEach((le, n) -> out.put(le, n - earlier.buckets.getOrDefault(le, 0L)));
      return new Histogram(out, count - earlier.count);
    }

    /** Observations of at most {@code seconds} (those of the smallest bucket that holds them). */
    public long countAtMost(double seconds) {
      return buckets.entrySet().stream().filter(e -> e.getKey() >= seconds).map(Map.Entry::getValue).findFirst()
          .orElse(count);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(count + " observations; within");
      buckets.forEach((le, n) -> {
        if (!Double.isInfinite(le) && le >= 0.05 && le <= 10) {
          sb.append(String.format(" %ss: %d,", le, n));
        }
      });
      return sb.substring(0, sb.length() - 1);
    }
  }

  /** The histogram {@code name} summed over the label sets {@code labels} accepts. */
  public static Histogram histogram(PrometheusRegistry registry, String name, Predicate<Labels> labels) {
    Map<Double, Long> buckets = new TreeMap<>();
    long count = 0;
    for (MetricSnapshot s : registry.scrape()) {
      if (s instanceof HistogramSnapshot h && h.getMetadata().getName().equals(name)) {
        for (var p : h.getDataPoints()) {
          if (!labels.test(p.getLabels())) {
            continue;
          }
          long cumulative = 0;
          for (var bucket : p.getClassicBuckets()) {
            cumulative += bucket.getCount();
            buckets.merge(bucket.getUpperBound(), cumulative, Long::sum);
          }
          count += p.getCount();
        }
      }
    }
    return new Histogram(buckets, count);
  }

  public static Histogram histogram(PrometheusRegistry registry, String name) {
    return histogram(registry, name, l -> true);
  }

  /** The sum over every label set of counter {@code name} (without its {@code _total} suffix). */
  public static double counter(PrometheusRegistry registry, String name) {
    double n = 0;
    for (MetricSnapshot s : registry.scrape()) {
      if (s instanceof CounterSnapshot c && c.getMetadata().getName().equals(name)) {
        for (var p : c.getDataPoints()) {
          n += p.getValue();
        }
      }
    }
    return n;
  }
}
